"""`/api/v1/analytics/research/…`: marketplace facts across the whole collected catalogue (any signed-in user).

Lists answer `?format=csv` too (their flat columns; price comparison adds the cheapest offer's), and stats as one
row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.api.business_serializers import FromToSerializer
from analytics.api.csv import CsvExportMixin, CsvTable
from analytics.research import (
    Period,
    research_best_deals,
    research_categories,
    research_price_comparison,
    research_sellers,
    research_stats,
)
from suppliers.registry import research_sources

MONEY = {"max_digits": 18, "decimal_places": 2}
DEFAULT_DAYS = 30
MAX_DAYS = 365
FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv` downloads the rows as a CSV file."
)
CSV_BODY = OpenApiResponse(OpenApiTypes.STR, description="With `?format=csv`: the rows as CSV (UTF-8, a header).")
INVALID = OpenApiResponse(description="Invalid parameters (error code validation_error).")


# --- query parameters ------------------------------------------------------------------------------


def research_marketplace(slug: str) -> None:
    """Only a marketplace collected for research (its plugin's `meta.research`) has a research catalogue."""
    sources = research_sources()
    if slug not in sources:
        choices = ", ".join(sources)
        raise serializers.ValidationError(f"{slug!r} is not a research marketplace; choose one of: {choices}.")


class ResearchQuerySerializer(serializers.Serializer):
    supplier = serializers.SlugField(
        required=False, validators=[research_marketplace], help_text="A research marketplace, e.g. `uzum`; default all."
    )
    limit = serializers.IntegerField(min_value=1, max_value=500, default=50)


class PeriodQuerySerializer(ResearchQuerySerializer, FromToSerializer):
    """The period: the last `days` whole days (default 30), or the whole days `from`–`to`; growth compares as many
    days just before."""

    days = serializers.IntegerField(
        min_value=1, max_value=MAX_DAYS, required=False, help_text="The last N days (default 30); not with from/to."
    )
    date_from = serializers.DateField(required=False, help_text="First day (inclusive); default: 29 days before `to`.")
    date_to = serializers.DateField(required=False, help_text="Last day (inclusive, at most today); default: today.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs.pop("from", None), attrs.pop("to", None)
        if first is None and last is None:
            return {**attrs, "days": attrs.get("days", DEFAULT_DAYS)}
        if "days" in attrs:
            raise serializers.ValidationError({"days": ["Give either `days` or `from`/`to`, not both."]})
        today = timezone.localdate()
        last = last or today
        first = first or last - timedelta(days=DEFAULT_DAYS - 1)
        if last > today:
            raise serializers.ValidationError({"to": ["Must not be after today."]})
        if first > last:
            raise serializers.ValidationError({"from": ["Must not be after `to`."]})
        if (last - first).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"from": [f"The range may span at most {MAX_DAYS} days."]})
        return {**attrs, "date_from": first, "date_to": last}


class CategoryQuerySerializer(PeriodQuerySerializer):
    parent = serializers.IntegerField(required=False, help_text="Only the direct subcategories of this category id.")
    top = serializers.IntegerField(min_value=0, max_value=20, default=3, help_text="Top sellers listed per category.")


class ComparisonQuerySerializer(ResearchQuerySerializer):
    q = serializers.CharField(required=False, default="", max_length=200, help_text="Title contains (any case).")
    category = serializers.IntegerField(required=False, help_text="A category id (and its direct subcategories).")


class DealsQuerySerializer(PeriodQuerySerializer):
    min_discount = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, default=0, help_text="Only discounts above this percentage."
    )


class StatsQuerySerializer(serializers.Serializer):
    supplier = serializers.SlugField(
        required=False, validators=[research_marketplace], help_text="A research marketplace, e.g. `uzum`; default all."
    )


# --- responses -------------------------------------------------------------------------------------


class SalesFiguresSerializer(serializers.Serializer):
    units = serializers.IntegerField(help_text="Estimated units sold: stock drops less returns.")
    units_low = serializers.IntegerField(help_text="Only drops the next reading confirmed.")
    units_high = serializers.IntegerField(help_text="Every drop, returns not subtracted.")
    revenue = serializers.DecimalField(**MONEY, help_text="Units times the SKU's price when each drop was read.")
    revenue_low = serializers.DecimalField(**MONEY)
    revenue_high = serializers.DecimalField(**MONEY)
    previous_revenue = serializers.DecimalField(**MONEY, help_text="Estimated revenue of the period before.")
    growth_pct = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="Revenue against the period before, in percent; null without one."
    )


class SellerRowSerializer(SalesFiguresSerializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="The shop's own rating, when collected."
    )
    products_rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text="Its products' ratings weighted by review count."
    )
    review_count = serializers.IntegerField()
    orders_count = serializers.IntegerField()
    assortment = serializers.IntegerField(help_text="Products on sale.")
    skus = serializers.IntegerField(help_text="Active SKUs of those products.")


class TopSellerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    revenue = serializers.DecimalField(**MONEY)
    share_pct = serializers.DecimalField(**MONEY, allow_null=True, help_text="Of the category's estimated revenue.")


class CategoryRowSerializer(SalesFiguresSerializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()
    level = serializers.IntegerField()
    parent_id = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(help_text="Products on sale here and in subcategories.")
    sellers = serializers.IntegerField()
    top_sellers = TopSellerSerializer(many=True)


class OfferSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    external_id = serializers.CharField()
    seller_id = serializers.IntegerField(allow_null=True)
    seller = serializers.CharField()
    price = serializers.DecimalField(**MONEY)
    url = serializers.CharField()


class ComparisonRowSerializer(serializers.Serializer):
    match = serializers.ChoiceField(choices=["parent", "title"], help_text="How the offers were matched.")
    key = serializers.CharField(help_text="The parent id or the normalized title.")
    title = serializers.CharField()
    currency = serializers.CharField()
    offers = serializers.IntegerField()
    sellers = serializers.IntegerField()
    min_price = serializers.DecimalField(**MONEY)
    max_price = serializers.DecimalField(**MONEY)
    spread = serializers.DecimalField(**MONEY)
    spread_pct = serializers.DecimalField(**MONEY, help_text="Spread over the cheapest price, in percent.")
    cheapest = OfferSerializer()
    all_offers = OfferSerializer(many=True)


class DealRowSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    external_id = serializers.CharField()
    title = serializers.CharField()
    seller = serializers.CharField()
    currency = serializers.CharField()
    price = serializers.DecimalField(**MONEY)
    list_price = serializers.DecimalField(**MONEY, allow_null=True)
    min_recent = serializers.DecimalField(**MONEY, help_text="Lowest price in the period.")
    avg_recent = serializers.DecimalField(**MONEY, help_text="Time-weighted average price in the period.")
    min_all_time = serializers.DecimalField(**MONEY)
    avg_all_time = serializers.DecimalField(**MONEY)
    discount_pct = serializers.DecimalField(**MONEY, help_text="Price below the period's average, in percent.")
    is_all_time_low = serializers.BooleanField()
    claimed_discount_pct = serializers.DecimalField(**MONEY, allow_null=True, help_text="What the list price claims.")
    inflated_was_price = serializers.BooleanField(help_text="The list price was never charged in recorded history.")


def _page(row: type[serializers.Serializer]) -> type[serializers.Serializer]:
    name = row.__name__.replace("RowSerializer", "PageSerializer")
    fields = {
        "since": serializers.DateTimeField(allow_null=True),
        "until": serializers.DateTimeField(allow_null=True),
        "results": row(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


SellerPageSerializer = _page(SellerRowSerializer)
CategoryPageSerializer = _page(CategoryRowSerializer)
ComparisonPageSerializer = _page(ComparisonRowSerializer)
DealPageSerializer = _page(DealRowSerializer)


class StatsSerializer(serializers.Serializer):
    products = serializers.IntegerField()
    products_gone = serializers.IntegerField()
    skus = serializers.IntegerField()
    sellers = serializers.IntegerField()
    categories = serializers.IntegerField()
    price_readings_last_day = serializers.IntegerField()
    stock_readings_last_day = serializers.IntegerField()
    oldest_scrape_age_seconds = serializers.IntegerField(allow_null=True)
    median_scrape_age_seconds = serializers.IntegerField(allow_null=True)


# --- views -----------------------------------------------------------------------------------------


def _flat_columns(row: type[serializers.Serializer]) -> list[str]:
    """The row's scalar columns, what identifies it first and the sales figures after."""
    names = [name for name, field in row().fields.items() if not isinstance(field, serializers.BaseSerializer)]
    figures = set(SalesFiguresSerializer().fields)
    return [name for name in names if name not in figures] + [name for name in names if name in figures]


class ResearchListView(CsvExportMixin):
    query_serializer: type[serializers.Serializer]
    row_serializer: type[serializers.Serializer]
    page_serializer: type[serializers.Serializer]
    filename: str

    def rows(self, query: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        raise NotImplementedError

    def csv_table(self, rows: list[dict[str, Any]]) -> CsvTable:
        return CsvTable(_flat_columns(self.row_serializer), rows)

    def get(self, request: Request) -> Response:
        params = self.query_serializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = dict(params.validated_data)
        now = timezone.now()
        query["period"] = period = _period(query, now)
        rows = self.rows(query, now)
        if self.wants_csv():
            return self.csv_response(self.csv_table(rows), filename=self.filename)
        body = {
            "since": period.since if period else None,
            "until": period.until if period else None,
            "results": rows,
        }
        return Response(self.page_serializer(body).data)


def _period(query: dict[str, Any], now: datetime) -> Period | None:
    if "date_from" in query:
        return Period.between(first_day=query["date_from"], last_day=query["date_to"], now=now)
    return Period.last(days=query["days"], now=now) if "days" in query else None


def _documented(summary: str, page: type[serializers.Serializer], query: type[serializers.Serializer]) -> Any:
    return extend_schema(
        summary=summary,
        parameters=[query, FORMAT],
        responses={(200, "application/json"): page, (200, "text/csv"): CSV_BODY, 400: INVALID},
    )


class SellersView(ResearchListView):
    query_serializer = PeriodQuerySerializer
    row_serializer = SellerRowSerializer
    page_serializer = SellerPageSerializer
    filename = "research-sellers"

    @_documented(
        "Sellers by estimated revenue: assortment, rating, growth", SellerPageSerializer, PeriodQuerySerializer
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, query: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        return research_sellers(supplier=query.get("supplier"), limit=query["limit"], period=query["period"])


class CategoriesView(ResearchListView):
    query_serializer = CategoryQuerySerializer
    row_serializer = CategoryRowSerializer
    page_serializer = CategoryPageSerializer
    filename = "research-categories"

    @_documented(
        "Categories by estimated revenue: size, growth, top sellers and their share",
        CategoryPageSerializer,
        CategoryQuerySerializer,
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, query: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        return research_categories(
            supplier=query.get("supplier"),
            parent=query.get("parent"),
            top=query["top"],
            limit=query["limit"],
            period=query["period"],
        )


class PriceComparisonView(ResearchListView):
    query_serializer = ComparisonQuerySerializer
    row_serializer = ComparisonRowSerializer
    page_serializer = ComparisonPageSerializer
    filename = "research-price-comparison"

    @_documented(
        "The same product across sellers: cheapest offer and spread",
        ComparisonPageSerializer,
        ComparisonQuerySerializer,
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, query: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        return research_price_comparison(
            supplier=query.get("supplier"), query=query["q"], category=query.get("category"), limit=query["limit"]
        )

    def csv_table(self, rows: list[dict[str, Any]]) -> CsvTable:
        """The flat columns and the cheapest offer's, `cheapest_<field>` (every offer is in the JSON only)."""
        offer_fields = list(OfferSerializer().fields)
        columns = [*_flat_columns(self.row_serializer), *(f"cheapest_{name}" for name in offer_fields)]
        flat = [{**row, **{f"cheapest_{name}": row["cheapest"][name] for name in offer_fields}} for row in rows]
        return CsvTable(columns, flat)


class BestDealsView(ResearchListView):
    query_serializer = DealsQuerySerializer
    row_serializer = DealRowSerializer
    page_serializer = DealPageSerializer
    filename = "research-best-deals"

    @_documented(
        "Prices below the product's own recent average, with inflated was-price flags",
        DealPageSerializer,
        DealsQuerySerializer,
    )
    def get(self, request: Request) -> Response:
        return super().get(request)

    def rows(self, query: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
        return research_best_deals(
            supplier=query.get("supplier"),
            min_discount_pct=query["min_discount"],
            limit=query["limit"],
            period=query["period"],
        )


class StatsView(CsvExportMixin):
    @extend_schema(
        summary="Collected catalogue: counts, readings in the last day, freshness",
        description="CSV: one row, the same fields.",
        parameters=[StatsQuerySerializer, FORMAT],
        responses={(200, "application/json"): StatsSerializer, (200, "text/csv"): CSV_BODY, 400: INVALID},
    )
    def get(self, request: Request) -> Response:
        params = StatsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = StatsSerializer(research_stats(supplier=params.validated_data.get("supplier"))).data
        if self.wants_csv():
            return self.csv_response(CsvTable(list(StatsSerializer().fields), [data]), filename="research-stats")
        return Response(data)
