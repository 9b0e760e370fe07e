from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import PriceHistory, ProductVariant, StockHistory
from catalog.rollups import rollups_rebuild
from tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, SellerFactory, SupplierFactory


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def uzum(db):
    return SupplierFactory(slug="uzum", name="Uzum Market")


@pytest.fixture
def make_sku(uzum, now):
    """A product with one SKU and its stock and price history, given as (days ago, value) pairs."""

    def make(
        *,
        stock: list[tuple[int, int]],
        prices: list[tuple[int, str]],
        seller=None,
        category=None,
        title: str = "",
    ) -> ProductVariant:
        product = ProductFactory(
            supplier=uzum, seller=seller, category=category, currency="UZS", last_scraped_at=now, **_titled(title)
        )
        variant = ProductVariantFactory(product=product, currency="UZS")
        for days, level in stock:
            StockHistory.objects.create(
                product=product,
                variant=variant,
                stock_quantity=level,
                availability="in_stock",
                recorded_at=now - timedelta(days=days),
            )
        for days, price in prices:
            PriceHistory.objects.create(
                product=product,
                variant=variant,
                price=Decimal(price),
                currency="UZS",
                recorded_at=now - timedelta(days=days),
            )
        rollups_rebuild(product_ids=[product.pk])
        return variant

    return make


def _titled(title: str) -> dict:
    return {"title": title} if title else {}


@pytest.fixture
def market(uzum, make_sku):
    """Two sellers in a two-level category tree.

    Seller A sells a cable: 2 units at 100 in the previous 30 days, 3 at 100 in the last 30.
    Seller B sells a charger: 1 unit at 50 in the last 30 days, and a second cable with no history.
    """
    root = CategoryFactory(supplier=uzum, external_id="1", name="Electronics", path="Electronics")
    cables = CategoryFactory(
        supplier=uzum, external_id="2", name="Cables", path="Electronics > Cables", parent=root, level=1
    )
    chargers = CategoryFactory(
        supplier=uzum, external_id="3", name="Chargers", path="Electronics > Chargers", parent=root, level=1
    )
    seller_a = SellerFactory(supplier=uzum, name="Alpha", rating=Decimal("4.80"))
    seller_b = SellerFactory(supplier=uzum, name="Beta")
    make_sku(stock=[(40, 20), (35, 18), (10, 15)], prices=[(50, "100")], seller=seller_a, category=cables)
    make_sku(stock=[(20, 10), (5, 9)], prices=[(20, "50")], seller=seller_b, category=chargers)
    ProductFactory(supplier=uzum, seller=seller_b, category=cables)
    return {"root": root, "cables": cables, "chargers": chargers, "a": seller_a, "b": seller_b}
