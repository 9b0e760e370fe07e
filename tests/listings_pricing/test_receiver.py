"""A changed supplier price reprices the product's open listings through a `sync` job, after commit."""

from decimal import Decimal

import django_rq
import pytest

from catalog.signals import ProductChange, product_changed
from dropship_central.models import Job
from listings.models import Listing, PriceDecision
from tests.core_jobs.conftest import jobs_env, run_worker  # noqa: F401 (fixture)
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory

pytestmark = pytest.mark.django_db
JOB = "listings.jobs.listings_reprice_for_product"


def change(*, old_price: str | None = "10.00", new_price: str | None = "12.00", stock: int = 5) -> ProductChange:
    return ProductChange(
        old_price=Decimal(old_price) if old_price else None,
        new_price=Decimal(new_price) if new_price else None,
        old_currency="USD",
        new_currency="USD",
        old_stock=stock,
        new_stock=stock,
        old_availability="in_stock",
        new_availability="in_stock",
    )


def test_price_change_enqueues_a_sync_job_only_after_commit(jobs_env, django_capture_on_commit_callbacks):  # noqa: F811
    listing = ListingFactory(status=Listing.Status.ACTIVE)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        product_changed.send(sender=None, product_id=listing.product_id, change=change())
        job = Job.objects.get(type=JOB)
        assert django_rq.get_queue("sync").get_job_ids() == []
    for callback in callbacks:
        callback()

    assert (job.queue, job.payload) == ("sync", {"product_id": listing.product_id})
    assert django_rq.get_queue("sync").get_job_ids() != []


def test_stock_only_change_enqueues_nothing():
    listing = ListingFactory(status=Listing.Status.ACTIVE)
    stock_change = ProductChange(
        old_price=Decimal("10"),
        new_price=Decimal("10"),
        old_currency="USD",
        new_currency="USD",
        old_stock=5,
        new_stock=0,
        old_availability="in_stock",
        new_availability="out_of_stock",
    )

    product_changed.send(sender=None, product_id=listing.product_id, change=stock_change)

    assert not Job.objects.filter(type=JOB).exists()


def test_product_without_open_listings_enqueues_nothing():
    listing = ListingFactory(status=Listing.Status.ENDED)

    product_changed.send(sender=None, product_id=listing.product_id, change=change())

    assert not Job.objects.filter(type=JOB).exists()


def test_the_worker_reprices_the_products_open_listings(jobs_env, django_capture_on_commit_callbacks):  # noqa: F811
    product = ProductFactory(price=Decimal("12.00"))
    open_listing = ListingFactory(status=Listing.Status.ACTIVE, product=product, price=Decimal("15.00"))
    ended = ListingFactory(status=Listing.Status.ENDED, product=product, price=Decimal("15.00"))
    PricingRuleFactory(
        user=open_listing.user, markup_percent=Decimal("50"), fee_percent=0, fixed_fee=0, rounding="none"
    )

    with django_capture_on_commit_callbacks(execute=True):
        product_changed.send(sender=None, product_id=product.id, change=change())
    run_worker()

    open_listing.refresh_from_db()
    ended.refresh_from_db()
    assert open_listing.price == Decimal("18.00")
    assert ended.price == Decimal("15.00")
    assert PriceDecision.objects.get().trigger == "product_changed"
    assert Job.objects.get(type=JOB).status == Job.Status.SUCCESS
