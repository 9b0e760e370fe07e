"""A small hand-checked business: user A sells on two stores, user B sells one of the same products.

Range under test: 2026-03-01 … 2026-03-10 (10 days; the previous period is 2026-02-19 … 2026-02-28).

| listing | store | product | day | orders | units | revenue | cost | fees | refunds | profit |
|---|---|---|---|---|---|---|---|---|---|---|
| l1 | ebay | p1 | 03-02 | 2 | 3 | 90.00 | 45.00 | 11.70 | 0 | 33.30 (a sale) |
| l1 | ebay | p1 | 03-05 | 0 | 0 | 0 | 0 | 0 | 30.00 | -30.00 (a refund) |
| l2 | shop | p1 | 03-03 | 1 | 1 | 40.00 | 22.00 | 1.46 | 0 | 16.54 |
| l3 | ebay | p2 | 03-09 | 1 | 2 | 50.00 | 38.00 | 6.50 | 0 | 5.50 |
| l4 | shop | p3 | 03-04 | EUR: left out of USD figures, 70.00 revenue |
| l1 | ebay | p1 | 03-11 | after the range: 1000.00 revenue |
| l1 | ebay | p1 | 02-20 | previous period: 1 order, 30.00 / 15.00 / 3.90 / 0 / 11.10 |
| l3 | ebay | p2 | 02-25 | previous period: 1 order, 25.00 / 19.00 / 3.25 / 0 / 2.75 |
| B's listing of p1 | B's store | p1 | 03-02 | 500.00 revenue, never in A's figures |

Stock (product-level rows): p1 in stock from 02-15, out of stock 03-06 10:00, restocked 03-08 09:00 (a variant of
p1 out on 03-02 does not count); p2 out of stock from 02-10, restocked 03-04 12:00, 9 left 03-06 08:00.
l3 (p2) was published on 03-02, so 03-01 (out of stock) is not an open day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from accounts.models import User
from catalog.models import Availability, Product
from catalog.rollups import rollups_rebuild
from listings.models import Listing
from marketplaces.models import StoreAccount
from tests.factories import (
    ListingFactory,
    MarketplaceDataFactory,
    PriceHistoryFactory,
    ProductFactory,
    ProductVariantFactory,
    StockHistoryFactory,
    StoreAccountFactory,
    TrackedProductFactory,
)

RANGE = {"from": "2026-03-01", "to": "2026-03-10"}


@dataclass
class Shop:
    user: User
    other: User
    ebay: StoreAccount
    shop: StoreAccount
    p1: Product
    p2: Product
    p3: Product
    l1: Listing
    l2: Listing
    l3: Listing


def at(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=UTC)


def sale(listing: Listing, day: str, **figures: object) -> None:
    zero = {"orders": 0, "units_sold": 0, "revenue": 0, "cost": 0, "fees": 0, "refunds": 0, "profit": 0}
    values = {
        **zero,
        **{
            name: Decimal(str(value)) if name not in ("orders", "units_sold") else value
            for name, value in figures.items()
        },
    }
    MarketplaceDataFactory(listing=listing, date=date.fromisoformat(f"2026-{day}"), **values)


@pytest.fixture
def shop(user, other_user) -> Shop:
    ebay = StoreAccountFactory(user=user, name="A on eBay")
    shopify = StoreAccountFactory(user=user, name="A on Shopify", marketplace=StoreAccount.Marketplace.SHOPIFY)
    p1 = ProductFactory(title="Desk lamp")
    p2 = ProductFactory(title="Phone stand")
    p3 = ProductFactory(title="Cable tidy")
    active = {"user": user, "status": Listing.Status.ACTIVE}
    l1 = ListingFactory(**active, store_account=ebay, product=p1, published_at=at("02-01", "08:00"))
    l2 = ListingFactory(**active, store_account=shopify, product=p1, published_at=at("03-03", "08:00"))
    l3 = ListingFactory(**active, store_account=ebay, product=p2, published_at=at("03-02", "08:00"))
    l4 = ListingFactory(**active, store_account=shopify, product=p3, published_at=at("02-01", "08:00"))
    other_listing = ListingFactory(
        user=other_user, product=p1, status=Listing.Status.ACTIVE, published_at=at("02-01", "08:00")
    )

    sale(l1, "03-02", orders=2, units_sold=3, revenue="90.00", cost="45.00", fees="11.70", profit="33.30")
    sale(l1, "03-05", refunds="30.00", profit="-30.00")
    sale(l2, "03-03", orders=1, units_sold=1, revenue="40.00", cost="22.00", fees="1.46", profit="16.54")
    sale(l3, "03-09", orders=1, units_sold=2, revenue="50.00", cost="38.00", fees="6.50", profit="5.50")
    MarketplaceDataFactory(listing=l4, date=date(2026, 3, 4), currency="EUR", revenue=Decimal("70.00"))
    sale(l1, "03-11", orders=9, units_sold=9, revenue="1000.00", cost="500.00", profit="500.00")
    sale(l1, "02-20", orders=1, units_sold=1, revenue="30.00", cost="15.00", fees="3.90", profit="11.10")
    sale(l3, "02-25", orders=1, units_sold=1, revenue="25.00", cost="19.00", fees="3.25", profit="2.75")
    sale(other_listing, "03-02", orders=5, units_sold=5, revenue="500.00", cost="100.00", profit="400.00")

    out = Availability.OUT_OF_STOCK
    StockHistoryFactory(product=p1, availability=Availability.IN_STOCK, stock_quantity=20, recorded_at=at("02-15"))
    StockHistoryFactory(product=p1, availability=out, stock_quantity=0, recorded_at=at("03-06", "10:00"))
    StockHistoryFactory(
        product=p1, availability=Availability.IN_STOCK, stock_quantity=15, recorded_at=at("03-08", "09:00")
    )
    variant = ProductVariantFactory(product=p1)
    StockHistoryFactory(product=p1, variant=variant, availability=out, stock_quantity=0, recorded_at=at("03-02"))
    StockHistoryFactory(product=p2, availability=out, stock_quantity=0, recorded_at=at("02-10"))
    StockHistoryFactory(
        product=p2, availability=Availability.IN_STOCK, stock_quantity=12, recorded_at=at("03-04", "12:00")
    )
    StockHistoryFactory(
        product=p2, availability=Availability.IN_STOCK, stock_quantity=9, recorded_at=at("03-06", "08:00")
    )

    TrackedProductFactory(user=user, product=p2)
    rollups_rebuild()  # the daily rollups of the raw history written above
    return Shop(user=user, other=other_user, ebay=ebay, shop=shopify, p1=p1, p2=p2, p3=p3, l1=l1, l2=l2, l3=l3)


@pytest.fixture
def price_flicker(shop) -> Product:
    """p2's price: 20.00 at 10:00, 22.00 at 10:30, 21.00 at 14:00 on 03-01, 19.00 at 09:00 on 03-02."""
    for clock_day, price in (
        (("03-01", "10:00"), "20.00"),
        (("03-01", "10:30"), "22.00"),
        (("03-01", "14:00"), "21.00"),
        (("03-02", "09:00"), "19.00"),
    ):
        PriceHistoryFactory(product=shop.p2, price=Decimal(price), recorded_at=at(*clock_day))
    variant = ProductVariantFactory(product=shop.p2)
    PriceHistoryFactory(product=shop.p2, variant=variant, price=Decimal("99.00"), recorded_at=at("03-01", "11:00"))
    rollups_rebuild()
    return shop.p2
