"""Stock-out days of the products a user sells, and the revenue they likely cost.

A day counts for a product while one of the user's listings of it was open: from `published_at` to `ended_at`
(a listing never published never sold). An open day is a stock-out day when the product's own stock readings
(`StockHistory` rows without a variant) show it out of stock or unavailable at any moment of that day: the reading
in force when the day began, or one taken during it. The revenue lost is the product's average revenue on its
open in-stock days times its stock-out days.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from analytics.business import CENT, BusinessScope, day_start, marketplace_data_for_scope, user_listings
from catalog.models import Availability, Product, StockHistory
from listings.models import Listing

OUT_OF_STOCK = (Availability.OUT_OF_STOCK.value, Availability.UNAVAILABLE.value)
CLOSED_STATUSES = (Listing.Status.ENDED, Listing.Status.DELISTED)


@dataclass(frozen=True)
class Reading:
    at: datetime
    out: bool


def stock_outs(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Products with at least one stock-out day in the scope, the costliest first."""
    last_day = min(scope.date_to, timezone.localdate())
    open_days = _open_days(scope=scope, last_day=last_day)
    readings = _readings(product_ids=list(open_days), date_from=scope.date_from, date_to=last_day)
    revenue = _daily_revenue(scope=scope)
    titles = dict(Product.objects.filter(pk__in=open_days).values_list("pk", "title"))
    rows = []
    for product_id, days in open_days.items():
        out_days = {day for day in days if _out_during(readings.get(product_id, []), day)}
        if out_days:
            rows.append(_row(product_id, titles[product_id], days, out_days, revenue.get(product_id, {})))
    return sorted(rows, key=lambda row: (-row["estimated_lost_revenue"], row["product_id"]))


def _row(
    product_id: int, title: str, days: set[date], out_days: set[date], revenue: dict[date, Decimal]
) -> dict[str, Any]:
    in_stock = days - out_days
    earned = sum((revenue.get(day, Decimal(0)) for day in in_stock), Decimal(0))
    average = earned / len(in_stock) if in_stock else Decimal(0)
    return {
        "product_id": product_id,
        "title": title,
        "open_days": len(days),
        "stock_out_days": len(out_days),
        "in_stock_days": len(in_stock),
        "average_daily_revenue": average.quantize(CENT, ROUND_HALF_UP),
        "estimated_lost_revenue": (average * len(out_days)).quantize(CENT, ROUND_HALF_UP),
    }


def _open_days(*, scope: BusinessScope, last_day: date) -> dict[int, set[date]]:
    """Per product, the days of the range on which one of the user's listings of it was open."""
    days: dict[int, set[date]] = defaultdict(set)
    listings = user_listings(scope=scope).filter(published_at__isnull=False)
    for product_id, published_at, ended_at, status, changed_at in listings.values_list(
        "product_id", "published_at", "ended_at", "status", "status_changed_at"
    ):
        end = ended_at or (changed_at if status in CLOSED_STATUSES else None)
        first = max(scope.date_from, timezone.localdate(published_at))
        last = min(last_day, timezone.localdate(end)) if end else last_day
        days[product_id].update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return {product_id: product_days for product_id, product_days in days.items() if product_days}


def _readings(*, product_ids: list[int], date_from: date, date_to: date) -> dict[int, list[Reading]]:
    """Per product, the reading in force when the range began and every reading during it, oldest first."""
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    product_level = StockHistory.objects.filter(product_id__in=product_ids, variant__isnull=True)
    before = (
        product_level.filter(recorded_at__lt=start)
        .order_by("product_id", "-recorded_at")
        .distinct("product_id")
        .values_list("product_id", "recorded_at", "availability")
    )
    during = (
        product_level.filter(recorded_at__gte=start, recorded_at__lt=end)
        .order_by("product_id", "recorded_at")
        .values_list("product_id", "recorded_at", "availability")
    )
    readings: dict[int, list[Reading]] = defaultdict(list)
    for product_id, at, availability in [*before, *during]:
        readings[product_id].append(Reading(at=at, out=availability in OUT_OF_STOCK))
    return readings


def _out_during(readings: list[Reading], day: date) -> bool:
    """Out at any moment of the day: the reading in force at midnight, or any reading taken before the next one."""
    times = [reading.at for reading in readings]
    first = max(bisect_right(times, day_start(day)) - 1, 0)
    last = bisect_left(times, day_start(day + timedelta(days=1)))
    return any(reading.out for reading in readings[first:last])


def _daily_revenue(*, scope: BusinessScope) -> dict[int, dict[date, Decimal]]:
    rows = marketplace_data_for_scope(scope=scope).values("listing__product_id", "date").annotate(total=Sum("revenue"))
    revenue: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for row in rows:
        revenue[row["listing__product_id"]][row["date"]] = row["total"]
    return revenue
