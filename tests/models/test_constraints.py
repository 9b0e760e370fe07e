"""The database itself refuses data that breaks the model's invariants."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from catalog.models import Product
from tests.factories import (
    ListingFactory,
    ProductFactory,
    ProxyFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db


def _refused(**create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create["factory"](**{k: v for k, v in create.items() if k != "factory"})


def test_product_is_unique_per_supplier_and_external_id():
    product = ProductFactory(external_id="B012345678")
    _refused(factory=ProductFactory, supplier=product.supplier, external_id="B012345678")


def test_same_external_id_at_another_supplier_is_a_different_product():
    ProductFactory(external_id="1005001")
    other = ProductFactory(external_id="1005001", supplier=SupplierFactory(slug="aliexpress"))
    assert Product.objects.filter(external_id="1005001").count() == 2
    assert other.pk


def test_product_price_cannot_be_negative():
    _refused(factory=ProductFactory, price=Decimal("-0.01"))


def test_product_rating_is_between_0_and_5():
    _refused(factory=ProductFactory, rating=Decimal("5.10"))


def test_product_availability_must_be_a_known_value():
    _refused(factory=ProductFactory, availability="maybe")


def test_proxy_health_score_is_at_most_100():
    _refused(factory=ProxyFactory, health_score=101)


def test_listing_status_must_be_a_known_value():
    _refused(factory=ListingFactory, status="flying")


def test_listing_sku_is_unique_per_store():
    listing = ListingFactory(sku="DS-1")
    _refused(factory=ListingFactory, user=listing.user, store_account=listing.store_account, sku="DS-1")
