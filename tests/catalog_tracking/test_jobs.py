"""Tracking through RQ: the cron tick enqueues batches for what is due; PostgreSQL decides, Redis may forget."""

import threading
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from catalog.jobs import TRACKING_JOB, tracking_enqueue_due
from catalog.models import Product
from catalog.tracking import products_claim, tracking_pass
from dropship_central.jobs import jobs_reconcile
from dropship_central.models import Job
from tests.catalog_import.conftest import SLOWPLAY
from tests.catalog_tracking.conftest import site_supplier
from tests.core_jobs.conftest import jobs_env, run_worker  # noqa: F401  (fixture reused)
from tests.loopback import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.shared]


@pytest.fixture
def due(site, tracked, loopback, settings):
    """`make(n)`: n tracked products due now, each served its real page after 50 ms."""
    settings.TRACKING_BATCH_SIZE = 2

    def make(count: int, prefix: str = "B4") -> list[Product]:
        products = []
        for number in range(count):
            external_id = f"{prefix}{number:08d}"
            products.append(tracked(external_id))
            loopback.route(f"/dp/{external_id}", Reply(body=site.page(SLOWPLAY), delay=0.05))
        return products

    return make


def _refreshed(products: list[Product]) -> int:
    """How many of the products were scraped again since they were made."""
    now = {p.pk: p.last_scraped_at for p in Product.objects.filter(pk__in=[p.pk for p in products])}
    return sum(now[p.pk] > p.last_scraped_at for p in products)


def test_the_tick_enqueues_enough_batches_and_no_more_while_they_wait(due, jobs_env):  # noqa: F811
    products = due(5)

    assert tracking_enqueue_due() == {"amazon": 3}  # ceil(5 / 2)
    assert tracking_enqueue_due() == {}
    run_worker()

    assert _refreshed(products) == 5
    jobs = Job.objects.filter(type=TRACKING_JOB)
    assert {job.status for job in jobs} == {Job.Status.SUCCESS}
    assert sum(job.result["refreshed"] for job in jobs) == 5


def test_a_full_batch_tops_the_queue_up_so_one_tick_drains_everything_due(due, jobs_env, settings):  # noqa: F811
    settings.TRACKING_MAX_PENDING_BATCHES = 1
    products = due(7)

    assert tracking_enqueue_due() == {"amazon": 1}
    run_worker()

    assert _refreshed(products) == 7
    assert Job.objects.filter(type=TRACKING_JOB, status=Job.Status.SUCCESS).count() == 4


def test_nothing_due_enqueues_nothing(due, jobs_env):  # noqa: F811
    products = due(2)
    Product.objects.filter(pk__in=[p.pk for p in products]).update(next_check_at=timezone.now() + timedelta(hours=1))
    assert tracking_enqueue_due() == {}


def test_if_redis_loses_its_queues_every_due_product_is_refreshed_after_the_reconciler_runs(due, jobs_env):  # noqa: F811
    products = due(3)
    tracking_enqueue_due()
    jobs_env.flushdb()  # Redis forgets every queued job
    run_worker()
    assert _refreshed(products) == 0
    assert tracking_enqueue_due() == {}  # the ledger still holds the waiting jobs

    # JOB_RECONCILE_AFTER_SECONDS (120) later the reconciler, which runs every minute, enqueues them again.
    assert jobs_reconcile(at=timezone.now() + timedelta(seconds=121))["requeued"] == 2
    run_worker()
    assert _refreshed(products) == 3


def test_products_held_by_a_worker_that_died_are_due_again_when_the_claim_runs_out(due, jobs_env, settings):  # noqa: F811
    products = due(2)
    claim = products_claim(supplier=site_supplier(), limit=10)  # the worker claimed them, then died
    assert claim.token - timezone.now() <= timedelta(seconds=settings.TRACKING_CLAIM_SECONDS)
    assert tracking_enqueue_due() == {}

    Product.objects.filter(pk__in=[p.pk for p in products]).update(next_check_at=claim.token - timedelta(minutes=5))
    assert tracking_enqueue_due() == {"amazon": 1}
    run_worker()
    assert _refreshed(products) == 2


def test_a_pass_skips_products_another_worker_is_claiming(due):
    products = due(4)
    held, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                rows = Product.objects.select_for_update(skip_locked=True)
                list(rows.filter(pk__in=[products[0].pk, products[1].pk]))
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert held.wait(10)
        claim = products_claim(supplier=site_supplier(), limit=10)
    finally:
        release.set()
        thread.join()
    assert sorted(p.pk for p in claim.products) == sorted(p.pk for p in products[2:])


def test_concurrent_passes_never_fetch_the_same_product_twice(due, loopback, settings):
    settings.TRACKING_BATCH_SIZE = 12
    products = due(20)
    summaries = []

    def worker() -> None:
        try:
            summaries.append(tracking_pass(supplier=site_supplier()))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(summary.claimed for summary in summaries) == 20
    assert sum(summary.unchanged for summary in summaries) == 20
    assert {loopback.hits[f"/dp/{p.external_id}"] for p in products} == {1}
