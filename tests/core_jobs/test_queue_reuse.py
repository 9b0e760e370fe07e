"""One RQ queue (and Redis connection pool) per process and configuration, not one per enqueue."""

from dropship_central import jobs


def test_the_same_queue_and_pool_serve_every_enqueue():
    first, second = jobs._queue("default"), jobs._queue("default")

    assert first is second
    assert first.connection.connection_pool is second.connection.connection_pool


def test_a_changed_configuration_gets_its_own_queue(settings):
    before = jobs._queue("default")
    settings.RQ_QUEUES = {**settings.RQ_QUEUES, "default": {"URL": "redis://127.0.0.1:6379/14", "DEFAULT_TIMEOUT": 60}}

    after = jobs._queue("default")

    assert after is not before
    assert after.connection.connection_pool.connection_kwargs["db"] == 14
