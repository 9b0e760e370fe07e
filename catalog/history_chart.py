"""A product's price and stock day by day, for the chart on its admin page.

History is appended only when a value changes, so a day without a reading kept the value in force before it. Each
day therefore starts from the previous day's close: its low and high cover that opening value and the day's readings,
its close is the last reading (or the opening value). Only product-level rows (no variant) in the product's currency
count. A stock reading without a quantity counts as 0 when the product was out of stock or unavailable.
Three queries per series, whatever the history's length: the value in force at the start, per-day low and high, and
per-day last reading, each through the (product, recorded_at) index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, F, IntegerField, Max, Min, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from catalog.models import Availability, PriceHistory, Product, StockHistory

CHART_DAYS = 90
OUT = (Availability.OUT_OF_STOCK, Availability.UNAVAILABLE)


@dataclass(frozen=True)
class DailyValue:
    day: date
    low: Any
    high: Any
    close: Any


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def product_price_rows(*, product: Product) -> QuerySet[PriceHistory]:
    rows = PriceHistory.objects.filter(product=product, variant__isnull=True, price__isnull=False)
    return rows.filter(currency=product.currency) if product.currency else rows


def product_stock_rows(*, product: Product) -> QuerySet[StockHistory]:
    """Stock readings with `units`: the quantity, 0 when out of stock without one, else None."""
    units = Case(
        When(stock_quantity__isnull=False, then=F("stock_quantity")),
        When(availability__in=OUT, then=Value(0)),
        default=None,
        output_field=IntegerField(),
    )
    return StockHistory.objects.filter(product=product, variant__isnull=True).annotate(units=units)


def daily_values(*, rows: QuerySet[Any], field: str, date_from: date, date_to: date) -> list[DailyValue]:
    """One value per day of the range (inclusive): low, high and close, carrying the value in force forward."""
    start, end = _day_start(date_from), _day_start(date_to + timedelta(days=1))
    ordering = ("-recorded_at", "-id")
    opening = rows.filter(recorded_at__lt=start).order_by(*ordering).values_list(field, flat=True).first()
    in_range = rows.filter(recorded_at__gte=start, recorded_at__lt=end).annotate(day=TruncDate("recorded_at"))
    extremes = {
        row["day"]: row
        for row in in_range.filter(**{f"{field}__isnull": False})
        .values("day")
        .annotate(low=Min(field), high=Max(field))
        .order_by()
    }
    # Oldest first, so each day keeps its last reading (portable: no DISTINCT ON, and a product has few a day).
    closes = dict(in_range.order_by("recorded_at", "id").values_list("day", field))
    values, current, day = [], opening, date_from
    while day <= date_to:
        known = [
            v for v in (current, extremes.get(day, {}).get("low"), extremes.get(day, {}).get("high")) if v is not None
        ]
        current = closes.get(day, current)
        values.append(DailyValue(day=day, low=min(known, default=None), high=max(known, default=None), close=current))
        day += timedelta(days=1)
    return values


def product_daily_history(
    *, product: Product, days: int = CHART_DAYS, today: date | None = None
) -> dict[str, list[DailyValue]]:
    """The last `days` days up to today: `price` and `stock` (units), one `DailyValue` per day."""
    date_to = today or timezone.localdate()
    date_from = date_to - timedelta(days=days - 1)
    return {
        "price": daily_values(
            rows=product_price_rows(product=product), field="price", date_from=date_from, date_to=date_to
        ),
        "stock": daily_values(
            rows=product_stock_rows(product=product), field="units", date_from=date_from, date_to=date_to
        ),
    }
