"""Core routes under `/api/v1/`."""

from rest_framework.routers import SimpleRouter

from dropship_central.api.jobs import JobViewSet

router = SimpleRouter(trailing_slash=False)
router.register("jobs", JobViewSet, basename="job")

urlpatterns = router.urls
