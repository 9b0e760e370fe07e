"""Price and stock history of a product the user tracks, raw or bucketed by hour or day, with min, max and average.

History is appended only when a value changes, so a bucket holds the readings taken in it (buckets without a
reading are absent) and the averages are over readings, not over time. The product's own rows count, or, asked for
one SKU (`variant`), that SKU's.
The daily series and every summary over whole days read the daily rollups (`HistoryDay`), never raw history;
raw and hourly points read the product's raw rows through its (product, time) index.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Avg, Count, DecimalField, Max, Min, QuerySet
from django.db.models.functions import Trunc

from accounts.models import User
from analytics.business import CENT, day_start
from catalog.models import HistoryDay, PriceHistory, ProductVariant, StockHistory
from catalog.rollups import day_begins
from catalog.selectors import product_for_user

Resolution = Literal["raw", "hourly", "daily"]
TRUNC_KIND = {"hourly": "hour", "daily": "day"}


class VariantNotFound(LookupError):
    """The product has no SKU of that id."""


def product_history(
    *,
    user: User,
    product_id: int,
    resolution: Resolution,
    date_from: date,
    date_to: date,
    variant_id: int | None = None,
) -> dict[str, Any] | None:
    """The product's (or one of its SKUs') price and stock series over the days (inclusive); None when the user
    does not track the product. Raises `VariantNotFound` for an SKU id that is not the product's."""
    product = product_for_user(user=user, product_id=product_id)
    if product is None:
        return None
    variant = None
    if variant_id is not None:
        variant = ProductVariant.objects.filter(product=product, pk=variant_id).first()
        if variant is None:
            raise VariantNotFound(f"Product {product_id} has no SKU {variant_id}.")
    key = variant.pk if variant else 0
    days = HistoryDay.objects.filter(product=product, variant_key=key, day__gte=date_from, day__lte=date_to)
    series = {"price": _daily_series(days, "price"), "stock": _daily_series(days, "stock")}
    if resolution != "daily":
        start, end = day_start(date_from), day_start(date_to + timedelta(days=1))
        raw = {"product": product, "variant": variant, "recorded_at__gte": start, "recorded_at__lt": end}
        prices = PriceHistory.objects.filter(**raw, price__isnull=False)
        stock = StockHistory.objects.filter(**raw, stock_quantity__isnull=False)
        series["price"]["points"] = _points(prices, "price", resolution)
        series["stock"]["points"] = _points(stock, "stock_quantity", resolution)
    return {
        "product": {"id": product.pk, "title": product.title, "currency": product.currency},
        "variant": {"id": variant.pk, "sku": variant.sku, "title": variant.title} if variant else None,
        "resolution": resolution,
        "from": date_from,
        "to": date_to,
        **series,
    }


def _daily_series(days: QuerySet[HistoryDay], name: str) -> dict[str, Any]:
    """Summary and daily points of `price` or `stock` from the rollups of the days that had readings of it."""
    count = f"{name}_count"
    rows = list(
        days.filter(**{f"{count}__gt": 0})
        .order_by("day")
        .values_list("day", f"{name}_min", f"{name}_max", f"{name}_sum", count)
    )
    points = [
        {"at": day_begins(day), "min": low, "max": high, "avg": _mean(total, readings), "readings": readings}
        for day, low, high, total, readings in rows
    ]
    readings = sum(row[4] for row in rows)
    return {
        "min": min((row[1] for row in rows), default=None),
        "max": max((row[2] for row in rows), default=None),
        "avg": _mean(sum(row[3] for row in rows), readings),
        "readings": readings,
        "points": points,
    }


def _mean(total: Decimal | int | None, count: int | None) -> Decimal | None:
    if not count or total is None:
        return None
    return (Decimal(total) / count).quantize(CENT, ROUND_HALF_UP)


def _average(field: str) -> Avg:
    return Avg(field, output_field=DecimalField(max_digits=20, decimal_places=4))


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
