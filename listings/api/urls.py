from rest_framework.routers import SimpleRouter

from listings.api.views import ListingViewSet, PricingRuleViewSet

router = SimpleRouter(trailing_slash=False)
router.register("listings", ListingViewSet, basename="listing")
router.register("pricing-rules", PricingRuleViewSet, basename="pricing-rule")

urlpatterns = router.urls
