"""`/api/v1/analytics/…`: the user's own business figures. Every endpoint also answers `?format=csv`."""

from collections.abc import Callable
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.api import business_serializers as s
from analytics.api.csv import CsvExportMixin, CsvTable
from analytics.business import (
    COUNT_FIGURES,
    MONEY_FIGURES,
    BusinessScope,
    business_dashboard,
    business_report,
    business_series,
    top_products,
)
from analytics.cache import analytics_cached
from analytics.earnings import business_earnings
from analytics.history import VariantNotFound, product_history
from analytics.stockouts import stock_outs

FIGURE_COLUMNS = [*MONEY_FIGURES, "margin_percent", *COUNT_FIGURES]
SERIES_COLUMNS = ["period", *FIGURE_COLUMNS]
GROUP_COLUMNS = ["id", "name", *FIGURE_COLUMNS]
STOCK_OUT_COLUMNS = list(s.StockOutSerializer().fields)
HISTORY_COLUMNS = ["series", "at", "min", "max", "avg", "readings"]
EARNINGS_COLUMNS = {
    "rules": list(s.RuleEarningsSerializer().fields),
    "guardrails": list(s.GuardrailHoldSerializer().fields),
    "policies": list(s.PolicyProtectionSerializer().fields),
}

FORMAT = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["json", "csv"], description="`csv` downloads the rows as a CSV file."
)
CSV_BODY = OpenApiResponse(OpenApiTypes.STR, description="With `?format=csv`: the rows as CSV (UTF-8, a header).")
INVALID = OpenApiResponse(description="Invalid parameters (error code validation_error).")


def _responses(body: type[serializers.Serializer]) -> dict[Any, Any]:
    return {(200, "application/json"): body, (200, "text/csv"): CSV_BODY, 400: INVALID}


class BusinessView(CsvExportMixin):
    query_serializer: type[serializers.Serializer] = s.BusinessQuerySerializer

    def query(self) -> dict[str, Any]:
        query = self.query_serializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    def scope(self, query: dict[str, Any]) -> BusinessScope:
        user = self.request.user
        return BusinessScope(
            user=user,
            date_from=query["date_from"],
            date_to=query["date_to"],
            currency=query.get("currency") or user.default_currency,
            store_id=query.get("store"),
            listing_id=query.get("listing"),
            product_id=query.get("product"),
        )

    def filename(self, name: str, scope: BusinessScope) -> str:
        return f"analytics-{name}-{scope.date_from.isoformat()}-{scope.date_to.isoformat()}"

    def cached(
        self, kind: str, scope: BusinessScope, extra: dict[str, Any], compute: Callable[[], dict[str, Any]]
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The serialized body from `AnalyticsCache` (or computed and stored), and the cache-status header."""
        data, hit = analytics_cached(
            user=self.request.user, kind=f"business.{kind}", params={**scope.params(), **extra}, compute=compute
        )
        return data, {"X-Analytics-Cache": "hit" if hit else "miss"}


class DashboardView(BusinessView):
    @extend_schema(
        summary="Your business at a glance: totals, growth, top 5 products, daily series (cached)",
        parameters=[s.BusinessQuerySerializer, FORMAT],
        responses=_responses(s.BusinessDashboardSerializer),
    )
    def get(self, request: Request) -> Response:
        scope = self.scope(self.query())
        data, headers = self.cached(
            "dashboard", scope, {}, lambda: s.fast_data(s.BusinessDashboardSerializer, business_dashboard(scope=scope))
        )
        if self.wants_csv():
            return self.csv_response(
                CsvTable(SERIES_COLUMNS, data["series"]), filename=self.filename("dashboard", scope)
            )
        return Response(data, headers=headers)


class ReportView(BusinessView):
    query_serializer = s.BreakdownQuerySerializer
    name = ""
    order_by = ""

    def report(self, request: Request) -> Response:
        query = self.query()
        scope = self.scope(query)
        options = {"interval": query["interval"], "group_by": query["group_by"]}
        data, headers = self.cached(
            self.name,
            scope,
            options,
            lambda: s.fast_data(
                s.BusinessReportSerializer, business_report(scope=scope, order_by=self.order_by, **options)
            ),
        )
        if self.wants_csv():
            return self.csv_response(
                CsvTable(GROUP_COLUMNS, data["breakdown"]), filename=self.filename(self.name, scope)
            )
        return Response(data, headers=headers)


class RevenueView(ReportView):
    name = "revenue"
    order_by = "-revenue"

    @extend_schema(
        summary="Revenue, refunds, orders and units: totals, growth, per store/listing/product, series",
        description="The breakdown is sorted by revenue; CSV exports the breakdown rows.",
        parameters=[s.BreakdownQuerySerializer, FORMAT],
        responses=_responses(s.BusinessReportSerializer),
    )
    def get(self, request: Request) -> Response:
        return self.report(request)


class ProfitView(ReportView):
    name = "profit"
    order_by = "-profit"

    @extend_schema(
        summary="Profit, cost of goods, fees and margin: totals, growth, per store/listing/product, series",
        description="The breakdown is sorted by profit; CSV exports the breakdown rows.",
        parameters=[s.BreakdownQuerySerializer, FORMAT],
        responses=_responses(s.BusinessReportSerializer),
    )
    def get(self, request: Request) -> Response:
        return self.report(request)


class TrendsView(BusinessView):
    query_serializer = s.IntervalQuerySerializer

    @extend_schema(
        summary="Every figure per day, week (Monday) or month of the range; empty periods are zeros",
        parameters=[s.IntervalQuerySerializer, FORMAT],
        responses=_responses(s.BusinessTrendsSerializer),
    )
    def get(self, request: Request) -> Response:
        query = self.query()
        scope = self.scope(query)
        interval = query["interval"]

        def compute() -> dict[str, Any]:
            series = business_series(scope=scope, interval=interval)
            return s.fast_data(s.BusinessTrendsSerializer, {**scope.params(), "interval": interval, "series": series})

        data, headers = self.cached("trends", scope, {"interval": interval}, compute)
        if self.wants_csv():
            return self.csv_response(CsvTable(SERIES_COLUMNS, data["series"]), filename=self.filename("trends", scope))
        return Response(data, headers=headers)


class TopProductsView(BusinessView):
    query_serializer = s.TopProductsQuerySerializer

    @extend_schema(
        summary="The products with the most (top) or least (bottom) profit",
        parameters=[s.TopProductsQuerySerializer, FORMAT],
        responses=_responses(s.BusinessTopProductsSerializer),
    )
    def get(self, request: Request) -> Response:
        query = self.query()
        scope = self.scope(query)
        options = {"order": query["order"], "limit": query["limit"]}

        def compute() -> dict[str, Any]:
            products = top_products(scope=scope, **options)
            return s.fast_data(s.BusinessTopProductsSerializer, {**scope.params(), **options, "products": products})

        data, headers = self.cached("top-products", scope, options, compute)
        if self.wants_csv():
            table = CsvTable(GROUP_COLUMNS, data["products"])
            return self.csv_response(table, filename=self.filename("top-products", scope))
        return Response(data, headers=headers)


class EarningsView(BusinessView):
    query_serializer = s.EarningsQuerySerializer

    @extend_schema(
        summary="What each pricing rule earned, each guardrail kept and each policy protected (cached)",
        description=(
            "Rules: a listing's day belongs to its latest applied, unchanged or held price decision made before the "
            "day began (UTC); markup = revenue − cost of goods. Guardrails: days whose decision was held; kept = "
            "units × (held price − proposed price). Policies: pauses and zeroed quantities from the audit trail; "
            "estimated units = units a day on unprotected days × protected days; loss avoided = those units × the "
            "loss per unit at the price and cost when protection began. `?format=csv&table=…` exports one table."
        ),
        parameters=[s.EarningsQuerySerializer, FORMAT],
        responses=_responses(s.EarningsSerializer),
    )
    def get(self, request: Request) -> Response:
        query = self.query()
        scope = self.scope(query)
        data, headers = self.cached(
            "rules", scope, {}, lambda: s.fast_data(s.EarningsSerializer, business_earnings(scope=scope))
        )
        if self.wants_csv():
            table = CsvTable(EARNINGS_COLUMNS[query["table"]], data[query["table"]])
            return self.csv_response(table, filename=self.filename(f"rules-{query['table']}", scope))
        return Response(data, headers=headers)


class StockOutsView(BusinessView):
    @extend_schema(
        summary="Days your listed products were out of stock at the supplier, and the revenue they likely cost",
        description=(
            "A day counts while a listing of the product was open; it is a stock-out day when the product was out of "
            "stock or unavailable at any moment of it. Lost revenue = average revenue on open in-stock days × "
            "stock-out days."
        ),
        parameters=[s.BusinessQuerySerializer, FORMAT],
        responses=_responses(s.StockOutsSerializer),
    )
    def get(self, request: Request) -> Response:
        scope = self.scope(self.query())
        data = s.StockOutsSerializer({**scope.params(), "products": stock_outs(scope=scope)}).data
        if self.wants_csv():
            table = CsvTable(STOCK_OUT_COLUMNS, data["products"])
            return self.csv_response(table, filename=self.filename("stock-outs", scope))
        return Response(data)


class HistoryView(BusinessView):
    query_serializer = s.HistoryQuerySerializer

    @extend_schema(
        summary="Price and stock history of a product you track: raw, hourly or daily, with min, max and average",
        parameters=[s.HistoryQuerySerializer, FORMAT],
        responses={**_responses(s.ProductHistorySerializer), 404: OpenApiResponse(description="You do not track it.")},
    )
    def get(self, request: Request) -> Response:
        query = self.query()
        try:
            history = product_history(
                user=request.user,
                product_id=query["product"],
                resolution=query["resolution"],
                date_from=query["date_from"],
                date_to=query["date_to"],
                variant_id=query.get("variant"),
            )
        except VariantNotFound as error:
            raise NotFound(str(error)) from error
        if history is None:
            raise NotFound("You do not track this product.")
        data = s.ProductHistorySerializer(history).data
        if self.wants_csv():
            rows = [{"series": name, **point} for name in ("price", "stock") for point in data[name]["points"]]
            filename = f"analytics-history-{query['product']}-{data['from']}-{data['to']}"
            return self.csv_response(CsvTable(HISTORY_COLUMNS, rows), filename=filename)
        return Response(data)
