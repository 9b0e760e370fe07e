import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from alerts.delivery import webhook_url_check
from alerts.models import Alert, Notification, NotificationAttempt, NotificationSettings, PolicyRule, PolicyState
from alerts.services import (
    RULE_FIELDS,
    alert_acknowledge,
    alert_mark_read,
    policy_rule_create,
    policy_rule_evaluate_now,
    policy_rule_problems,
    policy_rule_update,
)
from dropship_central.admin_mixins import (
    AuditedAdmin,
    BigTableAdmin,
    ReadOnlyAdmin,
    RecentRowsInline,
    masked,
    secret_form_field,
)
from dropship_central.api.exceptions import ServiceError


class PolicyRuleForm(forms.ModelForm):
    """The API's checks (`policy_rule_problems`) on the values entered, each shown on its field."""

    class Meta:
        model = PolicyRule
        fields = ("user", *RULE_FIELDS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors or not cleaned.get("kind"):
            return cleaned
        rule = copy.copy(self.instance)
        for name, value in cleaned.items():
            setattr(rule, name, value)
        for name, messages_ in policy_rule_problems(rule=rule).items():
            self.add_error(name if name in self.fields else None, messages_)
        return cleaned


@admin.register(PolicyRule)
class PolicyRuleAdmin(AuditedAdmin):
    """Saves go through `policy_rule_create`/`policy_rule_update` (audited there, evaluated soon like API rules)."""

    form = PolicyRuleForm
    list_display = ("name", "user", "kind", "action", "threshold", "severity", "store_account", "product", "is_active")
    list_filter = ("kind", "action", "severity", "is_active")
    list_select_related = ("user", "store_account", "product")
    search_fields = ("name", "user__email")
    raw_id_fields = ("user", "store_account", "product")
    readonly_fields = ("created_at", "updated_at")
    actions = ["evaluate_now"]

    def get_readonly_fields(self, request: HttpRequest, obj: PolicyRule | None = None) -> tuple[str, ...]:
        # A rule's owner is fixed: its scope and its alerts belong to that user.
        return (*self.readonly_fields, "user") if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: PolicyRule, form: forms.ModelForm, change: bool) -> None:
        data = {name: form.cleaned_data[name] for name in RULE_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: value for name, value in data.items() if name in form.changed_data}
            policy_rule_update(rule=obj, actor=request.user, data=changed, request=request)
        else:
            created = policy_rule_create(user=obj.user, data=data, actor=request.user, request=request)
            obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description="Evaluate the selected rules now")
    def evaluate_now(self, request: HttpRequest, queryset: QuerySet[PolicyRule]) -> None:
        rules = list(queryset.select_related("user", "product"))
        inactive = [rule.name for rule in rules if not rule.is_active]
        alerted = queued = 0
        for rule in rules:
            if rule.is_active:
                evaluation = policy_rule_evaluate_now(rule=rule)
                alerted += sum(outcome.alerted for outcome in evaluation.outcomes)
                queued += evaluation.job is not None
        ran = len(rules) - len(inactive)
        message = f"Evaluated {ran} rules; {alerted} new alerts."
        if queued:
            message += f" {queued} large rules run as background jobs."
        self.message_user(request, message, messages.SUCCESS)
        if inactive:
            self.message_user(
                request, f"Skipped {len(inactive)} inactive rules: {', '.join(inactive)}.", messages.WARNING
            )


@admin.register(PolicyState)
class PolicyStateAdmin(AuditedAdmin):
    """Re-arm memory. Deleting a state re-arms its rule for that product: it alerts again if it still holds."""

    list_display = ("dedupe_key", "rule", "product", "listing", "firing", "last_reading", "fired_at", "cleared_at")
    list_filter = ("firing",)
    list_select_related = ("rule", "product", "listing")
    search_fields = ("=dedupe_key", "rule__name", "rule__user__email")
    raw_id_fields = ("rule", "product", "listing", "last_alert")
    readonly_fields = (
        "rule",
        "product",
        "listing",
        "dedupe_key",
        "firing",
        "last_reading",
        "memory",
        "fired_at",
        "cleared_at",
        "last_alert",
        "updated_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(BigTableAdmin):
    list_display = (
        "created_at",
        "user",
        "severity",
        "type",
        "short_message",
        "delivery",
        "rule",
        "product",
        "listing",
        "read_at",
        "acknowledged_at",
    )
    list_filter = (
        "severity",
        "type",
        "delivery",
        ("read_at", admin.EmptyFieldListFilter),
        ("acknowledged_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("user", "rule", "product", "listing")
    search_fields = ("message", "=type", "user__email", "=dedupe_key")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "rule", "product", "listing")
    readonly_fields = ("created_at",)
    actions = ["mark_read", "acknowledge"]

    def get_readonly_fields(self, request: HttpRequest, obj: Alert | None = None) -> tuple[str, ...]:
        """An alert is a record of what the policy engine saw: read, acknowledged, never edited."""
        if obj is None:
            return self.readonly_fields
        return tuple(field.name for field in Alert._meta.fields)

    @admin.display(description="message", ordering="message")
    def short_message(self, obj: Alert) -> str:
        return obj.message[:80]

    @admin.action(description="Mark read")
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        alerts = list(queryset)
        for alert in alerts:
            alert_mark_read(alert=alert, actor=request.user, request=request)
        self.message_user(request, f"Marked {len(alerts)} alerts read.", messages.SUCCESS)

    @admin.action(description="Acknowledge")
    def acknowledge(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        alerts = list(queryset)
        for alert in alerts:
            alert_acknowledge(alert=alert, actor=request.user, request=request)
        self.message_user(request, f"Acknowledged {len(alerts)} alerts.", messages.SUCCESS)


class NotificationAttemptInline(RecentRowsInline):
    model = NotificationAttempt
    fields = ("attempted_at", "ok", "status_code", "error", "duration_ms")
    readonly_fields = fields


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
    inlines = [NotificationAttemptInline]


@admin.register(NotificationAttempt)
class NotificationAttemptAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_display = ("attempted_at", "notification", "ok", "status_code", "short_error", "duration_ms")
    list_filter = ("ok",)
    list_select_related = ("notification",)
    raw_id_fields = ("notification",)
    date_hierarchy = "attempted_at"

    @admin.display(description="error")
    def short_error(self, obj: NotificationAttempt) -> str:
        return obj.error[:80]


class NotificationSettingsForm(forms.ModelForm):
    webhook_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    set_webhook_secret = secret_form_field("New webhook secret")
    clear_webhook_secret = forms.BooleanField(required=False, label="Remove the webhook secret")

    class Meta:
        model = NotificationSettings
        fields = ("user", "email_enabled", "webhook_url", "min_severity", "digest_enabled", "max_alerts_per_hour")

    def clean_webhook_url(self) -> str:
        url = self.cleaned_data.get("webhook_url") or ""
        if url:
            try:
                webhook_url_check(url)
            except ServiceError as exc:
                raise forms.ValidationError(exc.details["webhook_url"]) from exc
        return url

    def save(self, commit: bool = True) -> NotificationSettings:
        prefs = self.instance
        if self.cleaned_data.get("clear_webhook_secret"):
            prefs.webhook_secret = ""
        if self.cleaned_data.get("set_webhook_secret"):
            prefs.webhook_secret = self.cleaned_data["set_webhook_secret"]
        return super().save(commit)


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(AuditedAdmin):
    form = NotificationSettingsForm
    secret_fields = frozenset({"webhook_secret", "set_webhook_secret"})
    list_display = (
        "user",
        "email_enabled",
        "webhook_url",
        "webhook_secret_status",
        "min_severity",
        "digest_enabled",
        "max_alerts_per_hour",
        "last_digest_at",
    )
    list_filter = ("email_enabled", "digest_enabled", "min_severity")
    list_select_related = ("user",)
    search_fields = ("user__email", "webhook_url")
    raw_id_fields = ("user",)
    readonly_fields = ("webhook_secret_status", "last_digest_at", "created_at", "updated_at")

    @admin.display(description="webhook secret")
    def webhook_secret_status(self, obj: NotificationSettings) -> str:
        return masked(obj.webhook_secret)
