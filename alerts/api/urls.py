from rest_framework.routers import SimpleRouter

from alerts.api.views import AlertViewSet, NotificationViewSet

router = SimpleRouter(trailing_slash=False)
router.register("alerts", AlertViewSet, basename="alert")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
