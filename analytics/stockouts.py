"""Stock-out days of the products a user sells, and the revenue they likely cost.

A day counts for a product while one of the user's listings of it was open: from `published_at` to `ended_at`
(a listing never published never sold). An open day is a stock-out day when the product's own stock readings
(`StockHistory` rows without a variant) show it out of stock or unavailable at any moment of that day: the reading
in force when the day began, or one taken during it. The revenue lost is the product's average revenue on its
open in-stock days times its stock-out days.

It reads the daily rollups, not raw history: a day with stock readings has `out_any`; a day without carries
`out_at_end` of the last day before it that had some.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Max, Q, Sum
from django.utils import timezone

from analytics.business import CENT, BusinessScope, marketplace_data_for_scope, user_listings
from catalog.models import HistoryDay, Product
from listings.models import Listing

CLOSED_STATUSES = (Listing.Status.ENDED, Listing.Status.DELISTED)


def stock_outs(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Products with at least one stock-out day in the scope, the costliest first."""
    last_day = min(scope.date_to, timezone.localdate())
    open_days = _open_days(scope=scope, last_day=last_day)
    out = _out_days(product_ids=list(open_days), date_from=scope.date_from, date_to=last_day)
    revenue = _daily_revenue(scope=scope)
    titles = dict(Product.objects.filter(pk__in=open_days).values_list("pk", "title"))
    rows = []
    for product_id, days in open_days.items():
        out_days = days & out.get(product_id, set())
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


def _out_days(*, product_ids: list[int], date_from: date, date_to: date) -> dict[int, set[date]]:
    """Per product, the days of the range on which it was out of stock or unavailable at any moment."""
    stocked = HistoryDay.objects.filter(product_id__in=product_ids, variant_key=0, stock_readings__gt=0)
    last_before = stocked.filter(day__lt=date_from).values("product_id").annotate(day=Max("day"))
    carried = Q(pk__in=[])
    for row in last_before:
        carried |= Q(product_id=row["product_id"], day=row["day"])
    rows = stocked.filter(carried | Q(day__gte=date_from, day__lte=date_to)).order_by("product_id", "day")
    out: dict[int, set[date]] = defaultdict(set)
    state: dict[int, tuple[date, bool]] = {}
    for product_id, day, out_any, out_at_end in rows.values_list("product_id", "day", "out_any", "out_at_end"):
        if product_id in state:
            _carry(out[product_id], state[product_id], until=day, first=date_from)
        if out_any and day >= date_from:
            out[product_id].add(day)
        state[product_id] = (day, out_at_end)
    for product_id, last in state.items():
        _carry(out[product_id], last, until=date_to + timedelta(days=1), first=date_from)
    return out


def _carry(days: set[date], last: tuple[date, bool], *, until: date, first: date) -> None:
    """The days after `last` and before `until` had no stock reading: out if the last reading left it out."""
    day, was_out = last
    if not was_out:
        return
    start = max(day + timedelta(days=1), first)
    days.update(start + timedelta(days=n) for n in range((until - start).days))


def _daily_revenue(*, scope: BusinessScope) -> dict[int, dict[date, Decimal]]:
    rows = marketplace_data_for_scope(scope=scope).values("listing__product_id", "date").annotate(total=Sum("revenue"))
    revenue: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for row in rows:
        revenue[row["listing__product_id"]][row["date"]] = row["total"]
    return revenue
