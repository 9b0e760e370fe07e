from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from alerts.api.filters import AlertFilter, NotificationFilter
from alerts.api.serializers import AlertSerializer, NotificationSerializer, ReadAllResultSerializer
from alerts.models import Alert, Notification
from alerts.selectors import alerts_for_user, notifications_for_user
from alerts.services import alert_acknowledge, alert_mark_all_read, alert_mark_read


@extend_schema_view(
    list=extend_schema(summary="List your alerts"),
    retrieve=extend_schema(summary="Show one alert"),
)
class AlertViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AlertSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Alert]:
        if getattr(self, "swagger_fake_view", False):
            return Alert.objects.none()
        return alerts_for_user(user=self.request.user)

    @extend_schema(summary="Mark an alert read", request=None, responses={200: AlertSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        alert = alert_mark_read(alert=self.get_object(), actor=request.user, request=request)
        return Response(AlertSerializer(alert).data)

    @extend_schema(
        summary="Acknowledge an alert",
        description="Idempotent; acknowledging also marks the alert read.",
        request=None,
        responses={200: AlertSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        alert = alert_acknowledge(alert=self.get_object(), actor=request.user, request=request)
        return Response(AlertSerializer(alert).data)

    @extend_schema(summary="Mark all your alerts read", request=None, responses={200: ReadAllResultSerializer})
    @action(detail=False, methods=["post"], url_path="read-all", filter_backends=[], pagination_class=None)
    def read_all(self, request: Request) -> Response:
        count = alert_mark_all_read(user=request.user, request=request)
        return Response(ReadAllResultSerializer({"marked_read": count}).data)


@extend_schema_view(
    list=extend_schema(summary="List your notifications"),
    retrieve=extend_schema(summary="Show one notification"),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return notifications_for_user(user=self.request.user)
