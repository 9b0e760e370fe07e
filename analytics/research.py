"""Marketplace research reads over the shared catalog (catalogue-wide facts, not a customer's data).

Sellers, categories, price comparison, best deals and a stats overview, computed from `Product`,
`ProductVariant`, `Seller`, `Category` and the daily rollups of the SKU price and stock history (`HistoryDay`,
`HistorySeries`), so no read scans raw history over a long range. Sales and revenue are the estimates of
`analytics.research_sales` (drops in stock between readings, with a confidence range), rolled up by day.
Periods are whole calendar days (`TIME_ZONE`): "the last N days" is today and the N - 1 days before it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, ExpressionWrapper, F, Min, Q, QuerySet, Sum, Value
from django.db.models.aggregates import Aggregate
from django.db.models.fields import DurationField
from django.utils import timezone

from analytics import research_portable
from analytics.research_sales import SalesEstimate
from catalog.models import (
    Category,
    ChargedPrice,
    HistoryDay,
    PriceHistory,
    Product,
    ProductVariant,
    Seller,
    StockHistory,
)
from catalog.rollups import SALES, day_begins, day_of
from suppliers.models import Supplier
from suppliers.registry import research_sources

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SeriesKey = tuple[int, int | None]


@dataclass(frozen=True)
class Period:
    since: datetime  # the first day's midnight
    until: datetime

    @classmethod
    def last(cls, *, days: int, now: datetime | None = None) -> Period:
        until = now or timezone.now()
        last_day = day_of(until - timedelta(microseconds=1))
        return cls(since=day_begins(last_day - timedelta(days=days - 1)), until=until)

    @classmethod
    def between(cls, *, first_day: date, last_day: date, now: datetime | None = None) -> Period:
        """The whole days from `first_day` to `last_day`, or to now when the last day is today."""
        until = min(day_begins(last_day + timedelta(days=1)), now or timezone.now())
        return cls(since=day_begins(first_day), until=until)

    @property
    def first_day(self) -> date:
        return day_of(self.since)

    @property
    def last_day(self) -> date:
        return day_of(self.until - timedelta(microseconds=1))

    @property
    def previous(self) -> Period:
        """The same number of whole days just before."""
        days = (self.last_day - self.first_day).days + 1
        return Period(since=day_begins(self.first_day - timedelta(days=days)), until=self.since)


def _supplier_ids(supplier: str | None) -> list[int]:
    """The research marketplaces (`PluginMeta.research`), or the one asked for when it is one. Other suppliers'
    products are customers' private imports: research never reads them."""
    slugs = [slug for slug in research_sources() if not supplier or slug == supplier]
    return list(Supplier.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def _products(supplier: str | None) -> QuerySet[Product]:
    """The research catalogue, or one marketplace's: filtered by supplier id, so that the planner estimates the
    rows from the products' own statistics (a join on the slug looks like a small fraction of the catalogue and
    leads the sales statement into nested loops)."""
    ids = _supplier_ids(supplier)
    return Product.objects.filter(supplier_id=ids[0]) if len(ids) == 1 else Product.objects.filter(supplier_id__in=ids)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(CENT) if whole else None


def _growth(current: Decimal, previous: Decimal) -> Decimal | None:
    return _percent(current - previous, previous)


# --- sales -----------------------------------------------------------------------------------------


def sales_by_product(*, products: QuerySet[Product], period: Period) -> dict[int, SalesEstimate]:
    """Estimated sales of each product in the period, summed over its SKUs (see `sales_by_periods`)."""
    return sales_by_periods(products=products, periods=[period])[0]


def sales_by_periods(
    *, products: QuerySet[Product], periods: list[Period], by: str = "product_id"
) -> list[dict[Any, SalesEstimate]]:
    """Estimated sales in each period, summed by `by` (`product_id`, `seller_id` or `category_id`) over the
    products' SKUs, from the rollups' running totals.

    A product whose SKUs have stock history by the period's end is estimated from them; one without (a supplier
    that reads only the product) from its product-level history. A series' sales in a period are its running
    total at the end of the period's last day less the total at the end of the day before its first: the
    series' own total when it has no reading after that day, else its rolled-up row of that day (the day's rows
    sit together in the day index), else its last row before it. The drop in a series' newest reading counts as
    confirmed once the product was scraped again after it.
    """
    results: list[dict[Any, SalesEstimate]] = [{} for _ in periods]
    for key, _, figures in _sales_rows(products, periods, by=by):
        for result, (values, counted) in zip(results, figures, strict=True):
            if counted:
                result[key] = SalesEstimate(*values)
    return results


def category_seller_revenue(
    *, products: QuerySet[Product], periods: list[Period]
) -> tuple[list[dict[int, SalesEstimate]], dict[tuple[int, int], Decimal]]:
    """`sales_by_periods` by category, and each seller's estimated revenue per category in the first period."""
    totals: list[dict[int, SalesEstimate]] = [{} for _ in periods]
    revenue: dict[tuple[int, int], Decimal] = {}
    for (category_id, seller_id), detail, figures in _sales_rows(
        products, periods, by="category_id", detail="seller_id"
    ):
        if detail:
            values, counted = figures[0]
            if counted and seller_id is not None:
                revenue[(category_id, seller_id)] = values[SALES.index("revenue")]
            continue
        for result, (values, counted) in zip(totals, figures, strict=True):
            if counted:
                result[category_id] = SalesEstimate(*values)
    return totals, revenue


def _sales_rows(
    products: QuerySet[Product], periods: list[Period], *, by: str, detail: str | None = None
) -> Iterator[tuple[Any, bool, list[tuple[list[Any], bool]]]]:
    """Per `by` key, each period's six sales figures and whether any series counted; with `detail`, also a row per
    (`by`, `detail`) key carrying the first period's (flagged True)."""
    if connection.vendor != "postgresql":
        yield from research_portable.sales_rows(products, periods, by=by, detail=detail)
        return
    days = sorted({day for period in periods for day in (period.last_day, period.first_day - timedelta(days=1))})
    try:
        scope, scope_params = products.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # no research marketplace of that name
        return
    group = f"GROUPING SETS ((c.{by}), (c.{by}, c.{detail}))" if detail else f"c.{by}"
    keys = f"c.{by}, c.{detail}" if detail else group
    flag = f"GROUPING(c.{detail}) = 0" if detail else "false"
    sql = _sales_sql(scope, days, periods, group=group, keys=keys, flag=flag)
    with connection.cursor() as cursor:
        cursor.execute(sql, [settings.TIME_ZONE, *scope_params])
        rows = cursor.fetchall()
    width = len(SALES) + 1
    count = 2 if detail else 1
    for row in rows:
        key = tuple(row[:count]) if detail else row[0]
        is_detail, figures = row[count], row[count + 1 :]
        chunks = [figures[n * width : (n + 1) * width] for n in range(len(periods))]
        yield key, is_detail, [(list(chunk[:-1]), chunk[-1]) for chunk in chunks]


_SALES_SQL = """
WITH s AS (
    SELECT hs.product_id, hs.variant_key, hs.drop_units, hs.drop_price, hs.drop_day, hs.stock_at, hs.first_stock_at,
           hs.cum_units_low, hs.cum_units, hs.cum_units_high, hs.cum_revenue_low, hs.cum_revenue, hs.cum_revenue_high,
           p.last_scraped_at AS last_seen, p.seller_id, p.category_id,
           (GREATEST(hs.stock_at, hs.price_at) AT TIME ZONE %s)::date AS newest_day
    FROM catalog_historyseries hs JOIN catalog_product p ON p.id = hs.product_id
    WHERE hs.product_id IN ({scope}) AND hs.first_stock_at IS NOT NULL
),
skus AS (SELECT product_id, MIN(first_stock_at) AS first_at FROM s WHERE variant_key > 0 GROUP BY product_id),
per_series AS (
    SELECT c.product_id, c.seller_id, c.category_id, {columns}
    FROM s c
    LEFT JOIN skus ON skus.product_id = c.product_id
    {joins}
)
SELECT {keys}, {flag}, {totals}
FROM per_series c
GROUP BY {group}
"""
_BOUNDARY = """
LEFT JOIN LATERAL (  -- the series' row of that day: a day's rows sit together in the (day, product) index
    SELECT d.id, d.cum_units_low, d.cum_units, d.cum_units_high, d.cum_revenue_low, d.cum_revenue, d.cum_revenue_high
    FROM catalog_historyday d
    WHERE c.newest_day > {day} AND d.day = {day} AND d.product_id = c.product_id AND d.variant_key = c.variant_key
) b{n} ON true
LEFT JOIN LATERAL (  -- else its last row before
    SELECT d.id, d.cum_units_low, d.cum_units, d.cum_units_high, d.cum_revenue_low, d.cum_revenue, d.cum_revenue_high
    FROM catalog_historyday d
    WHERE b{n}.id IS NULL AND c.newest_day > {day} AND d.product_id = c.product_id
      AND d.variant_key = c.variant_key AND d.day < {day}
    ORDER BY d.day DESC LIMIT 1
) e{n} ON true
"""
# A product's own series counts unless one of its SKUs had stock history by the period's end.
_COUNTED = "(c.variant_key > 0 OR skus.first_at IS NULL OR skus.first_at >= {until})"
_CONFIRMED = "(c.drop_units > 0 AND c.drop_day BETWEEN {first} AND {last} AND c.last_seen > c.stock_at)"
_PENDING = {"units_low": "c.drop_units", "revenue_low": "c.drop_units * c.drop_price"}


def _sales_sql(scope: str, days: list[date], periods: list[Period], *, group: str, keys: str, flag: str) -> str:
    """One row per group: for each period, its six sales figures and whether any of its series counted. Rows
    where `flag` holds (a detail grouping) carry only the first period's revenue and whether it counted.

    Days and times are written as literals of `date` and `datetime` values (never text from a request).
    """
    joins = [_BOUNDARY.format(n=n, day=_date(day)) for n, day in enumerate(days)]
    columns, totals = [], []
    for index, period in enumerate(periods):
        end, start = days.index(period.last_day), days.index(period.first_day - timedelta(days=1))
        until = day_begins(period.last_day + timedelta(days=1)).isoformat()
        counted = _COUNTED.format(until=f"TIMESTAMPTZ '{until}'")
        confirmed = _CONFIRMED.format(first=_date(period.first_day), last=_date(period.last_day))
        columns.append(f"{counted} AS counted_{index}")
        for name in SALES:
            change = f"{_at(end, days[end], name)} - {_at(start, days[start], name)}"
            if name in _PENDING:
                change += f" + CASE WHEN {confirmed} THEN {_PENDING[name]} ELSE 0 END"
            columns.append(f"CASE WHEN {counted} THEN {change} ELSE 0 END AS {name}_{index}")
            total = f"SUM({name}_{index})"
            totals.append(total if index == 0 and name == "revenue" else f"CASE WHEN {flag} THEN NULL ELSE {total} END")
        counted_total = f"bool_or(counted_{index})"
        totals.append(counted_total if index == 0 else f"CASE WHEN {flag} THEN NULL ELSE {counted_total} END")
    return _SALES_SQL.format(
        scope=scope,
        columns=", ".join(columns),
        joins="".join(joins),
        group=group,
        keys=keys,
        flag=flag,
        totals=", ".join(totals),
    )


def _date(day: date) -> str:
    return f"DATE '{day.isoformat()}'"


def _at(n: int, day: date, name: str) -> str:
    """A series' running total `name` at the end of boundary day `n`."""
    current = f"COALESCE(b{n}.cum_{name}, e{n}.cum_{name}, 0)"
    return f"(CASE WHEN c.newest_day <= {_date(day)} THEN c.cum_{name} ELSE {current} END)"


def _sales_figures(current: SalesEstimate, previous: SalesEstimate) -> dict[str, Any]:
    return {
        **current.as_dict(),
        "previous_revenue": previous.revenue,
        "growth_pct": _growth(current.revenue, previous.revenue),
    }


# --- sellers ---------------------------------------------------------------------------------------


def research_sellers(
    *,
    supplier: str | None = None,
    days: int = 30,
    limit: int = 50,
    now: datetime | None = None,
    period: Period | None = None,
) -> list[dict[str, Any]]:
    """Sellers by estimated revenue in the last `days` (or `period`): assortment, SKUs, rating, revenue, growth."""
    period = period or Period.last(days=days, now=now)
    products = _products(supplier).filter(seller__isnull=False)
    current, previous = sales_by_periods(products=products, periods=[period, period.previous], by="seller_id")
    sellers = Seller.objects.filter(pk__in=products.order_by().values("seller_id")).annotate(
        assortment=Count("products", filter=Q(products__is_gone=False), distinct=True),
        skus=Count("products__variants", filter=Q(products__variants__is_active=True), distinct=True),
    )
    product_ratings = _review_weighted_ratings(products)
    rows = [
        {
            "id": seller.pk,
            "external_id": seller.external_id,
            "name": seller.name,
            "rating": seller.rating,
            "products_rating": product_ratings.get(seller.pk),
            "review_count": seller.review_count,
            "orders_count": seller.orders_count,
            "assortment": seller.assortment,
            "skus": seller.skus,
            **_sales_figures(current.get(seller.pk, SalesEstimate()), previous.get(seller.pk, SalesEstimate())),
        }
        for seller in sellers
    ]
    rows.sort(key=lambda row: (-row["revenue"], -row["assortment"], row["id"]))
    return rows[:limit]


def _review_weighted_ratings(products: QuerySet[Product]) -> dict[int, Decimal]:
    """Each seller's product rating, averaged with each product weighing as many reviews as it has."""
    rated = products.filter(rating__isnull=False, review_count__gt=0).values("seller_id")
    totals = rated.annotate(points=Sum(F("rating") * F("review_count")), reviews=Sum("review_count"))
    return {row["seller_id"]: (row["points"] / row["reviews"]).quantize(CENT) for row in totals}


# --- categories ------------------------------------------------------------------------------------


def research_categories(
    *,
    supplier: str | None = None,
    parent: int | None = None,
    days: int = 30,
    top: int = 3,
    limit: int = 100,
    now: datetime | None = None,
    period: Period | None = None,
) -> list[dict[str, Any]]:
    """Categories (each counting its subcategories' products) by estimated revenue in the last `days` (or
    `period`).

    `parent` narrows to that category's direct children. Top sellers carry their share of the category's
    estimated revenue.
    """
    period = period or Period.last(days=days, now=now)
    categories = Category.objects.filter(supplier_id__in=_supplier_ids(supplier))
    lineages = _lineages(dict(categories.values_list("pk", "parent_id")))
    products = _products(supplier).filter(category__isnull=False)
    (current, previous), revenue = category_seller_revenue(products=products, periods=[period, period.previous])
    stats: dict[int, _CategoryStats] = defaultdict(_CategoryStats)
    on_sale = products.filter(is_gone=False).values_list("category_id", "seller_id").annotate(count=Count("pk"))
    for category_id, seller_id, count in on_sale.order_by():
        for ancestor in lineages.get(category_id, [category_id]):
            stats[ancestor].take(seller_id, count)
    for category_id in current.keys() | previous.keys():
        for ancestor in lineages.get(category_id, [category_id]):
            stats[ancestor].current.add(current.get(category_id, SalesEstimate()))
            stats[ancestor].previous.add(previous.get(category_id, SalesEstimate()))
    for (category_id, seller_id), amount in revenue.items():
        for ancestor in lineages.get(category_id, [category_id]):
            stats[ancestor].sellers[seller_id] += amount
    shown = categories.filter(parent_id=parent) if parent is not None else categories
    seller_names = dict(Seller.objects.filter(pk__in={seller for _, seller in revenue}).values_list("pk", "name"))
    rows = [_category_row(category, stats.get(category.pk, _CategoryStats()), seller_names, top) for category in shown]
    rows.sort(key=lambda row: (-row["revenue"], -row["size"], row["path"]))
    return rows[:limit]


@dataclass
class _CategoryStats:
    size: int = 0

    def __post_init__(self) -> None:
        self.current = SalesEstimate()
        self.previous = SalesEstimate()
        self.sellers: dict[int, Decimal] = defaultdict(Decimal)
        self.seller_ids: set[int] = set()

    def take(self, seller_id: int | None, products: int) -> None:
        """Count a seller's products on sale (one gone since still brings the sales it made while it was on sale)."""
        self.size += products
        if seller_id is not None:
            self.seller_ids.add(seller_id)


def _lineages(parent_of: dict[int, int | None]) -> dict[int, list[int]]:
    """Each category's lineage: itself, then its ancestors."""
    return {category_id: _lineage(category_id, parent_of) for category_id in parent_of}


def _lineage(category_id: int, parent_of: dict[int, int | None]) -> list[int]:
    """The category and its ancestors (a cycle in bad data stops the walk)."""
    lineage: list[int] = []
    node: int | None = category_id
    while node is not None and node not in lineage:
        lineage.append(node)
        node = parent_of.get(node)
    return lineage


def _category_row(category: Category, stats: _CategoryStats, names: dict[int, str], top: int) -> dict[str, Any]:
    leaders = sorted(stats.sellers.items(), key=lambda item: (-item[1], item[0]))[:top]
    return {
        "id": category.pk,
        "external_id": category.external_id,
        "name": category.name,
        "path": category.path,
        "level": category.level,
        "parent_id": category.parent_id,
        "size": stats.size,
        "sellers": len(stats.seller_ids),
        **_sales_figures(stats.current, stats.previous),
        "top_sellers": [
            {
                "id": seller_id,
                "name": names.get(seller_id, ""),
                "revenue": amount,
                "share_pct": _percent(amount, stats.current.revenue),
            }
            for seller_id, amount in leaders
        ],
    }


# --- price comparison ------------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


def normalized_title(title: str) -> str:
    """A matching key for titles: case, punctuation and spacing do not matter."""
    return " ".join(_NOT_WORD.sub(" ", title.casefold()).split())


def research_price_comparison(
    *,
    supplier: str | None = None,
    query: str = "",
    category: int | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The same product offered by several sellers: grouped by the supplier's parent id when it has one,
    else by normalized title (and currency); each group with its cheapest offer and the spread."""
    products = _products(supplier).filter(is_gone=False, price__isnull=False).exclude(title="")
    if query:
        products = products.filter(title__icontains=query)
    if category is not None:
        products = products.filter(Q(category_id=category) | Q(category__parent_id=category))
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    fields = ("id", "supplier_id", "external_id", "parent_external_id", "title", "url", "price", "currency")
    for offer in products.values(*fields, "seller_id", seller_name=F("seller__name")):
        groups[_match_key(offer)].append(offer)
    rows = [_comparison_row(key, offers) for key, offers in groups.items() if _sellers(offers) > 1]
    rows.sort(key=lambda row: (-row["spread_pct"], row["title"]))
    return rows[:limit]


def _match_key(offer: dict[str, Any]) -> tuple[str, ...]:
    if offer["parent_external_id"]:
        return ("parent", str(offer["supplier_id"]), offer["parent_external_id"], offer["currency"])
    return ("title", normalized_title(offer["title"]), offer["currency"])


def _sellers(offers: list[dict[str, Any]]) -> int:
    return len({offer["seller_id"] or f"product:{offer['id']}" for offer in offers})


def _comparison_row(key: tuple[str, ...], offers: list[dict[str, Any]]) -> dict[str, Any]:
    offers = sorted(offers, key=lambda offer: (offer["price"], offer["id"]))
    cheapest, dearest = offers[0], offers[-1]
    spread = dearest["price"] - cheapest["price"]
    return {
        "match": key[0],
        "key": key[-2],
        "title": cheapest["title"],
        "currency": cheapest["currency"],
        "offers": len(offers),
        "sellers": _sellers(offers),
        "min_price": cheapest["price"],
        "max_price": dearest["price"],
        "spread": spread,
        "spread_pct": _percent(spread, cheapest["price"]) or Decimal(0),
        "cheapest": _offer(cheapest),
        "all_offers": [_offer(offer) for offer in offers],
    }


def _offer(offer: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": offer["id"],
        "external_id": offer["external_id"],
        "seller_id": offer["seller_id"],
        "seller": offer["seller_name"] or "",
        "price": offer["price"],
        "url": offer["url"],
    }


# --- best deals ------------------------------------------------------------------------------------


def research_best_deals(
    *,
    supplier: str | None = None,
    days: int = 30,
    min_discount_pct: Decimal = Decimal(0),
    limit: int = 50,
    now: datetime | None = None,
    period: Period | None = None,
) -> list[dict[str, Any]]:
    """Products priced below their own time-weighted average of the last `days` (or `period`), biggest discount
    first.

    Each carries its `days` and all-time minimum and average, and `inflated_was_price`: the crossed-out
    list price is above the price but was never actually charged in the product's recorded history.
    The averages come from the running price × time totals of the rollups: the series' total now, less its
    total when the period began (the last rolled-up day before it, its closing price carried to midnight).
    """
    period = period or Period.last(days=days, now=now)
    products = _products(supplier).filter(is_gone=False, price__isnull=False)
    deals = []
    for product_id, price, lowest, area, seconds, recent_area, recent_seconds, carried in _deal_profiles(
        products, period
    ):
        if seconds <= 0 or recent_seconds <= 0:
            continue
        recent = (recent_area / recent_seconds).quantize(CENT)
        discount = _percent(recent - price, recent) or Decimal(0)
        if discount > min_discount_pct:
            deals.append((discount, product_id, recent, (area / seconds).quantize(CENT), lowest, carried))
    deals.sort(key=lambda deal: (-deal[0], deal[1]))
    return _deal_rows(deals[:limit], period=period)


_DEALS_SQL = """
WITH x AS (SELECT %s::timestamptz AS until, %s::timestamptz AS since, %s::date AS first_day, %s::text AS tz),
profile AS (
    SELECT hs.product_id, p.price, hs.price_min,
           hs.price_area + CASE WHEN hs.price IS NOT NULL AND hs.price_at < x.until
               THEN hs.price * floor(extract(epoch FROM x.until - hs.price_at)) ELSE 0 END AS area,
           hs.price_seconds + CASE WHEN hs.price IS NOT NULL AND hs.price_at < x.until
               THEN floor(extract(epoch FROM x.until - hs.price_at)) ELSE 0 END AS seconds,
           COALESCE(eve.price_end, b.price_end) AS price_end,
           COALESCE(eve.price_area_end, b.price_area_end) AS price_area_end,
           COALESCE(eve.price_seconds_end, b.price_seconds_end) AS price_seconds_end,
           COALESCE(CASE WHEN eve.id IS NOT NULL THEN 0 END, b.tail) AS tail
    FROM catalog_historyseries hs
    JOIN catalog_product p ON p.id = hs.product_id
    CROSS JOIN x
    LEFT JOIN catalog_historyday eve  -- the day before the period, when the series has a row for it
        ON eve.product_id = hs.product_id AND eve.variant_key = 0 AND eve.day = x.first_day - 1
    LEFT JOIN LATERAL (  -- else its last rolled-up day before, the closing price carried to the start
        SELECT d.price_end, d.price_area_end, d.price_seconds_end,
               CASE WHEN d.price_end IS NULL THEN 0 ELSE GREATEST(0, floor(extract(epoch FROM
                   x.since - ((d.day + 1)::timestamp AT TIME ZONE x.tz)))) END AS tail
        FROM catalog_historyday d
        WHERE eve.id IS NULL AND d.product_id = hs.product_id AND d.variant_key = 0 AND d.day < x.first_day
        ORDER BY d.day DESC LIMIT 1
    ) b ON true
    WHERE hs.variant_key = 0 AND hs.first_price_at IS NOT NULL AND hs.product_id IN ({scope})
)
SELECT product_id, price, price_min, area, seconds,
       area - COALESCE(price_area_end + COALESCE(price_end, 0) * tail, 0),
       seconds - COALESCE(price_seconds_end + tail, 0),
       price_end
FROM profile
"""


def _deal_profiles(products: QuerySet[Product], period: Period) -> list[tuple[Any, ...]]:
    if connection.vendor != "postgresql":
        return research_portable.deal_profiles(products, period)
    try:
        scope, scope_params = products.values("pk").query.sql_with_params()
    except EmptyResultSet:  # no research marketplace of that name
        return []
    params = [period.until, period.since, period.first_day, settings.TIME_ZONE]
    with connection.cursor() as cursor:
        cursor.execute(_DEALS_SQL.format(scope=scope), [*params, *scope_params])
        return cursor.fetchall()


def _deal_rows(deals: list[tuple[Any, ...]], *, period: Period) -> list[dict[str, Any]]:
    products = Product.objects.select_related("seller").in_bulk([deal[1] for deal in deals])
    rows = []
    for discount, product_id, recent, overall, lowest, carried in deals:
        product = products[product_id]
        was = product.list_price
        rows.append(
            {
                "product_id": product.pk,
                "external_id": product.external_id,
                "title": product.title,
                "seller": product.seller.name if product.seller else "",
                "currency": product.currency,
                "price": product.price,
                "list_price": was,
                "min_recent": carried,
                "avg_recent": recent,
                "min_all_time": lowest,
                "avg_all_time": overall,
                "discount_pct": discount,
                "is_all_time_low": product.price <= lowest,
                "claimed_discount_pct": _percent(was - product.price, was) if was and was > product.price else None,
                "inflated_was_price": bool(was and was > product.price),
            }
        )
    _complete_deals(rows, period=period)
    return rows


def _complete_deals(deals: list[dict[str, Any]], *, period: Period) -> None:
    """The period's lowest price, and whether a claimed "was" price was ever charged, for the deals shown."""
    ids = [deal["product_id"] for deal in deals]
    lows = dict(
        HistoryDay.objects.filter(product_id__in=ids, variant_key=0, day__gte=period.first_day, price_count__gt=0)
        .values("product_id")
        .annotate(low=Min("price_min"))
        .values_list("product_id", "low")
    )
    claimed = {(deal["product_id"], deal["list_price"]) for deal in deals if deal["inflated_was_price"]}
    charged = set(
        ChargedPrice.objects.filter(
            product_id__in={product_id for product_id, _ in claimed},
            variant_key=0,
            price__in={price for _, price in claimed},
        ).values_list("product_id", "price")
    )
    for deal in deals:
        candidates = [p for p in (lows.get(deal["product_id"]), deal["min_recent"]) if p is not None]
        deal["min_recent"] = min(candidates) if candidates else deal["price"]
        claim = (deal["product_id"], deal["list_price"])
        deal["inflated_was_price"] = deal["inflated_was_price"] and claim not in charged


# --- stats -----------------------------------------------------------------------------------------


class _Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _median_age(scraped: QuerySet[Product], *, now: datetime) -> dict[str, timedelta | None]:
    """The median time since the last scrape: PERCENTILE_CONT on PostgreSQL, in Python elsewhere (SQLite)."""
    if connection.vendor == "postgresql":
        age = ExpressionWrapper(Value(now) - F("last_scraped_at"), output_field=DurationField())
        return scraped.aggregate(median=_Median(age))
    ages = sorted(now - at for at in scraped.values_list("last_scraped_at", flat=True))
    if not ages:
        return {"median": None}
    middle = len(ages) // 2
    return {"median": ages[middle] if len(ages) % 2 else (ages[middle - 1] + ages[middle]) / 2}


def research_stats(*, supplier: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """How much of the marketplace is collected and how fresh it is."""
    now = now or timezone.now()
    products = _products(supplier)
    day_ago = now - timedelta(days=1)
    scraped = products.filter(last_scraped_at__isnull=False)
    ages = _median_age(scraped, now=now)
    oldest = scraped.order_by("last_scraped_at").values_list("last_scraped_at", flat=True).first()
    sellers = Seller.objects.filter(supplier_id__in=_supplier_ids(supplier))
    categories = Category.objects.filter(supplier_id__in=_supplier_ids(supplier))
    return {
        "products": products.count(),
        "products_gone": products.filter(is_gone=True).count(),
        "skus": ProductVariant.objects.filter(product__in=products).count(),
        "sellers": sellers.count(),
        "categories": categories.count(),
        "price_readings_last_day": PriceHistory.objects.filter(product__in=products, recorded_at__gte=day_ago).count(),
        "stock_readings_last_day": StockHistory.objects.filter(product__in=products, recorded_at__gte=day_ago).count(),
        "oldest_scrape_age_seconds": int((now - oldest).total_seconds()) if oldest else None,
        "median_scrape_age_seconds": int(ages["median"].total_seconds()) if ages["median"] is not None else None,
    }
