"""Marketplace research reads over the shared catalog (catalogue-wide facts, not a customer's data).

Sellers, categories, price comparison, best deals and a stats overview, computed from `Product`,
`ProductVariant`, `Seller`, `Category` and the SKU price and stock history. Sales and revenue are the
estimates of `analytics.research_sales` (drops in stock between readings, with a confidence range).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value
from django.db.models.aggregates import Aggregate
from django.db.models.fields import DurationField
from django.utils import timezone

from analytics.research_sales import PriceReading, SalesEstimate, StockReading, estimate_sales
from catalog.models import Category, PriceHistory, Product, ProductVariant, Seller, StockHistory

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
SeriesKey = tuple[int, int | None]


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime

    @classmethod
    def last(cls, *, days: int, now: datetime | None = None) -> Period:
        until = now or timezone.now()
        return cls(since=until - timedelta(days=days), until=until)

    @property
    def previous(self) -> Period:
        return Period(since=self.since - (self.until - self.since), until=self.since)


def _products(supplier: str | None) -> QuerySet[Product]:
    products = Product.objects.all()
    return products.filter(supplier__slug=supplier) if supplier else products


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part * HUNDRED / whole).quantize(CENT) if whole else None


def _growth(current: Decimal, previous: Decimal) -> Decimal | None:
    return _percent(current - previous, previous)


# --- sales -----------------------------------------------------------------------------------------


def sales_by_product(*, products: QuerySet[Product], period: Period) -> dict[int, SalesEstimate]:
    """Estimated sales of each product in the period, summed over its SKUs.

    A product whose SKUs have stock history is estimated from them; one without (a supplier that reads only
    the product) from its product-level history.
    """
    product_ids = products.values("pk")
    stock = _stock_series(product_ids, period)
    prices = _price_series(product_ids, period.until)
    last_seen = dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "last_scraped_at"))
    with_skus = {product_id for product_id, variant_id in stock if variant_id is not None}
    result: dict[int, SalesEstimate] = defaultdict(SalesEstimate)
    for (product_id, variant_id), readings in stock.items():
        if variant_id is None and product_id in with_skus:
            continue
        estimate = estimate_sales(
            readings,
            prices.get((product_id, variant_id), []),
            since=period.since,
            last_seen_at=last_seen.get(product_id),
        )
        result[product_id].add(estimate)
    return dict(result)


def _stock_series(product_ids: QuerySet[Any], period: Period) -> dict[SeriesKey, list[StockReading]]:
    """Each SKU's readings in the period, preceded by its last reading before it (the baseline)."""
    rows = StockHistory.objects.filter(product_id__in=product_ids)
    baseline = (
        rows.filter(recorded_at__lt=period.since)
        .order_by("product_id", "variant_id", "-recorded_at")
        .distinct("product_id", "variant_id")
    )
    inside = rows.filter(recorded_at__gte=period.since, recorded_at__lte=period.until)
    series: dict[SeriesKey, list[StockReading]] = defaultdict(list)
    for source in (baseline, inside.order_by("recorded_at", "pk")):
        for product_id, variant_id, at, quantity in source.values_list(
            "product_id", "variant_id", "recorded_at", "stock_quantity"
        ):
            series[(product_id, variant_id)].append(StockReading(at=at, stock=quantity))
    return series


def _price_series(product_ids: QuerySet[Any], until: datetime) -> dict[SeriesKey, list[PriceReading]]:
    rows = PriceHistory.objects.filter(product_id__in=product_ids, recorded_at__lte=until).order_by("recorded_at", "pk")
    series: dict[SeriesKey, list[PriceReading]] = defaultdict(list)
    for product_id, variant_id, at, price in rows.values_list("product_id", "variant_id", "recorded_at", "price"):
        series[(product_id, variant_id)].append(PriceReading(at=at, price=price))
    return series


def _sales_figures(current: SalesEstimate, previous: SalesEstimate) -> dict[str, Any]:
    return {
        **current.as_dict(),
        "previous_revenue": previous.revenue,
        "growth_pct": _growth(current.revenue, previous.revenue),
    }


def _sum(estimates: Iterable[SalesEstimate]) -> SalesEstimate:
    total = SalesEstimate()
    for estimate in estimates:
        total.add(estimate)
    return total


# --- sellers ---------------------------------------------------------------------------------------


def research_sellers(
    *, supplier: str | None = None, days: int = 30, limit: int = 50, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Sellers by estimated revenue in the last `days`: assortment, SKUs, rating, revenue and growth."""
    period = Period.last(days=days, now=now)
    products = _products(supplier).filter(seller__isnull=False)
    seller_of = dict(products.values_list("pk", "seller_id"))
    current = _group(sales_by_product(products=products, period=period), seller_of)
    previous = _group(sales_by_product(products=products, period=period.previous), seller_of)
    sellers = Seller.objects.filter(pk__in=set(seller_of.values())).annotate(
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


def _group(by_product: dict[int, SalesEstimate], owner_of: dict[int, int]) -> dict[int, SalesEstimate]:
    grouped: dict[int, SalesEstimate] = defaultdict(SalesEstimate)
    for product_id, estimate in by_product.items():
        if product_id in owner_of:
            grouped[owner_of[product_id]].add(estimate)
    return dict(grouped)


# --- categories ------------------------------------------------------------------------------------


def research_categories(
    *,
    supplier: str | None = None,
    parent: int | None = None,
    days: int = 30,
    top: int = 3,
    limit: int = 100,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Categories (each counting its subcategories' products) by estimated revenue in the last `days`.

    `parent` narrows to that category's direct children. Top sellers carry their share of the category's
    estimated revenue.
    """
    period = Period.last(days=days, now=now)
    categories = Category.objects.all()
    if supplier:
        categories = categories.filter(supplier__slug=supplier)
    parent_of = dict(categories.values_list("pk", "parent_id"))
    products = _products(supplier).filter(category__isnull=False)
    placed = list(products.values_list("pk", "category_id", "seller_id", "is_gone"))
    current = sales_by_product(products=products, period=period)
    previous = sales_by_product(products=products, period=period.previous)
    stats: dict[int, _CategoryStats] = defaultdict(_CategoryStats)
    for product_id, category_id, seller_id, gone in placed:
        for ancestor in _lineage(category_id, parent_of):
            stats[ancestor].take(seller_id, current.get(product_id), previous.get(product_id), on_sale=not gone)
    shown = categories.filter(parent_id=parent) if parent is not None else categories
    seller_names = dict(Seller.objects.filter(pk__in={row[2] for row in placed if row[2]}).values_list("pk", "name"))
    rows = [_category_row(category, stats.get(category.pk, _CategoryStats()), seller_names, top) for category in shown]
    rows.sort(key=lambda row: (-row["revenue"], -row["size"], row["path"]))
    return rows[:limit]


@dataclass
class _CategoryStats:
    size: int = 0

    def __post_init__(self) -> None:
        self.current = SalesEstimate()
        self.previous = SalesEstimate()
        self.sellers: dict[int, SalesEstimate] = defaultdict(SalesEstimate)
        self.seller_ids: set[int] = set()

    def take(
        self, seller_id: int | None, current: SalesEstimate | None, previous: SalesEstimate | None, *, on_sale: bool
    ) -> None:
        """Count a product; one gone since still brings the sales it made while it was on sale."""
        if on_sale:
            self.size += 1
            if seller_id is not None:
                self.seller_ids.add(seller_id)
        if current is not None:
            self.current.add(current)
            if seller_id is not None:
                self.sellers[seller_id].add(current)
        if previous is not None:
            self.previous.add(previous)


def _lineage(category_id: int, parent_of: dict[int, int | None]) -> list[int]:
    """The category and its ancestors (a cycle in bad data stops the walk)."""
    lineage: list[int] = []
    node: int | None = category_id
    while node is not None and node not in lineage:
        lineage.append(node)
        node = parent_of.get(node)
    return lineage


def _category_row(category: Category, stats: _CategoryStats, names: dict[int, str], top: int) -> dict[str, Any]:
    leaders = sorted(stats.sellers.items(), key=lambda item: (-item[1].revenue, item[0]))[:top]
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
                "revenue": estimate.revenue,
                "share_pct": _percent(estimate.revenue, stats.current.revenue),
            }
            for seller_id, estimate in leaders
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
) -> list[dict[str, Any]]:
    """Products priced below their own time-weighted average of the last `days`, biggest discount first.

    Each carries its `days` and all-time minimum and average, and `inflated_was_price`: the crossed-out
    list price is above the price but was never actually charged in the product's recorded history.
    """
    now = now or timezone.now()
    since = now - timedelta(days=days)
    products = _products(supplier).filter(is_gone=False, price__isnull=False).select_related("seller")
    history: dict[int, list[PriceReading]] = defaultdict(list)
    rows = PriceHistory.objects.filter(product__in=products, variant__isnull=True, recorded_at__lte=now)
    for product_id, at, price in rows.order_by("recorded_at", "pk").values_list("product_id", "recorded_at", "price"):
        history[product_id].append(PriceReading(at=at, price=price))
    deals = []
    for product in products.filter(pk__in=list(history)):
        deal = _deal(product, history[product.pk], since=since, now=now)
        if deal is not None and deal["discount_pct"] > min_discount_pct:
            deals.append(deal)
    deals.sort(key=lambda deal: (-deal["discount_pct"], deal["product_id"]))
    return deals[:limit]


def _deal(product: Product, history: list[PriceReading], *, since: datetime, now: datetime) -> dict[str, Any] | None:
    recent = price_profile(history, since=since, until=now)
    overall = price_profile(history, since=None, until=now)
    if recent is None or overall is None or product.price is None:
        return None
    charged = {reading.price for reading in history if reading.price is not None}
    was = product.list_price
    return {
        "product_id": product.pk,
        "external_id": product.external_id,
        "title": product.title,
        "seller": product.seller.name if product.seller else "",
        "currency": product.currency,
        "price": product.price,
        "list_price": was,
        "min_recent": recent[0],
        "avg_recent": recent[1],
        "min_all_time": overall[0],
        "avg_all_time": overall[1],
        "discount_pct": _percent(recent[1] - product.price, recent[1]) or Decimal(0),
        "is_all_time_low": product.price <= overall[0],
        "claimed_discount_pct": _percent(was - product.price, was) if was and was > product.price else None,
        "inflated_was_price": bool(was and was > product.price and was not in charged),
    }


def price_profile(
    history: list[PriceReading], *, since: datetime | None, until: datetime
) -> tuple[Decimal, Decimal] | None:
    """(minimum, time-weighted average) of the prices in effect between `since` (None: the first reading)
    and `until`; each reading holds until the next one. A flickering price weighs by how long it lasted."""
    spans: list[tuple[Decimal, float]] = []
    for index, reading in enumerate(history):
        is_last = index + 1 == len(history)
        end = until if is_last else min(history[index + 1].at, until)
        start = reading.at if since is None else max(reading.at, since)
        if reading.price is None or end < start or (end == start and not is_last):
            continue
        spans.append((reading.price, (end - start).total_seconds()))
    if not spans:
        return None
    lowest = min(price for price, _ in spans)
    weight = sum(seconds for _, seconds in spans)
    if weight <= 0:
        return lowest, (sum((price for price, _ in spans), Decimal(0)) / len(spans)).quantize(CENT)
    weighted = sum((price * Decimal(seconds) for price, seconds in spans), Decimal(0))
    return lowest, (weighted / Decimal(weight)).quantize(CENT)


# --- stats -----------------------------------------------------------------------------------------


class _Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def research_stats(*, supplier: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """How much of the marketplace is collected and how fresh it is."""
    now = now or timezone.now()
    products = _products(supplier)
    day_ago = now - timedelta(days=1)
    scraped = products.filter(last_scraped_at__isnull=False)
    ages = scraped.aggregate(
        median=_Median(ExpressionWrapper(Value(now) - F("last_scraped_at"), output_field=DurationField()))
    )
    oldest = scraped.order_by("last_scraped_at").values_list("last_scraped_at", flat=True).first()
    sellers = Seller.objects.filter(supplier__slug=supplier) if supplier else Seller.objects.all()
    categories = Category.objects.filter(supplier__slug=supplier) if supplier else Category.objects.all()
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
