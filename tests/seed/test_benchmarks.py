"""The benchmark runner finds every `bench_*` module, and the first benchmarks report sound figures."""

import importlib

import pytest

from benchmarks.__main__ import discover
from benchmarks.report import Figure, format_table, percentile


def test_runner_discovers_each_bench_module_by_name():
    found = discover()
    assert {"ingest", "admin"} <= set(found)
    for module_name in found.values():
        module = importlib.import_module(module_name)
        assert module.DESCRIPTION
        assert callable(module.run)


def test_percentile_uses_the_nearest_rank():
    samples = list(range(1, 101))
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile([7.0], 95) == 7.0


def test_table_lists_one_row_per_figure():
    table = format_table([Figure("ingest", "new products", 1234.5, "readings/s"), Figure("admin", "p50", 12.3, "ms")])
    lines = table.splitlines()
    assert len(lines) == 4
    assert "1,234" in lines[2]
    assert "12.30" in lines[3]


@pytest.mark.django_db
def test_ingest_benchmark_writes_history_only_for_changes():
    from benchmarks.bench_ingest import run

    figures = {f.name: f.value for f in run(scale=0.01)}
    assert figures["history rows per new product"] == 6
    assert figures["history rows per unchanged product"] == 0
    assert figures["history rows per changed product"] == 1
    assert figures["unchanged products"] > 0


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:No directory at")
def test_admin_benchmark_renders_the_product_changelist():
    from benchmarks.bench_admin import run

    figures = run(scale=0.01)
    assert len(figures) == 8
    assert all(f.value > 0 and "skipped" not in f.note for f in figures)
