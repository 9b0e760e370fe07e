"""The dropshipper's own business figures, read from their `MarketplaceData`. Every read is scoped to one user.

Money is summed in one currency at a time (`BusinessScope.currency`): rows in other currencies are left out, never
converted. Margin is profit over revenue. Growth compares with the period of equal length just before.

Reads go to the rollups (`analytics.models.BusinessDay`, `ListingPeriod`, kept by a trigger on every
`MarketplaceData` write) so no query scans a long range of raw rows: totals, series and the per-store breakdown
sum `BusinessDay` (one row per store and day); per-listing and per-product breakdowns sum `ListingPeriod`: the
whole months of the range, then the whole ISO weeks, then the days left over (a year is at most about 32 rows per
listing). A scope narrowed to one listing or product reads `MarketplaceData` directly (a few rows a day).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from django.db import connection
from django.db.models import DateField, DecimalField, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone

from accounts.models import User
from analytics.models import BusinessDay, ListingPeriod
from catalog.models import Product
from listings.models import Listing, MarketplaceData
from marketplaces.models import StoreAccount

Interval = Literal["day", "week", "month"]
GroupBy = Literal["store", "listing", "product"]

CENT = Decimal("0.01")
MONEY_FIGURES = ("revenue", "cost", "fees", "refunds", "profit")
COUNT_FIGURES = ("orders", "units_sold", "views")
FIGURE_NAMES = (*MONEY_FIGURES, *COUNT_FIGURES)
GROWTH_FIGURES = ("revenue", "cost", "fees", "refunds", "profit", "orders", "units_sold")

# group: (key in MarketplaceData, key in the rollups, the model named, its name field)
GROUP_KEYS: dict[str, tuple[str, str, type[Any], str]] = {
    "store": ("listing__store_account_id", "store_account_id", StoreAccount, "name"),
    "listing": ("listing_id", "listing_id", Listing, "sku"),
    "product": ("listing__product_id", "product_id", Product, "title"),
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

    @property
    def reads_rollups(self) -> bool:
        """Narrowed to one listing or product, the raw rows are few; otherwise the rollups answer."""
        return self.listing_id is None and self.product_id is None

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


def business_days_for_scope(*, scope: BusinessScope) -> QuerySet[BusinessDay]:
    """The user's `BusinessDay` rollup rows of the scope (only for scopes that `reads_rollups`)."""
    rows = BusinessDay.objects.filter(
        user=scope.user, currency=scope.currency, date__gte=scope.date_from, date__lte=scope.date_to
    )
    if scope.store_id is not None:
        rows = rows.filter(store_account_id=scope.store_id)
    return rows


def _figure_rows(scope: BusinessScope) -> QuerySet[Any]:
    return business_days_for_scope(scope=scope) if scope.reads_rollups else marketplace_data_for_scope(scope=scope)


def figure_sums() -> dict[str, Any]:
    money = {
        name: Coalesce(Sum(name), Value(Decimal(0)), output_field=DecimalField(max_digits=20, decimal_places=2))
        for name in MONEY_FIGURES
    }
    counts = {name: Coalesce(Sum(name), Value(0), output_field=IntegerField()) for name in COUNT_FIGURES}
    return money | counts


def zero_figures() -> dict[str, Any]:
    return {name: Decimal("0.00") for name in MONEY_FIGURES} | dict.fromkeys(COUNT_FIGURES, 0)


def with_margin(figures: dict[str, Any]) -> dict[str, Any]:
    revenue = figures["revenue"]
    margin = (figures["profit"] * 100 / revenue).quantize(CENT, ROUND_HALF_UP) if revenue else None
    return {**figures, "margin_percent": margin}


def business_totals(*, scope: BusinessScope) -> dict[str, Any]:
    """Revenue, cost of goods, fees, refunds, profit, margin %, orders, units and views over the scope."""
    return with_margin(_figure_rows(scope).aggregate(**figure_sums()))


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
        _figure_rows(scope)
        .annotate(period=Trunc("date", interval, output_field=DateField()))
        .values("period")
        .annotate(**figure_sums())
        .order_by("period")
    )
    by_period = {row.pop("period"): row for row in rows}
    starts = period_starts(date_from=scope.date_from, date_to=scope.date_to, interval=interval)
    return [{"period": start, **with_margin(by_period.get(start) or zero_figures())} for start in starts]


def business_breakdown(
    *, scope: BusinessScope, group_by: GroupBy, order_by: str = "-revenue", limit: int | None = None
) -> list[dict[str, Any]]:
    """The figures per store, listing or product (`id`, `name`), sorted by `order_by` then id."""
    raw_key, rollup_key, model, name_field = GROUP_KEYS[group_by]
    if not scope.reads_rollups:
        groups = _grouped(marketplace_data_for_scope(scope=scope), raw_key)
    elif group_by == "store":
        groups = _grouped(business_days_for_scope(scope=scope), rollup_key)
    else:
        groups = _grouped_by_listing_periods(scope, rollup_key)
    field, descending = order_by.lstrip("-"), order_by.startswith("-")
    ordered = sorted(groups.items(), key=lambda item: (-item[1][field] if descending else item[1][field], item[0]))
    if limit is not None:
        ordered = ordered[:limit]
    names = dict(model.objects.filter(pk__in=[key for key, _ in ordered]).values_list("pk", name_field))
    return [with_margin({"id": key, "name": names.get(key, ""), **figures}) for key, figures in ordered]


def _grouped(rows: QuerySet[Any], key: str) -> dict[int, dict[str, Any]]:
    return {row.pop(key): row for row in rows.values(key).annotate(**figure_sums()).order_by()}


def _grouped_by_listing_periods(scope: BusinessScope, rollup_key: str) -> dict[int, dict[str, Any]]:
    return listing_period_sums(
        rollup_key=rollup_key,
        date_from=scope.date_from,
        date_to=scope.date_to,
        currency=scope.currency,
        user=scope.user,
        store_id=scope.store_id,
    )


def listing_period_sums(
    *,
    rollup_key: str,
    date_from: date,
    date_to: date,
    currency: str,
    user: User | None = None,
    store_id: int | None = None,
) -> dict[int, dict[str, Any]]:
    """The range's whole months, whole weeks and leftover days from `ListingPeriod`, summed per key in one
    statement (a user's, or every user's): a UNION ALL of one SELECT per span, each an index scan of
    `listing_period_user_idx` or `listing_period_span_idx` (an OR across spans would visit the heap)."""
    spans, leftovers = covering_spans(date_from=date_from, date_to=date_to)
    spans["day"] = [first + timedelta(days=n) for first, last in leftovers for n in range((last - first).days + 1)]
    parts, params = [], []
    for span, starts in spans.items():
        if not starts:
            continue
        periods = ListingPeriod.objects.filter(currency=currency, span=span, start__in=starts)
        if user is not None:
            periods = periods.filter(user=user)
        if store_id is not None:
            periods = periods.filter(store_account_id=store_id)
        sql, part_params = periods.values_list(rollup_key, *FIGURE_NAMES).query.sql_with_params()
        parts.append(sql)
        params.extend(part_params)
    money = [f"COALESCE(SUM({name}), 0)" for name in MONEY_FIGURES]
    counts = [f"CAST(COALESCE(SUM({name}), 0) AS bigint)" for name in COUNT_FIGURES]
    query = (
        f"SELECT {rollup_key}, {', '.join(money + counts)} "  # noqa: S608  (names are constants, values are params)
        f"FROM ({' UNION ALL '.join(parts)}) AS spans GROUP BY {rollup_key}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = cursor.fetchall()
    return {row[0]: _figures_of(row[1:]) for row in rows}


def _figures_of(values: tuple[Any, ...]) -> dict[str, Any]:
    """A row of sums as figures; SQLite sums decimals as floats, so money goes back to cents (a no-op for
    PostgreSQL's numeric sums)."""
    money = len(MONEY_FIGURES)
    cents = [Decimal(str(value)).quantize(CENT) for value in values[:money]]
    return dict(zip(FIGURE_NAMES, [*cents, *values[money:]], strict=True))


def covering_spans(*, date_from: date, date_to: date) -> tuple[dict[str, list[date]], list[tuple[date, date]]]:
    """Cover the range with whole calendar months, then whole ISO weeks in what is left, then single days.

    Returns the month and week starts (`{"month": [...], "week": [...]}`, spans without any left out) and the
    leftover day ranges (inclusive). A year costs at most 12 months, about 8 weeks and 12 days per listing.
    """
    spans: dict[str, list[date]] = {}
    rest = [(date_from, date_to)]
    for span in ("month", "week"):
        uncovered: list[tuple[date, date]] = []
        for first, last in rest:
            starts = _whole_periods(first, last, span)
            if not starts:
                uncovered.append((first, last))
                continue
            spans.setdefault(span, []).extend(starts)
            end = _next_period(starts[-1], span) - timedelta(days=1)
            if first < starts[0]:
                uncovered.append((first, starts[0] - timedelta(days=1)))
            if end < last:
                uncovered.append((end + timedelta(days=1), last))
        rest = uncovered
    return spans, rest


def _whole_periods(first: date, last: date, interval: Interval) -> list[date]:
    start = _truncate(first, interval)
    if start < first:
        start = _next_period(start, interval)
    starts = []
    while _next_period(start, interval) - timedelta(days=1) <= last:
        starts.append(start)
        start = _next_period(start, interval)
    return starts


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
