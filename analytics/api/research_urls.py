"""`/api/v1/analytics/research/…`: marketplace research over the collected catalogue."""

from django.urls import path

from analytics.api.research import BestDealsView, CategoriesView, PriceComparisonView, SellersView, StatsView

urlpatterns = [
    path("sellers", SellersView.as_view(), name="research-sellers"),
    path("categories", CategoriesView.as_view(), name="research-categories"),
    path("price-comparison", PriceComparisonView.as_view(), name="research-price-comparison"),
    path("best-deals", BestDealsView.as_view(), name="research-best-deals"),
    path("stats", StatsView.as_view(), name="research-stats"),
]
