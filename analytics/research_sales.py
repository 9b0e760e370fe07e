"""Sales estimated from a SKU's stock readings: drops are sales, restocks are ignored, small returns corrected.

Stock history is appended only on change, so each reading differs from the one before it. Between two
consecutive readings of a SKU:
- a drop of n units counts as n sales, at the price the SKU had when the drop was read;
- an increase right after a drop, no bigger than that drop and at most `RETURN_MAX_UNITS`, is a return: it
  takes its units back from that drop;
- any other increase is a restock: it neither adds nor subtracts sales.

The range: `units_high` is every drop, `units` subtracts the returns, and `units_low` keeps only the drops
confirmed by the next reading (stock did not come back up; for the newest reading, a later scrape saw the
same stock). A drop undone by the next reading may have been a basket hold or a misread, not a sale.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

RETURN_MAX_UNITS = 3
ZERO = Decimal("0")


@dataclass(frozen=True)
class StockReading:
    at: datetime
    stock: int | None


@dataclass(frozen=True)
class PriceReading:
    at: datetime
    price: Decimal | None


@dataclass
class SalesEstimate:
    units_low: int = 0
    units: int = 0
    units_high: int = 0
    revenue_low: Decimal = ZERO
    revenue: Decimal = ZERO
    revenue_high: Decimal = ZERO
    sales_events: list[tuple[datetime, int]] = field(default_factory=list)

    def add(self, other: SalesEstimate) -> None:
        self.units_low += other.units_low
        self.units += other.units
        self.units_high += other.units_high
        self.revenue_low += other.revenue_low
        self.revenue += other.revenue
        self.revenue_high += other.revenue_high

    def as_dict(self) -> dict[str, object]:
        return {
            "units": self.units,
            "units_low": self.units_low,
            "units_high": self.units_high,
            "revenue": self.revenue,
            "revenue_low": self.revenue_low,
            "revenue_high": self.revenue_high,
        }


@dataclass
class _Drop:
    units: int
    price: Decimal
    returned: int = 0
    confirmed: bool = False


def estimate_sales(
    stock: list[StockReading],
    prices: list[PriceReading],
    *,
    since: datetime | None = None,
    last_seen_at: datetime | None = None,
) -> SalesEstimate:
    """Sales of one SKU from its readings (oldest first), counting drops read at or after `since`.

    `stock` may start with the last reading before `since`: it is the baseline of the first drop.
    `last_seen_at` is the SKU's latest scrape; a drop in the newest reading is confirmed when it is later.
    """
    drops = _drops(stock, prices, since=since, last_seen_at=last_seen_at)
    estimate = SalesEstimate()
    for drop in drops:
        kept = drop.units - drop.returned
        estimate.units_high += drop.units
        estimate.units += kept
        estimate.revenue_high += drop.units * drop.price
        estimate.revenue += kept * drop.price
        if drop.confirmed:
            estimate.units_low += drop.units
            estimate.revenue_low += drop.units * drop.price
    return estimate


def _drops(
    stock: list[StockReading], prices: list[PriceReading], *, since: datetime | None, last_seen_at: datetime | None
) -> list[_Drop]:
    drops: list[_Drop] = []
    previous: StockReading | None = None
    last_drop: _Drop | None = None
    for index, reading in enumerate(stock):
        if previous is None or previous.stock is None or reading.stock is None:
            previous, last_drop = reading, None
            continue
        change = reading.stock - previous.stock
        if change < 0 and (since is None or reading.at >= since):
            last_drop = _Drop(units=-change, price=_price_at(prices, reading.at))
            last_drop.confirmed = _confirmed(stock, index, last_seen_at)
            drops.append(last_drop)
        elif change > 0 and last_drop is not None and change <= min(last_drop.units, RETURN_MAX_UNITS):
            last_drop.returned = change
            last_drop = None
        else:
            last_drop = None
        previous = reading
    return drops


def _confirmed(stock: list[StockReading], index: int, last_seen_at: datetime | None) -> bool:
    reading = stock[index]
    assert reading.stock is not None
    if index + 1 < len(stock):
        following = stock[index + 1].stock
        return following is not None and following <= reading.stock
    return last_seen_at is not None and last_seen_at > reading.at


def _price_at(prices: list[PriceReading], at: datetime) -> Decimal:
    """The price in effect at `at` (the latest reading not after it); zero when none is known."""
    index = bisect_right([price.at for price in prices], at)
    if index == 0:
        return ZERO
    return prices[index - 1].price or ZERO
