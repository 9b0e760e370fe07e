"""`/api/v1/analytics/…` (mounted by `dropship_central/urls.py`)."""

from django.urls import include, path

from analytics.api.business import (
    DashboardView,
    EarningsView,
    HistoryView,
    ProfitView,
    RevenueView,
    StockOutsView,
    TopProductsView,
    TrendsView,
)

urlpatterns = [
    path("dashboard", DashboardView.as_view(), name="analytics-dashboard"),
    path("revenue", RevenueView.as_view(), name="analytics-revenue"),
    path("profit", ProfitView.as_view(), name="analytics-profit"),
    path("top-products", TopProductsView.as_view(), name="analytics-top-products"),
    path("trends", TrendsView.as_view(), name="analytics-trends"),
    path("rules", EarningsView.as_view(), name="analytics-rules"),
    path("stock-outs", StockOutsView.as_view(), name="analytics-stock-outs"),
    path("history", HistoryView.as_view(), name="analytics-history"),
    path("research/", include("analytics.api.research_urls")),
]
