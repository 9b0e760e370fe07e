from rest_framework import serializers

from alerts.models import Alert, Notification


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
