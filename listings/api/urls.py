from rest_framework.routers import SimpleRouter

from listings.api.views import ListingViewSet

router = SimpleRouter(trailing_slash=False)
router.register("listings", ListingViewSet, basename="listing")

urlpatterns = router.urls
