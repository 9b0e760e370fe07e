"""A small hand-checked back office: two customers, three stores, two products, 2026-03-01 … 2026-03-03.

| listing | customer | store | product | day | orders | units | revenue | cost | fees | refunds | profit |
|---|---|---|---|---|---|---|---|---|---|---|---|
| a1 | alice | A1 | lamp | 03-01 | 2 | 3 | 90.00 | 45.00 | 11.70 | 0 | 33.30 |
| a2 | alice | A2 | mug | 03-02 | 1 | 1 | 40.00 | 22.00 | 1.46 | 0 | 16.54 |
| b1 | bob | B1 | lamp | 03-02 | 1 | 2 | 60.00 | 30.00 | 6.00 | 0 | 24.00 |
| a1 | alice | A1 | lamp | 03-03 | 0 | 0 | 0 | 0 | 0 | 30.00 | -30.00 (a refund) |
| b1 | bob | B1 | lamp | 03-03 | EUR: 500.00 revenue, never in USD figures |
| a1 | alice | A1 | lamp | 03-04 | after the range: 1000.00 revenue |

All customers, USD: revenue 190.00, cost 97.00, fees 19.16, refunds 30.00, profit 43.84, margin 23.07 %, 4 orders,
6 units. Per day: 03-01 90.00 / 33.30 / 2 orders, 03-02 100.00 / 40.54 / 2, 03-03 0.00 / -30.00 / 0.
Top products by profit: lamp 27.30 (revenue 150.00), mug 16.54 (40.00).
Alice: revenue 130.00, profit 19.84; per day 90.00 / 33.30, 40.00 / 16.54, 0.00 / -30.00; top mug 16.54, lamp 3.30.
"""

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import User
from catalog.models import Product
from marketplaces.models import StoreAccount
from tests.factories import (
    ListingFactory,
    MarketplaceDataFactory,
    ProductFactory,
    StoreAccountFactory,
    UserFactory,
)

RANGE = {"date_from": "2026-03-01", "date_to": "2026-03-03"}


@dataclass
class BackOffice:
    alice: User
    bob: User
    a1: StoreAccount
    a2: StoreAccount
    b1: StoreAccount
    lamp: Product
    mug: Product


def day(text: str) -> date:
    return date.fromisoformat(f"2026-{text}")


def sale(listing: Any, when: str, currency: str = "USD", **figures: Any) -> None:
    zero = {"orders": 0, "units_sold": 0, "revenue": 0, "cost": 0, "fees": 0, "refunds": 0, "profit": 0}
    values = {**zero, **figures}
    money = {k: Decimal(str(v)) for k, v in values.items() if k not in ("orders", "units_sold")}
    MarketplaceDataFactory(listing=listing, date=day(when), currency=currency, **{**values, **money})


@pytest.fixture
def office(db) -> BackOffice:
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    a1 = StoreAccountFactory(user=alice, name="Alice on eBay")
    a2 = StoreAccountFactory(user=alice, name="Alice on Shopify", marketplace=StoreAccount.Marketplace.SHOPIFY)
    b1 = StoreAccountFactory(user=bob, name="Bob on eBay")
    lamp, mug = ProductFactory(title="Desk lamp"), ProductFactory(title="Mug")
    la1 = ListingFactory(user=alice, store_account=a1, product=lamp)
    la2 = ListingFactory(user=alice, store_account=a2, product=mug)
    lb1 = ListingFactory(user=bob, store_account=b1, product=lamp)
    sale(la1, "03-01", orders=2, units_sold=3, revenue="90.00", cost="45.00", fees="11.70", profit="33.30")
    sale(la2, "03-02", orders=1, units_sold=1, revenue="40.00", cost="22.00", fees="1.46", profit="16.54")
    sale(lb1, "03-02", orders=1, units_sold=2, revenue="60.00", cost="30.00", fees="6.00", profit="24.00")
    sale(la1, "03-03", refunds="30.00", profit="-30.00")
    sale(lb1, "03-03", currency="EUR", orders=5, units_sold=5, revenue="500.00", profit="100.00")
    sale(la1, "03-04", orders=9, units_sold=9, revenue="1000.00", profit="400.00")
    return BackOffice(alice=alice, bob=bob, a1=a1, a2=a2, b1=b1, lamp=lamp, mug=mug)


@pytest.fixture
def superuser(db) -> User:
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(superuser) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


def staff_client(*permissions: str) -> Client:
    staff = UserFactory(is_staff=True)
    for codename in permissions:
        staff.user_permissions.add(Permission.objects.get(codename=codename))
    client = Client()
    client.force_login(staff)
    return client


def embedded_json(html: str, element_id: str) -> Any:
    """The value a page embedded with `json_script` under `element_id`."""
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert match, f"no json_script with id {element_id}"
    return json.loads(match.group(1))


def series_by_label(spec: dict[str, Any]) -> dict[str, list[Any]]:
    return {series["label"]: series["data"] for series in spec["series"]}
