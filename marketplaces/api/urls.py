from django.urls import path
from rest_framework.routers import SimpleRouter

from marketplaces.api.views import EbayCallbackView, ShopifyCallbackView, StoreAccountViewSet

router = SimpleRouter(trailing_slash=False)
router.register("store-accounts", StoreAccountViewSet, basename="store-account")

urlpatterns = [
    path("marketplaces/ebay/callback", EbayCallbackView.as_view(), name="ebay-callback"),
    path("marketplaces/shopify/callback", ShopifyCallbackView.as_view(), name="shopify-callback"),
    *router.urls,
]
