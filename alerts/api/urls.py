from django.urls import path
from rest_framework.routers import SimpleRouter

from alerts.api.views import AlertViewSet, NotificationSettingsView, NotificationViewSet, PolicyRuleViewSet

router = SimpleRouter(trailing_slash=False)
router.register("alerts", AlertViewSet, basename="alert")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("policy-rules", PolicyRuleViewSet, basename="policy-rule")

urlpatterns = [
    path("notification-settings", NotificationSettingsView.as_view(), name="notification-settings"),
    *router.urls,
]
