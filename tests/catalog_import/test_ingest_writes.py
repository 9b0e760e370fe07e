"""Ingest keeps database work small: an unchanged reading writes only the scrape time."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.ingest import product_ingest
from catalog.models import Product, ProductVariant
from suppliers.plugins.base import ProductData, VariantData
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

READING = ProductData(
    external_id="B0WRITES01",
    parent_id="B0PARENT01",
    title="Kettle",
    price=Decimal("30.00"),
    currency="EUR",
    availability="in_stock",
    seller="Acme",
    category_path=["Home", "Kitchen"],
    variants=[VariantData(sku="B0WRITES01", price=Decimal("30.00"), currency="EUR", availability="in_stock")],
)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]


def test_an_unchanged_reading_updates_only_the_scrape_time():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=READING)

    with CaptureQueriesContext(connection) as queries:
        product_ingest(supplier=supplier, data=READING)

    writes = _writes(queries)
    assert len(writes) == 1
    assert writes[0].startswith('UPDATE "catalog_product" SET "last_scraped_at"')


def test_a_changed_reading_writes_the_changed_columns_and_variant():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=READING)
    changed = replace(
        READING,
        parent_id="B0PARENT02",
        price=Decimal("28.00"),
        variants=[replace(READING.variants[0], price=Decimal("28.00"))],
    )

    product_ingest(supplier=supplier, data=changed)

    product = Product.objects.get(external_id="B0WRITES01")
    assert (product.parent_external_id, product.price) == ("B0PARENT02", Decimal("28.00"))
    assert ProductVariant.objects.get(product=product).price == Decimal("28.00")


def test_a_new_seller_name_is_stored():
    supplier = SupplierFactory()
    product_ingest(supplier=supplier, data=READING)

    product_ingest(supplier=supplier, data=replace(READING, seller="Other Shop"))

    assert Product.objects.get(external_id="B0WRITES01").seller.name == "Other Shop"
