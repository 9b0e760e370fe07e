"""During a pass the garbage collector skips the process's older objects; afterwards it is as it was."""

import gc

import pytest

from catalog.tracking import YOUNG_COLLECTION_EVERY, _collector_skips_older_objects


def test_older_objects_are_frozen_for_the_pass_and_handed_back():
    before = (gc.get_threshold(), gc.get_freeze_count())
    assert before[1] == 0

    with _collector_skips_older_objects():
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
        assert gc.get_threshold()[1:] == before[0][1:]

    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_a_failing_pass_restores_the_collector():
    before = (gc.get_threshold(), gc.get_freeze_count())

    with pytest.raises(RuntimeError), _collector_skips_older_objects():
        raise RuntimeError("boom")

    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_objects_frozen_before_the_pass_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _collector_skips_older_objects():
            assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
