"""Low margin is judged at the new price: a supplier price change defers low-margin rules to after the reprice
(`listings_repriced`), whichever of the `sync` and `default` queues runs first."""

from decimal import Decimal

import django_rq
import pytest
from django.db import transaction
from rq import SimpleWorker

from alerts.models import Alert, PolicyAction, PolicyKind
from alerts.services import policies_evaluate_product
from catalog.signals import product_changed
from dropship_central.models import Job
from listings.models import Listing, PricingRule
from listings.signals import listings_repriced
from tests.alerts_policies.conftest import change
from tests.factories import ListingFactory, PolicyRuleFactory, PricingRuleFactory, ProductFactory

D = Decimal
REPRICED_JOB = "alerts.jobs.policies_evaluate_repriced"


def work(queue: str) -> None:
    """Run one queue's jobs until it is empty, as a worker on that queue alone would."""
    rq_queue = django_rq.get_queue(queue)
    SimpleWorker([rq_queue], connection=rq_queue.connection).work(burst=True)


def supplier_price(product, old: str, new: str) -> None:
    """The catalog stores a new supplier price and sends `product_changed` after commit."""
    with transaction.atomic():
        product.price = D(new)
        product.save(update_fields=["price"])
        product_changed.send(sender=None, product_id=product.pk, change=change(old_price=D(old), new_price=D(new)))


@pytest.fixture
def listed(user):
    product = ProductFactory(price=D("10.00"))
    listing = ListingFactory(user=user, product=product, status="active", price=D("15.00"))
    PolicyRuleFactory(user=user, kind=PolicyKind.LOW_MARGIN, threshold=D("20"), action=PolicyAction.PAUSE)
    return listing


def markup_rule(user) -> PricingRule:
    return PricingRuleFactory(
        user=user, markup_percent=D("50"), fee_percent=D("0"), fixed_fee=D("0"), rounding=PricingRule.Rounding.NONE
    )


@pytest.mark.django_db(transaction=True)
def test_policies_running_before_the_reprice_do_not_pause_on_the_old_price(jobs_env, user, listed):
    markup_rule(user)
    supplier_price(listed.product, "10.00", "13.00")

    work("default")
    listed.refresh_from_db()
    assert listed.status == "active"
    work("sync")
    work("default")

    listed.refresh_from_db()
    assert (listed.status, listed.price) == ("active", D("19.50"))
    assert Job.objects.get(type=REPRICED_JOB).status == Job.Status.SUCCESS
    assert not Alert.objects.filter(type=PolicyKind.LOW_MARGIN).exists()


@pytest.mark.django_db(transaction=True)
def test_a_margin_still_low_after_the_reprice_pauses_the_listing(jobs_env, user, listed):
    supplier_price(listed.product, "10.00", "13.00")

    work("sync")
    work("default")

    listed.refresh_from_db()
    assert (listed.status, listed.status_reason, listed.price) == ("paused", "low_margin", D("15.00"))
    assert Alert.objects.get(type=PolicyKind.LOW_MARGIN).listing == listed


@pytest.mark.django_db
def test_a_price_change_with_open_listings_leaves_low_margin_to_the_reprice(user, listed):
    listed.product.price = D("13.00")
    listed.product.save()

    outcomes = policies_evaluate_product(product=listed.product, change=change(old_price=D("10"), new_price=D("13")))

    assert outcomes == []
    assert Listing.objects.get(pk=listed.pk).status == "active"


@pytest.mark.django_db
def test_without_a_price_change_low_margin_is_judged_at_once(user, listed):
    listed.product.price = D("13.00")
    listed.product.save()

    [outcome] = policies_evaluate_product(product=listed.product, change=change(old_stock=3))

    assert outcome.holds
    assert Listing.objects.get(pk=listed.pk).status == "paused"


@pytest.mark.django_db(transaction=True)
def test_repriced_enqueues_low_margin_only_for_products_with_such_rules(jobs_env, user, listed):
    other = ListingFactory(status="active")

    listings_repriced.send(sender=Listing, product_id=other.product_id)
    assert not Job.objects.filter(type=REPRICED_JOB).exists()
    listings_repriced.send(sender=Listing, product_id=listed.product_id)

    job = Job.objects.get(type=REPRICED_JOB)
    assert (job.queue, job.payload) == ("default", {"product_id": listed.product_id})
