"""What the demo build steps share: the clock, the random source, the walks and the rows built so far."""

from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Model

from accounts.models import User
from catalog.models import (
    Availability,
    Product,
    ProductVariant,
)
from listings.models import Listing, PricingRule
from marketplaces.models import StoreAccount

DAYS = 90
CENT = Decimal("0.01")
# external id -> (first day out of stock, last day out of stock or None while it lasts)
STOCKOUTS: dict[str, tuple[int, int | None]] = {
    "B0BSHF7WHW": (84, None),
    "1005005567001122": (38, 45),
    "884102": (60, 66),
}


@dataclass
class Walk:
    """One product's readings: (time, price) and (time, quantity, availability), each only on change."""

    prices: list[tuple[datetime, Decimal]] = field(default_factory=list)
    stock: list[tuple[datetime, int, str]] = field(default_factory=list)

    def price_at(self, when: datetime) -> Decimal:
        index = bisect_right([t for t, _ in self.prices], when) - 1
        return self.prices[max(index, 0)][1]

    def available_at(self, when: datetime) -> bool:
        index = bisect_right([t for t, _, _ in self.stock], when) - 1
        return self.stock[max(index, 0)][2] != Availability.OUT_OF_STOCK


@dataclass
class Demo:
    """What the build steps share."""

    rng: random.Random
    now: datetime
    user: User
    products: dict[str, Product] = field(default_factory=dict)
    variants: dict[str, list[ProductVariant]] = field(default_factory=dict)
    walks: dict[str, Walk] = field(default_factory=dict)
    stores: dict[str, StoreAccount] = field(default_factory=dict)
    rules: dict[str, PricingRule] = field(default_factory=dict)
    listings: list[Listing] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=DAYS)

    def day(self, index: int) -> datetime:
        return self.start + timedelta(days=index)


def backdate(objs: list[Model], when: list[datetime]) -> None:
    """`auto_now_add` overwrites created_at on insert; bulk_update writes the demo's past dates."""
    for obj, at in zip(objs, when, strict=True):
        obj.created_at = at
    if objs:
        type(objs[0]).objects.bulk_update(objs, ["created_at"])
