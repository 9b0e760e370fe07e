from rest_framework.routers import SimpleRouter

from marketplaces.api.views import StoreAccountViewSet

router = SimpleRouter(trailing_slash=False)
router.register("store-accounts", StoreAccountViewSet, basename="store-account")

urlpatterns = router.urls
