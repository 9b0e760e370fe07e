"""The research reads that PostgreSQL answers in one statement each (sales by group, best-deal price profiles),
computed in Python from the same rollup rows on other databases: the embedded SQLite default of `make run`.

The figures are those of the PostgreSQL statements in `analytics.research` (tests hold the two equal). This path
reads every series of the scope and its rolled-up rows of a few boundary days, which suits a demo-sized catalogue,
not a marketplace-wide one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, Max, QuerySet

from catalog.models import HistoryDay, HistorySeries, Product
from catalog.rollups import SALES, day_begins, day_of

if TYPE_CHECKING:
    from analytics.research import Period

CUMULATIVE = tuple(f"cum_{name}" for name in SALES)
SeriesKey = tuple[int, int]
Figures = list[tuple[list[Any], bool]]


def sales_rows(
    products: QuerySet[Product], periods: list[Period], *, by: str, detail: str | None = None
) -> Iterator[tuple[Any, bool, Figures]]:
    """Rows as `analytics.research._sales_rows` yields them: per `by` key, each period's six sales figures and
    whether any series counted; with `detail`, also a row per (`by`, `detail`) key with the first period's."""
    totals: dict[Any, Figures] = {}
    details: dict[Any, Figures] = {}
    for series, figures in _series_sales(products, periods):
        key = series[by]
        _add(totals, (key, None) if detail else key, figures)
        if detail:
            _add(details, (key, series[detail]), figures[:1])
    for key, figures in totals.items():
        yield key, False, figures
    for key, figures in details.items():
        yield key, True, figures


def _add(groups: dict[Any, Figures], key: Any, figures: Figures) -> None:
    if key not in groups:
        groups[key] = [(list(values), counted) for values, counted in figures]
        return
    groups[key] = [
        ([total + value for total, value in zip(totals, values, strict=True)], any_counted or counted)
        for (totals, any_counted), (values, counted) in zip(groups[key], figures, strict=True)
    ]


def _series_sales(products: QuerySet[Product], periods: list[Period]) -> Iterator[tuple[dict[str, Any], Figures]]:
    """Each series with a stock history, and its sales in each period: its running totals at the end of the
    period's last day less those at the end of the day before its first, plus the newest reading's drop once
    confirmed (see `analytics.research.sales_by_periods`)."""
    days = sorted({day for period in periods for day in (period.last_day, period.first_day - timedelta(days=1))})
    series = list(
        HistorySeries.objects.filter(product__in=products, first_stock_at__isnull=False).values(
            "product_id",
            "variant_key",
            "drop_units",
            "drop_price",
            "drop_day",
            "stock_at",
            "price_at",
            "first_stock_at",
            *CUMULATIVE,
            last_seen=F("product__last_scraped_at"),
            seller_id=F("product__seller_id"),
            category_id=F("product__category_id"),
        )
    )
    skus_first: dict[int, datetime] = {}
    for row in series:
        if row["variant_key"] > 0:
            first = skus_first.get(row["product_id"])
            skus_first[row["product_id"]] = min(first, row["first_stock_at"]) if first else row["first_stock_at"]
    boundaries = {day: _totals_at(products, day) for day in days}
    for row in series:
        newest = day_of(max(at for at in (row["stock_at"], row["price_at"]) if at is not None))
        at = {day: _running(row, newest, day, boundaries[day]) for day in days}
        yield row, [_period_sales(row, period, at, skus_first.get(row["product_id"])) for period in periods]


def _totals_at(products: QuerySet[Product], day: date) -> dict[SeriesKey, tuple[Any, ...]]:
    """Each series' running totals at the end of `day`: its rolled-up row of that day, else its last before."""
    latest = (
        HistoryDay.objects.filter(product__in=products, day__lte=day)
        .values("product_id", "variant_key")
        .annotate(last=Max("day"))
        .order_by()
    )
    wanted = {(row["product_id"], row["variant_key"]): row["last"] for row in latest}
    rows = HistoryDay.objects.filter(product__in=products, day__in=set(wanted.values())).values_list(
        "product_id", "variant_key", "day", *CUMULATIVE
    )
    return {(product, key): tuple(sums) for product, key, day, *sums in rows if wanted[(product, key)] == day}


def _running(row: dict[str, Any], newest: date, day: date, totals: dict[SeriesKey, tuple[Any, ...]]) -> tuple[Any, ...]:
    if newest <= day:
        return tuple(row[name] for name in CUMULATIVE)
    return totals.get((row["product_id"], row["variant_key"]), (0, 0, 0, Decimal(0), Decimal(0), Decimal(0)))


def _period_sales(
    row: dict[str, Any], period: Period, at: dict[date, tuple[Any, ...]], skus_first: datetime | None
) -> tuple[list[Any], bool]:
    until = day_begins(period.last_day + timedelta(days=1))
    counted = row["variant_key"] > 0 or skus_first is None or skus_first >= until
    if not counted:
        return [0, 0, 0, Decimal(0), Decimal(0), Decimal(0)], False
    end, start = at[period.last_day], at[period.first_day - timedelta(days=1)]
    values = [later - earlier for later, earlier in zip(end, start, strict=True)]
    if _confirmed(row, period):
        values[SALES.index("units_low")] += row["drop_units"]
        values[SALES.index("revenue_low")] += row["drop_units"] * row["drop_price"]
    return values, True


def _confirmed(row: dict[str, Any], period: Period) -> bool:
    """The newest reading's drop falls in the period and the product was scraped again after it."""
    return (
        row["drop_units"] > 0
        and row["drop_day"] is not None
        and period.first_day <= row["drop_day"] <= period.last_day
        and row["last_seen"] is not None
        and row["last_seen"] > row["stock_at"]
    )


# --- best deals ------------------------------------------------------------------------------------


def deal_profiles(products: QuerySet[Product], period: Period) -> list[tuple[Any, ...]]:
    """Rows as the best-deals statement returns them: product id, price, all-time minimum, price × seconds and
    seconds up to now, the same within the period, and the price carried into the period."""
    series = HistorySeries.objects.filter(
        product__in=products, variant_key=0, first_price_at__isnull=False
    ).values_list("product_id", "product__price", "price_min", "price", "price_at", "price_area", "price_seconds")
    before = _last_rows_before(products, period.first_day)
    profiles = []
    for product_id, current, lowest, price, price_at, area, seconds in series:
        if price is not None and price_at is not None and price_at < period.until:
            open_seconds = _seconds_between(price_at, period.until)
            area, seconds = area + price * open_seconds, seconds + open_seconds
        recent_area, recent_seconds, carried = area, seconds, None
        if (row := before.get(product_id)) is not None:
            day, carried, area_end, seconds_end = row
            tail = 0 if carried is None else _seconds_between(day_begins(day + timedelta(days=1)), period.since)
            recent_area -= area_end + (carried or 0) * tail
            recent_seconds -= seconds_end + tail
        profiles.append((product_id, current, lowest, area, seconds, recent_area, recent_seconds, carried))
    return profiles


def _seconds_between(start: datetime, end: datetime) -> int:
    return max(0, math.floor((end - start).total_seconds()))


def _last_rows_before(products: QuerySet[Product], first_day: date) -> dict[int, tuple[Any, ...]]:
    """Each product's own last rolled-up day before `first_day`: its day, closing price and running price totals."""
    latest = (
        HistoryDay.objects.filter(product__in=products, variant_key=0, day__lt=first_day)
        .values("product_id")
        .annotate(last=Max("day"))
        .order_by()
    )
    wanted = {row["product_id"]: row["last"] for row in latest}
    rows = HistoryDay.objects.filter(product__in=products, variant_key=0, day__in=set(wanted.values())).values_list(
        "product_id", "day", "price_end", "price_area_end", "price_seconds_end"
    )
    return {product: (day, *rest) for product, day, *rest in rows if wanted[product] == day}
