"""Price and stock history of a product the user tracks, raw or bucketed by hour or day, with min, max and average.

History is appended only when a value changes, so a bucket holds the readings taken in it (buckets without a
reading are absent) and the averages are over readings, not over time. Only product-level rows (no variant) count.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Avg, Count, DecimalField, Max, Min, QuerySet
from django.db.models.functions import Trunc

from accounts.models import User
from analytics.business import CENT, day_start
from catalog.models import PriceHistory, StockHistory
from catalog.selectors import product_for_user

Resolution = Literal["raw", "hourly", "daily"]
TRUNC_KIND = {"hourly": "hour", "daily": "day"}


def product_history(
    *, user: User, product_id: int, resolution: Resolution, date_from: date, date_to: date
) -> dict[str, Any] | None:
    """The product's price and stock series over the days (inclusive); None when the user does not track it."""
    product = product_for_user(user=user, product_id=product_id)
    if product is None:
        return None
    start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
    prices = PriceHistory.objects.filter(
        product=product, variant__isnull=True, recorded_at__gte=start, recorded_at__lt=end, price__isnull=False
    )
    stock = StockHistory.objects.filter(
        product=product, variant__isnull=True, recorded_at__gte=start, recorded_at__lt=end
    )
    return {
        "product": {"id": product.pk, "title": product.title, "currency": product.currency},
        "resolution": resolution,
        "from": date_from,
        "to": date_to,
        "price": _series(prices, "price", resolution),
        "stock": _series(stock.filter(stock_quantity__isnull=False), "stock_quantity", resolution),
    }


def _average(field: str) -> Avg:
    return Avg(field, output_field=DecimalField(max_digits=20, decimal_places=4))


def _series(rows: QuerySet[Any], field: str, resolution: Resolution) -> dict[str, Any]:
    summary = rows.aggregate(min=Min(field), max=Max(field), avg=_average(field), readings=Count("id"))
    return {**_rounded(summary), "points": _points(rows, field, resolution)}


def _points(rows: QuerySet[Any], field: str, resolution: Resolution) -> list[dict[str, Any]]:
    if resolution == "raw":
        values = rows.order_by("recorded_at", "id").values_list("recorded_at", field)
        return [{"at": at, "min": value, "max": value, "avg": value, "readings": 1} for at, value in values]
    buckets = (
        rows.annotate(at=Trunc("recorded_at", TRUNC_KIND[resolution]))
        .values("at")
        .annotate(min=Min(field), max=Max(field), avg=_average(field), readings=Count("id"))
        .order_by("at")
    )
    return [_rounded(bucket) for bucket in buckets]


def _rounded(figures: dict[str, Any]) -> dict[str, Any]:
    average = figures["avg"]
    return {**figures, "avg": None if average is None else Decimal(average).quantize(CENT, ROUND_HALF_UP)}
