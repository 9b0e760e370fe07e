"""A fresh product is linked without fetching; `product_changed` is sent after commit, only on change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from catalog.models import Product, TrackedProduct
from catalog.services import product_import_request
from catalog.signals import ProductChange, product_changed
from dropship_central.models import Job
from tests.catalog_import.conftest import SLOWPLAY
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def changes():
    """Every `product_changed` sent, with whether a transaction was still open when it was."""
    seen: list[tuple[int, ProductChange, bool]] = []

    def receiver(sender, product_id, change, **kwargs):
        seen.append((product_id, change, connection.in_atomic_block))

    product_changed.connect(receiver, weak=False)
    yield seen
    product_changed.disconnect(receiver)


def _import(user) -> Job:
    return product_import_request(user=user, supplier="amazon", external_id=SLOWPLAY)


def test_a_product_scraped_within_the_freshness_window_is_linked_without_fetching(user, amazon, site, worker):
    product = ProductFactory(supplier=amazon, external_id=SLOWPLAY, last_scraped_at=timezone.now())
    site.serve(SLOWPLAY)

    job = _import(user)
    worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.result["product_id"] == product.pk
    assert site.hits(SLOWPLAY) == 0
    assert TrackedProduct.objects.filter(user=user, product=product).exists()


def test_a_product_scraped_before_the_freshness_window_is_fetched_again(user, amazon, site, worker):
    ProductFactory(supplier=amazon, external_id=SLOWPLAY, last_scraped_at=timezone.now() - timedelta(hours=2))
    site.serve(SLOWPLAY)

    _import(user)
    worker()

    assert site.hits(SLOWPLAY) == 1
    assert Product.objects.get(external_id=SLOWPLAY).price == Decimal("159.00")


def test_a_new_product_sends_product_changed_after_commit(user, site, worker, changes):
    site.serve(SLOWPLAY)

    _import(user)
    worker()

    product = Product.objects.get(external_id=SLOWPLAY)
    assert [(product_id, in_transaction) for product_id, _, in_transaction in changes] == [(product.pk, False)]
    change = changes[0][1]
    assert (change.old_price, change.new_price, change.new_currency) == (None, Decimal("159.00"), "USD")


def test_an_unchanged_reading_sends_nothing(user, amazon, site, worker, changes):
    amazon.freshness_seconds = 0
    amazon.save()
    site.serve(SLOWPLAY)
    _import(user)
    worker()
    changes.clear()

    _import(user)
    worker()

    assert site.hits(SLOWPLAY) == 2
    assert changes == []


def test_a_price_change_sends_the_old_and_new_price(user, amazon, site, worker, changes):
    ProductFactory(supplier=amazon, external_id=SLOWPLAY, price=Decimal("149.00"), currency="USD", last_scraped_at=None)
    site.serve(SLOWPLAY)

    _import(user)
    worker()

    assert len(changes) == 1
    change = changes[0][1]
    assert (change.old_price, change.new_price) == (Decimal("149.00"), Decimal("159.00"))
    assert change.price_changed
