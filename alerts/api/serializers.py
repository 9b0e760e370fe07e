from typing import Any

from django.db.models import Q
from rest_framework import serializers

from alerts.models import Alert, Notification, NotificationAttempt, NotificationSettings, PolicyRule
from catalog.models import Product
from dropship_central.api.jobs import JobSerializer
from marketplaces.models import StoreAccount


class AlertSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()
    is_acknowledged = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "type",
            "severity",
            "message",
            "context",
            "delivery",
            "rule",
            "product",
            "listing",
            "is_read",
            "read_at",
            "is_acknowledged",
            "acknowledged_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_read(self, obj: Alert) -> bool:
        return obj.read_at is not None

    def get_is_acknowledged(self, obj: Alert) -> bool:
        return obj.acknowledged_at is not None


class ReadAllResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField(help_text="How many alerts were unread and are now read.")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "alert",
            "channel",
            "destination",
            "subject",
            "payload",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "sent_at",
            "created_at",
        ]
        read_only_fields = fields


class NotificationAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationAttempt
        fields = ["attempted_at", "ok", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class NotificationDetailSerializer(NotificationSerializer):
    delivery_attempts = NotificationAttemptSerializer(source="attempt_log", many=True, read_only=True)

    class Meta(NotificationSerializer.Meta):
        fields = [*NotificationSerializer.Meta.fields, "delivery_attempts"]
        read_only_fields = fields


class PolicyRuleSerializer(serializers.ModelSerializer):
    """Reads a rule; writes are checked per kind by `policy_rule_create`/`policy_rule_update`."""

    store_account = serializers.PrimaryKeyRelatedField(
        queryset=StoreAccount.objects.all(), required=False, allow_null=True
    )
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    threshold = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=0, required=False, allow_null=True)

    class Meta:
        model = PolicyRule
        fields = [
            "id",
            "name",
            "kind",
            "action",
            "threshold",
            "params",
            "severity",
            "store_account",
            "product",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_fields(self) -> dict[str, serializers.Field]:
        """Only the requester's stores and products are choosable: another user's id reads as nonexistent."""
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            fields["store_account"].queryset = StoreAccount.objects.filter(user=user)
            owned = Q(trackers__user=user) | Q(listings__user=user)
            fields["product"].queryset = Product.objects.filter(pk__in=Product.objects.filter(owned).values("pk"))
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if other := sorted(set(self.initial_data) - set(self.fields)):
            raise serializers.ValidationError({field: ["Unknown field."] for field in other})
        return attrs


class TermsImportQuerySerializer(serializers.Serializer):
    replace = serializers.BooleanField(
        required=False, default=False, help_text="true replaces the current terms; false (default) merges."
    )


class TermsImportResultSerializer(serializers.Serializer):
    read = serializers.IntegerField(help_text="Terms read from the body.")
    added = serializers.IntegerField(help_text="New terms (case-insensitive duplicates are skipped).")
    total = serializers.IntegerField(help_text="Terms the rule holds now.")


class OutcomeSerializer(serializers.Serializer):
    rule_id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    listing_id = serializers.IntegerField(allow_null=True)
    holds = serializers.BooleanField(help_text="Whether the condition holds now.")
    alerted = serializers.BooleanField(help_text="Whether this evaluation raised an alert (re-arm and dedupe apply).")
    alert_id = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(help_text="The explanation: reading against threshold.")
    reading = serializers.CharField(allow_null=True)
    threshold = serializers.CharField(allow_null=True)
    actions = serializers.ListField(child=serializers.DictField())


class EvaluationSerializer(serializers.Serializer):
    products = serializers.IntegerField(help_text="Products in scope, counted once per rule.")
    evaluated = serializers.IntegerField(help_text="Findings judged (rule × product × listing for margins).")
    holding = serializers.IntegerField()
    alerted = serializers.IntegerField()
    outcomes = OutcomeSerializer(many=True)
    job = JobSerializer(allow_null=True, help_text="The background job, when the scope was too large to run now.")


class NotificationSettingsSerializer(serializers.ModelSerializer):
    webhook_secret = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=200, help_text="Write-only HMAC key."
    )
    webhook_secret_set = serializers.SerializerMethodField()

    class Meta:
        model = NotificationSettings
        fields = [
            "email_enabled",
            "webhook_url",
            "webhook_secret",
            "webhook_secret_set",
            "min_severity",
            "digest_enabled",
            "max_alerts_per_hour",
            "last_digest_at",
            "updated_at",
        ]
        read_only_fields = ["last_digest_at", "updated_at"]

    def get_webhook_secret_set(self, obj: NotificationSettings) -> bool:
        return bool(obj.webhook_secret)
