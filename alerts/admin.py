from django.contrib import admin

from alerts.models import Alert, Notification, PolicyRule
from dropship_central.admin_mixins import AuditedAdmin, BigTableAdmin


@admin.register(PolicyRule)
class PolicyRuleAdmin(AuditedAdmin):
    list_display = ("name", "user", "kind", "action", "threshold", "severity", "store_account", "product", "is_active")
    list_filter = ("kind", "action", "severity", "is_active")
    list_select_related = ("user", "store_account", "product")
    search_fields = ("name", "user__email")
    raw_id_fields = ("user", "store_account", "product")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Alert)
class AlertAdmin(BigTableAdmin):
    list_display = (
        "created_at",
        "user",
        "severity",
        "type",
        "short_message",
        "rule",
        "product",
        "listing",
        "read_at",
        "acknowledged_at",
    )
    list_filter = (
        "severity",
        ("read_at", admin.EmptyFieldListFilter),
        ("acknowledged_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("user", "rule", "product", "listing")
    search_fields = ("message", "=type", "user__email", "=dedupe_key")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "rule", "product", "listing")
    readonly_fields = ("created_at",)

    @admin.display(description="message", ordering="message")
    def short_message(self, obj: Alert) -> str:
        return obj.message[:80]


@admin.register(Notification)
class NotificationAdmin(BigTableAdmin):
    list_display = (
        "created_at",
        "user",
        "channel",
        "destination",
        "status",
        "attempts",
        "last_status_code",
        "sent_at",
        "alert",
    )
    list_filter = ("channel", "status")
    list_select_related = ("user", "alert")
    search_fields = ("destination", "subject", "user__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "alert")
    readonly_fields = ("attempts", "last_error", "last_status_code", "sent_at", "created_at")
