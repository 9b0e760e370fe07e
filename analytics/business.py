"""The dropshipper's own business figures, read from their `MarketplaceData`. Every read is scoped to one user.

Money is summed in one currency at a time (`BusinessScope.currency`): rows in other currencies are left out, never
converted. Margin is profit over revenue. Growth compares with the period of equal length just before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db.models import Count, DateField, DecimalField, IntegerField, Max, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from accounts.models import User
from listings.models import Listing, MarketplaceData

Interval = Literal["day", "week", "month"]
GroupBy = Literal["store", "listing", "product"]

CENT = Decimal("0.01")
MONEY_FIGURES = ("revenue", "cost", "fees", "refunds", "profit")
COUNT_FIGURES = ("orders", "units_sold", "views")
GROWTH_FIGURES = ("revenue", "cost", "fees", "refunds", "profit", "orders", "units_sold")

GROUP_KEYS: dict[str, tuple[str, str]] = {
    "store": ("listing__store_account_id", "listing__store_account__name"),
    "listing": ("listing_id", "listing__sku"),
    "product": ("listing__product_id", "listing__product__title"),
}


@dataclass(frozen=True)
class BusinessScope:
    """Whose figures, over which days (both inclusive), in which currency, narrowed to a store, listing, product."""

    user: User
    date_from: date
    date_to: date
    currency: str
    store_id: int | None = None
    listing_id: int | None = None
    product_id: int | None = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> BusinessScope:
        """The period of equal length that ends the day before this one starts."""
        return replace(
            self, date_from=self.date_from - timedelta(days=self.days), date_to=self.date_from - timedelta(1)
        )

    def params(self) -> dict[str, Any]:
        """Everything but the user, as JSON-friendly values (cache keys, CSV file names)."""
        return {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "currency": self.currency,
            "store": self.store_id,
            "listing": self.listing_id,
            "product": self.product_id,
        }


def marketplace_data_for_scope(*, scope: BusinessScope) -> QuerySet[MarketplaceData]:
    rows = MarketplaceData.objects.filter(
        listing__user=scope.user, currency=scope.currency, date__gte=scope.date_from, date__lte=scope.date_to
    )
    if scope.store_id is not None:
        rows = rows.filter(listing__store_account_id=scope.store_id)
    if scope.listing_id is not None:
        rows = rows.filter(listing_id=scope.listing_id)
    if scope.product_id is not None:
        rows = rows.filter(listing__product_id=scope.product_id)
    return rows


def _sums() -> dict[str, Any]:
    money = {
        name: Coalesce(Sum(name), Value(Decimal(0)), output_field=DecimalField(max_digits=20, decimal_places=2))
        for name in MONEY_FIGURES
    }
    counts = {name: Coalesce(Sum(name), Value(0), output_field=IntegerField()) for name in COUNT_FIGURES}
    return money | counts


def _zero_figures() -> dict[str, Any]:
    return {name: Decimal("0.00") for name in MONEY_FIGURES} | dict.fromkeys(COUNT_FIGURES, 0)


def _with_margin(figures: dict[str, Any]) -> dict[str, Any]:
    revenue = figures["revenue"]
    margin = (figures["profit"] * 100 / revenue).quantize(CENT, ROUND_HALF_UP) if revenue else None
    return {**figures, "margin_percent": margin}


def business_totals(*, scope: BusinessScope) -> dict[str, Any]:
    """Revenue, cost of goods, fees, refunds, profit, margin %, orders, units and views over the scope."""
    return _with_margin(marketplace_data_for_scope(scope=scope).aggregate(**_sums()))


def growth_percent(current: Decimal | int, previous: Decimal | int) -> Decimal | None:
    """Change against the previous period in %, two decimals; None when the previous period had nothing."""
    if not previous:
        return None
    return (Decimal(current - previous) * 100 / abs(Decimal(previous))).quantize(CENT, ROUND_HALF_UP)


def business_growth(*, current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Decimal | None]:
    growth = {name: growth_percent(current[name], previous[name]) for name in GROWTH_FIGURES}
    both = current["margin_percent"] is not None and previous["margin_percent"] is not None
    growth["margin_points"] = current["margin_percent"] - previous["margin_percent"] if both else None
    return growth


def period_starts(*, date_from: date, date_to: date, interval: Interval) -> Iterator[date]:
    """The start of every bucket that overlaps the range, as PostgreSQL's date_trunc names them (weeks on Monday)."""
    start = _truncate(date_from, interval)
    while start <= date_to:
        yield start
        start = _next_period(start, interval)


def _truncate(day: date, interval: Interval) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def _next_period(start: date, interval: Interval) -> date:
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start + timedelta(days=1)


def business_series(*, scope: BusinessScope, interval: Interval) -> list[dict[str, Any]]:
    """One point per day, week or month of the range, every figure summed; periods without sales are zeros."""
    rows = (
        marketplace_data_for_scope(scope=scope)
        .annotate(period=Trunc("date", interval, output_field=DateField()))
        .values("period")
        .annotate(**_sums())
        .order_by("period")
    )
    by_period = {row.pop("period"): row for row in rows}
    starts = period_starts(date_from=scope.date_from, date_to=scope.date_to, interval=interval)
    return [{"period": start, **_with_margin(by_period.get(start) or _zero_figures())} for start in starts]


def business_breakdown(
    *, scope: BusinessScope, group_by: GroupBy, order_by: str = "-revenue", limit: int | None = None
) -> list[dict[str, Any]]:
    """The figures per store, listing or product (`id`, `name`), sorted by `order_by` then id."""
    id_key, name_key = GROUP_KEYS[group_by]
    rows = (
        marketplace_data_for_scope(scope=scope).values(id_key, name_key).annotate(**_sums()).order_by(order_by, id_key)
    )
    if limit is not None:
        rows = rows[:limit]
    return [_with_margin({"id": row.pop(id_key), "name": row.pop(name_key), **row}) for row in rows]


def top_products(*, scope: BusinessScope, order: Literal["top", "bottom"], limit: int) -> list[dict[str, Any]]:
    """The products that made the most (top) or least (bottom) profit over the scope."""
    order_by = "-profit" if order == "top" else "profit"
    return business_breakdown(scope=scope, group_by="product", order_by=order_by, limit=limit)


def business_dashboard(*, scope: BusinessScope) -> dict[str, Any]:
    """Headline totals, the previous period and growth, the top 5 products and the daily series."""
    totals = business_totals(scope=scope)
    previous = business_totals(scope=scope.previous())
    return {
        **scope.params(),
        "totals": totals,
        "previous": previous,
        "growth": business_growth(current=totals, previous=previous),
        "top_products": top_products(scope=scope, order="top", limit=5),
        "series": business_series(scope=scope, interval="day"),
    }


def business_data_version(*, user: User) -> str:
    """Changes whenever the user's marketplace data does: the newest `updated_at` and the row count."""
    seen = MarketplaceData.objects.filter(listing__user=user).aggregate(latest=Max("updated_at"), rows=Count("id"))
    latest = seen["latest"].isoformat() if seen["latest"] else "none"
    return f"{latest}/{seen['rows']}"


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def user_listings(*, scope: BusinessScope) -> QuerySet[Listing]:
    listings = Listing.objects.filter(user=scope.user)
    if scope.store_id is not None:
        listings = listings.filter(store_account_id=scope.store_id)
    if scope.listing_id is not None:
        listings = listings.filter(pk=scope.listing_id)
    if scope.product_id is not None:
        listings = listings.filter(product_id=scope.product_id)
    return listings


def business_report(*, scope: BusinessScope, interval: Interval, group_by: GroupBy, order_by: str) -> dict[str, Any]:
    """Totals, previous period and growth, the breakdown per store, listing or product, and the series."""
    totals = business_totals(scope=scope)
    previous = business_totals(scope=scope.previous())
    return {
        **scope.params(),
        "interval": interval,
        "group_by": group_by,
        "totals": totals,
        "previous": previous,
        "growth": business_growth(current=totals, previous=previous),
        "breakdown": business_breakdown(scope=scope, group_by=group_by, order_by=order_by),
        "series": business_series(scope=scope, interval=interval),
    }
