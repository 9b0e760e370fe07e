"""Ingesting a reading: upsert the shared product, history only on change."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection

from catalog.ingest import product_ingest
from catalog.models import Category, PriceHistory, Product, ProductVariant, StockHistory
from suppliers.plugins.base import ProductData, VariantData
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db


def _reading(**overrides) -> ProductData:
    values = {
        "external_id": "B0TEST0001",
        "url": "https://www.amazon.com/dp/B0TEST0001",
        "title": "Widget",
        "brand": "Acme",
        "price": Decimal("19.99"),
        "currency": "USD",
        "availability": "in_stock",
        "rating": Decimal("4.5"),
        "review_count": 120,
        "seller": "Acme Store",
        "images": ["https://m.media-amazon.com/images/I/a.jpg"],
        "category_path": ["Electronics", "Chargers"],
    }
    values.update(overrides)
    return ProductData(**values)


def test_first_reading_creates_the_product_with_one_price_and_one_stock_row():
    supplier = SupplierFactory()
    result = product_ingest(supplier=supplier, data=_reading())
    assert result.created
    product = Product.objects.get(supplier=supplier, external_id="B0TEST0001")
    assert product.title == "Widget"
    assert product.price == Decimal("19.99")
    assert product.seller.name == "Acme Store"
    assert product.category.path == "Electronics > Chargers"
    assert product.category.parent.name == "Electronics"
    assert PriceHistory.objects.filter(product=product).count() == 1
    assert StockHistory.objects.filter(product=product).count() == 1


def test_an_unchanged_reading_writes_no_history():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=_reading())
    result = product_ingest(supplier=supplier, data=_reading())
    assert not result.changed
    assert result.history_rows == 0
    assert PriceHistory.objects.count() == 1
    assert StockHistory.objects.count() == 1


def test_a_price_change_appends_price_history_only():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=_reading())
    result = product_ingest(supplier=supplier, data=_reading(price=Decimal("17.49")))
    assert result.price_changed
    assert not result.stock_changed
    assert result.before.price == Decimal("19.99")
    assert list(PriceHistory.objects.order_by("recorded_at").values_list("price", flat=True)) == [
        Decimal("19.99"),
        Decimal("17.49"),
    ]
    assert StockHistory.objects.count() == 1


def test_a_stock_change_appends_stock_history_only():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=_reading())
    result = product_ingest(supplier=supplier, data=_reading(availability="low_stock", stock_quantity=3))
    assert result.stock_changed
    assert not result.price_changed
    assert StockHistory.objects.order_by("-recorded_at").first().stock_quantity == 3
    assert PriceHistory.objects.count() == 1


def test_a_partial_reading_keeps_descriptive_fields_it_did_not_see():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=_reading())
    product_ingest(supplier=supplier, data=_reading(brand=None, images=[], rating=None, seller=None))
    product = Product.objects.get()
    assert product.brand == "Acme"
    assert product.images == ["https://m.media-amazon.com/images/I/a.jpg"]
    assert product.rating == Decimal("4.5")
    assert product.seller.name == "Acme Store"


def test_no_buy_box_clears_the_price():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=_reading())
    result = product_ingest(supplier=supplier, data=_reading(price=None, availability="unavailable"))
    assert result.after.price is None
    assert Product.objects.get().price is None
    assert PriceHistory.objects.order_by("-recorded_at").first().price is None


def test_variants_are_upserted_with_their_own_history():
    supplier = SupplierFactory(slug="uzum")
    variants = [
        VariantData(
            sku="1",
            attributes={"Color": "Red"},
            price=Decimal("100"),
            currency="UZS",
            availability="in_stock",
            stock_quantity=5,
        ),
        VariantData(
            sku="2",
            attributes={"Color": "Blue"},
            price=Decimal("110"),
            currency="UZS",
            availability="in_stock",
            stock_quantity=2,
        ),
    ]
    product_ingest(supplier=supplier, data=_reading(external_id="77", variants=variants))
    changed = [
        variants[0],
        VariantData(
            sku="2",
            attributes={"Color": "Blue"},
            price=Decimal("110"),
            currency="UZS",
            availability="out_of_stock",
            stock_quantity=0,
        ),
    ]
    result = product_ingest(supplier=supplier, data=_reading(external_id="77", variants=changed))
    assert result.variant_changes == ["2"]
    blue = ProductVariant.objects.get(sku="2")
    assert blue.availability == "out_of_stock"
    assert StockHistory.objects.filter(variant=blue).count() == 2
    assert PriceHistory.objects.filter(variant=blue).count() == 1


def test_category_ids_from_the_supplier_are_used_when_given():
    supplier = SupplierFactory(slug="uzum")
    product_ingest(
        supplier=supplier,
        data=_reading(external_id="9", category_path=["Home", "Kitchen"], extra={"category_ids": [10, 20]}),
    )
    assert set(Category.objects.values_list("external_id", flat=True)) == {"10", "20"}


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_of_the_same_new_product_make_one_row_and_one_history_row():
    supplier = SupplierFactory()

    def ingest() -> bool:
        try:
            return product_ingest(supplier=supplier, data=_reading()).created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        created = list(pool.map(lambda _: ingest(), range(4)))
    assert created.count(True) == 1
    assert Product.objects.count() == 1
    assert PriceHistory.objects.count() == 1
