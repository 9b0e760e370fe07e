from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts.api.filters import AlertFilter, NotificationFilter, PolicyRuleFilter
from alerts.api.parsers import CsvTextParser, PlainTextParser
from alerts.api.serializers import (
    AlertSerializer,
    EvaluationSerializer,
    NotificationDetailSerializer,
    NotificationSerializer,
    NotificationSettingsSerializer,
    PolicyRuleSerializer,
    ReadAllResultSerializer,
    TermsImportQuerySerializer,
    TermsImportResultSerializer,
)
from alerts.models import Alert, Notification, PolicyRule
from alerts.selectors import (
    alerts_for_user,
    notification_settings_for_user,
    notifications_for_user,
    notifications_with_attempts_for_user,
    policy_rules_for_user,
)
from alerts.services import (
    Evaluation,
    alert_acknowledge,
    alert_mark_all_read,
    alert_mark_read,
    notification_settings_update,
    policies_evaluate_user_now,
    policy_rule_create,
    policy_rule_delete,
    policy_rule_evaluate_now,
    policy_rule_import_terms,
    policy_rule_update,
)

RULE_INACTIVE = OpenApiResponse(description="The rule is switched off (error code rule_inactive).")


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
    retrieve=extend_schema(summary="Show one notification with its delivery attempts"),
)
class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = NotificationFilter
    lookup_value_regex = r"\d+"

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return NotificationDetailSerializer if self.action == "retrieve" else NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        if self.action == "retrieve":
            return notifications_with_attempts_for_user(user=self.request.user)
        return notifications_for_user(user=self.request.user)


@extend_schema_view(
    list=extend_schema(summary="List your policy rules"),
    retrieve=extend_schema(summary="Show one policy rule"),
)
class PolicyRuleViewSet(viewsets.ModelViewSet):
    serializer_class = PolicyRuleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = PolicyRuleFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[PolicyRule]:
        if getattr(self, "swagger_fake_view", False):
            return PolicyRule.objects.none()
        return policy_rules_for_user(user=self.request.user)

    @extend_schema(
        summary="Create a policy rule",
        description=(
            "Numeric kinds need a `threshold`; blocked brand and keyword rules need `params.terms` (or import them "
            "afterwards); `store_account` and `product` must be yours. A condition that already holds alerts on "
            "the first evaluation."
        ),
        responses={201: PolicyRuleSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = policy_rule_create(user=request.user, data=serializer.validated_data, request=request)
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a policy rule", responses={200: PolicyRuleSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        rule = policy_rule_update(
            rule=serializer.instance, actor=request.user, data=serializer.validated_data, request=request
        )
        return Response(self.get_serializer(rule).data)

    @extend_schema(summary="Delete a policy rule", responses={204: None})
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        policy_rule_delete(rule=self.get_object(), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Evaluate one rule now",
        description=(
            "Runs the rule on each product in its scope, with the same hygiene and actions as on a change. Up to "
            "POLICY_EVALUATE_INLINE_LIMIT products (200) it runs now (200, with the outcomes); past that it runs as "
            "a job (202, the job to follow at /api/v1/jobs/{id}). A switched-off rule answers 409 rule_inactive."
        ),
        request=None,
        responses={200: EvaluationSerializer, 202: EvaluationSerializer, 409: RULE_INACTIVE},
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str | None = None) -> Response:
        return _evaluation(policy_rule_evaluate_now(rule=self.get_object()))

    @extend_schema(
        summary="Evaluate all your active rules now",
        description="As for one rule; the products are counted once per rule against the inline limit.",
        operation_id="v1_policy_rules_evaluate_all",
        request=None,
        responses={200: EvaluationSerializer, 202: EvaluationSerializer},
    )
    @action(detail=False, methods=["post"], url_path="evaluate", filter_backends=[], pagination_class=None)
    def evaluate_all(self, request: Request) -> Response:
        return _evaluation(policies_evaluate_user_now(user=request.user))

    @extend_schema(
        summary="Import blocked terms",
        description=(
            "Body: text/plain with one term a line, or text/csv whose first column holds the terms (a header row "
            "named brand, keyword or term is skipped). Terms are merged without case-insensitive duplicates; "
            "`?replace=true` replaces the current list (`false`, the default, merges; any other value is a 400). "
            "Blocked brand and blocked keyword rules only."
        ),
        parameters=[TermsImportQuerySerializer],
        request={"text/plain": OpenApiTypes.STR, "text/csv": OpenApiTypes.STR},
        responses={200: TermsImportResultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="import-terms", parser_classes=[PlainTextParser, CsvTextParser])
    def import_terms(self, request: Request, pk: str | None = None) -> Response:
        text = request.data if isinstance(request.data, str) else ""
        query = TermsImportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        replace = query.validated_data["replace"]
        result = policy_rule_import_terms(
            rule=self.get_object(), text=text, actor=request.user, replace=replace, request=request
        )
        return Response(TermsImportResultSerializer(result).data)


def _evaluation(evaluation: Evaluation) -> Response:
    outcomes = evaluation.outcomes
    body = {
        "products": evaluation.products,
        "evaluated": len(outcomes),
        "holding": sum(outcome.holds for outcome in outcomes),
        "alerted": sum(outcome.alerted for outcome in outcomes),
        "outcomes": [outcome.as_dict() for outcome in outcomes],
        "job": evaluation.job,
    }
    code = status.HTTP_202_ACCEPTED if evaluation.job is not None else status.HTTP_200_OK
    return Response(EvaluationSerializer(body).data, status=code)


class NotificationSettingsView(APIView):
    @extend_schema(summary="Show your notification settings", responses={200: NotificationSettingsSerializer})
    def get(self, request: Request) -> Response:
        return Response(NotificationSettingsSerializer(notification_settings_for_user(user=request.user)).data)

    @extend_schema(
        summary="Change your notification settings",
        description=(
            "A webhook URL must be https and resolve to a public address, and needs a `webhook_secret` of at "
            "least 16 characters (write-only). With `digest_enabled`, alerts are sent as one email a day instead "
            "of one notification each. Alerts past `max_alerts_per_hour` are recorded but not notified."
        ),
        request=NotificationSettingsSerializer,
        responses={200: NotificationSettingsSerializer},
    )
    def patch(self, request: Request) -> Response:
        serializer = NotificationSettingsSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        prefs = notification_settings_update(user=request.user, data=serializer.validated_data, request=request)
        return Response(NotificationSettingsSerializer(prefs).data)
