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

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from analytics.business import CENT, BusinessScope, marketplace_data_for_scope, user_listings
from catalog.models import HistoryDay, Product
from listings.models import Listing

CLOSED_STATUSES = (Listing.Status.ENDED, Listing.Status.DELISTED)
# The days that saw a product out or left it out: the condition of the partial index `history_day_out_idx`.
OUT = Q(out_any=True) | Q(out_at_end=True)


Span = tuple[date, date]  # first and last day, inclusive


def stock_outs(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Products with at least one stock-out day in the scope, the costliest first."""
    last_day = min(scope.date_to, timezone.localdate())
    open_spans = _open_spans(scope=scope, last_day=last_day)
    sold = user_listings(scope=scope).filter(published_at__isnull=False).values("product_id")
    out = _out_days(products=sold, date_from=scope.date_from, date_to=last_day)
    out = {product_id: days for product_id, days in out.items() if product_id in open_spans}
    hit = {
        product_id: {day for day in days if _within(day, open_spans[product_id])} for product_id, days in out.items()
    }
    hit = {product_id: days for product_id, days in hit.items() if days}
    revenue = _daily_revenue(scope=scope, product_ids=list(hit))
    titles = dict(Product.objects.filter(pk__in=hit).values_list("pk", "title"))
    rows = [
        _row(product_id, titles[product_id], open_spans[product_id], out_days, revenue.get(product_id, {}))
        for product_id, out_days in hit.items()
    ]
    return sorted(rows, key=lambda row: (-row["estimated_lost_revenue"], row["product_id"]))


def _row(
    product_id: int, title: str, spans: list[Span], out_days: set[date], revenue: dict[date, Decimal]
) -> dict[str, Any]:
    open_days = sum((last - first).days + 1 for first, last in spans)
    in_stock = open_days - len(out_days)
    earned = sum((amount for day, amount in revenue.items() if day not in out_days and _within(day, spans)), Decimal(0))
    average = earned / in_stock if in_stock else Decimal(0)
    return {
        "product_id": product_id,
        "title": title,
        "open_days": open_days,
        "stock_out_days": len(out_days),
        "in_stock_days": in_stock,
        "average_daily_revenue": average.quantize(CENT, ROUND_HALF_UP),
        "estimated_lost_revenue": (average * len(out_days)).quantize(CENT, ROUND_HALF_UP),
    }


def _opened(days: set[date], spans: list[Span]) -> set[date]:
    return {day for day in days if _within(day, spans)}


def _within(day: date, spans: list[Span]) -> bool:
    return any(first <= day <= last for first, last in spans)


def _open_spans(*, scope: BusinessScope, last_day: date) -> dict[int, list[Span]]:
    """Per product, the spans of days of the range on which one of the user's listings of it was open (merged)."""
    spans: dict[int, list[Span]] = defaultdict(list)
    listings = user_listings(scope=scope).filter(published_at__isnull=False)
    for product_id, published_at, ended_at, status, changed_at in listings.values_list(
        "product_id", "published_at", "ended_at", "status", "status_changed_at"
    ):
        end = ended_at or (changed_at if status in CLOSED_STATUSES else None)
        first = max(scope.date_from, timezone.localdate(published_at))
        last = min(last_day, timezone.localdate(end)) if end else last_day
        if first <= last:
            spans[product_id].append((first, last))
    return {product_id: _merged(product_spans) for product_id, product_spans in spans.items()}


def _merged(spans: list[Span]) -> list[Span]:
    """Overlapping or touching spans as one."""
    merged: list[Span] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def _out_days(*, products: QuerySet[Any], date_from: date, date_to: date) -> dict[int, set[date]]:
    """Per product, the days of the range on which it was out of stock or unavailable at any moment.

    Reads only the days that saw it out or left it out, each with the next day that had stock readings (a state
    left out lasts until then), and, per product, the state carried in from before the range.
    """
    out: dict[int, set[date]] = defaultdict(set)
    for product_id, day, out_any, out_at_end, next_day in _flagged_days(products, date_from, date_to):
        if out_any:
            out[product_id].add(day)
        if out_at_end:
            _add_days(out[product_id], day + timedelta(days=1), next_day or date_to + timedelta(days=1))
    for product_id, first_reading in _carried_out(products, date_from, date_to).items():
        _add_days(out[product_id], date_from, first_reading or date_to + timedelta(days=1))
    return out


def _stocked() -> QuerySet[HistoryDay]:
    """Products' own (not SKUs') days with stock readings."""
    return HistoryDay.objects.filter(variant_key=0, stock_readings__gt=0)


def _flagged_days(products: QuerySet[Any], date_from: date, date_to: date) -> list[tuple[Any, ...]]:
    """(product, day, out_any, out_at_end, next day with readings) of the range's days that saw it out or left it
    out: a few rows through the partial index `history_day_out_idx`, each next day one probe of the series index."""
    following = _stocked().filter(product_id=OuterRef("product_id"), day__gt=OuterRef("day"), day__lte=date_to)
    following = following.order_by("day")
    flagged = _stocked().filter(OUT, product_id__in=products, day__gte=date_from, day__lte=date_to)
    flagged = flagged.annotate(next_day=Subquery(following.values("day")[:1]))
    return list(flagged.values_list("product_id", "day", "out_any", "out_at_end", "next_day"))


def _carried_out(products: QuerySet[Any], date_from: date, date_to: date) -> dict[int, date | None]:
    """The products whose last stock reading before the range left them out, each with its first day with readings
    in the range (None: none), where the carried state ends."""
    last_before = _stocked().filter(product_id=OuterRef("pk"), day__lt=date_from).order_by("-day")
    last_before = last_before.values("out_at_end")[:1]
    carried = Product.objects.filter(pk__in=products).annotate(was_out=Subquery(last_before)).filter(was_out=True)
    ids = list(carried.values_list("pk", flat=True))
    first = _stocked().filter(product_id__in=ids, day__gte=date_from, day__lte=date_to)
    first = first.values("product_id").annotate(first=Min("day"))
    firsts = {row["product_id"]: row["first"] for row in first.order_by()}
    return {product_id: firsts.get(product_id) for product_id in ids}


def _add_days(days: set[date], first: date, until: date) -> None:
    """The days from `first` up to (not including) `until`."""
    days.update(first + timedelta(days=n) for n in range((until - first).days))


def _daily_revenue(*, scope: BusinessScope, product_ids: list[int]) -> dict[int, dict[date, Decimal]]:
    """Per product (of those asked for), its revenue on each day of the range that had some."""
    rows = marketplace_data_for_scope(scope=scope).filter(listing__product_id__in=product_ids)
    totals = rows.values("listing__product_id", "date").annotate(total=Sum("revenue")).order_by()
    revenue: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for row in totals:
        revenue[row["listing__product_id"]][row["date"]] = row["total"]
    return revenue
