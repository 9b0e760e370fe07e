"""A parsed Uzum product lands in the catalog with a variant and a history row per SKU."""

from decimal import Decimal

import pytest

from catalog.ingest import product_ingest
from catalog.models import Category, PriceHistory, Product, ProductVariant, Seller, StockHistory
from suppliers.plugins.uzum.product import parse_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(product_info):
    return parse_product(product_info, "https://api.kazanexpress.ru/api/v2/product/207847", currency="RUB")


def test_ingest_creates_161_variants_each_with_price_and_stock_history(uzum_supplier, product):
    product_ingest(supplier=uzum_supplier, data=product)

    stored = Product.objects.get(supplier=uzum_supplier, external_id="207847")
    assert ProductVariant.objects.filter(product=stored).count() == 161
    assert PriceHistory.objects.filter(product=stored, variant__isnull=False).count() == 161
    assert StockHistory.objects.filter(product=stored, variant__isnull=False).count() == 161
    assert (stored.price, stored.currency, stored.stock_quantity) == (Decimal("345.00"), "RUB", 1603)


def test_ingest_stores_the_category_chain_by_uzum_ids_and_the_seller(uzum_supplier, product):
    product_ingest(supplier=uzum_supplier, data=product)

    stored = Product.objects.select_related("category", "seller").get(external_id="207847")
    assert (stored.category.external_id, stored.category.name, stored.category.level) == ("11956", "Футболки", 3)
    assert set(Category.objects.values_list("external_id", flat=True)) == {"10014", "10116", "11166", "11956"}
    assert (stored.seller.external_id, stored.seller.name) == ("2224", "Good Hood")
    assert Seller.objects.count() == 1


def test_a_second_identical_reading_appends_no_history(uzum_supplier, product):
    product_ingest(supplier=uzum_supplier, data=product)

    result = product_ingest(supplier=uzum_supplier, data=product)

    assert (result.changed, result.history_rows) == (False, 0)
    assert PriceHistory.objects.count() == 162
