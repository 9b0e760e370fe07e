"""`/api/v1/products…`. Product ids are digits only, so a fixed segment (`products/import`) can sit beside them."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from catalog.api.views import PriceHistoryView, ProductImportView, StockHistoryView, TrackedProductViewSet

router = SimpleRouter(trailing_slash=False)
router.register("products", TrackedProductViewSet, basename="product")

urlpatterns = [
    path("products/import", ProductImportView.as_view(), name="product-import"),
    path("products/<int:product_id>/price-history", PriceHistoryView.as_view(), name="product-price-history"),
    path("products/<int:product_id>/stock-history", StockHistoryView.as_view(), name="product-stock-history"),
    *router.urls,
]
