from django.conf import settings
from django.db import models
from django.db.models import Q

from catalog.models import Product
from dropship_central.fields import EncryptedTextField
from listings.models import Listing
from marketplaces.models import StoreAccount


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    CRITICAL = "critical", "Critical"


class PolicyKind(models.TextChoices):
    LOW_STOCK = "low_stock", "Low stock"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    BACK_IN_STOCK = "back_in_stock", "Back in stock"
    LOW_MARGIN = "low_margin", "Low margin"
    PRICE_DROP = "price_drop", "Price drop"
    PRICE_RISE = "price_rise", "Price rise"
    PRICE_CEILING = "price_ceiling", "Supplier price above ceiling"
    BLOCKED_BRAND = "blocked_brand", "Blocked brand"
    BLOCKED_KEYWORD = "blocked_keyword", "Blocked keyword"
    SHIPPING_DAYS = "shipping_days", "Shipping days above limit"


class PolicyAction(models.TextChoices):
    ALERT = "alert", "Alert only"
    PAUSE = "pause", "Pause listings"
    RESUME = "resume", "Resume listings"
    ZERO_QUANTITY = "zero_quantity", "Set quantity to 0"


KIND_VALUES = [k.value for k in PolicyKind]
ACTION_VALUES = [a.value for a in PolicyAction]


class PolicyRule(models.Model):
    """A condition on supplier data and the action to take when it holds."""

    Kind = PolicyKind
    Action = PolicyAction

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="policy_rules")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    action = models.CharField(max_length=16, choices=Action.choices, default=Action.ALERT)
    threshold = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True)
    params = models.JSONField(
        default=dict,
        blank=True,
        help_text="{'terms': [...]} for blocked kinds; optional {'min_further_move_percent': 5}.",
    )
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    store_account = models.ForeignKey(StoreAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=KIND_VALUES), name="policy_valid_kind"),
            models.CheckConstraint(condition=Q(action__in=ACTION_VALUES), name="policy_valid_action"),
            models.CheckConstraint(
                condition=Q(threshold__isnull=True) | Q(threshold__gte=0), name="policy_threshold_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Delivery(models.TextChoices):
    """What happened to an alert's notifications (see alerts/services.py `alert_dispatch`)."""

    IMMEDIATE = "immediate", "Notified"
    DIGEST_PENDING = "digest_pending", "Waiting for the daily digest"
    DIGEST_SENT = "digest_sent", "Sent in a digest"
    RATE_LIMITED = "rate_limited", "Over the hourly limit: recorded, not notified"
    NONE = "none", "Not notified (below minimum severity or no channel)"


class Alert(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    rule = models.ForeignKey(PolicyRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts")
    type = models.CharField(max_length=30)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.WARNING)
    message = models.CharField(max_length=500)
    context = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True, db_index=True)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, default=Delivery.NONE)
    read_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="alert_user_created_idx"),
            models.Index(
                fields=["user", "created_at"], condition=Q(delivery="digest_pending"), name="alert_digest_pending_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(severity__in=["info", "warning", "critical"]), name="alert_valid_severity"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.severity}] {self.message[:60]}"


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    destination = models.CharField(max_length=500)
    subject = models.CharField(max_length=255, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_created_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=["email", "webhook"]), name="notification_valid_channel"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed"]), name="notification_valid_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} to {self.destination} [{self.status}]"


class PolicyState(models.Model):
    """Re-arm memory of one rule on one product (and listing): whether its condition is firing, and the
    reading at the last alert. The dedupe key is unique, so concurrent evaluations share one row."""

    rule = models.ForeignKey(PolicyRule, on_delete=models.CASCADE, related_name="states")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200, unique=True)
    firing = models.BooleanField(default=False)
    last_reading = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    memory = models.JSONField(default=dict, blank=True, help_text="Kind-specific memory, e.g. {'seen_out': true}.")
    fired_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    last_alert = models.ForeignKey(Alert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.dedupe_key} [{'firing' if self.firing else 'armed'}]"


class NotificationSettings(models.Model):
    """How one user hears about alerts. Missing row = the defaults below."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_enabled = models.BooleanField(default=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = EncryptedTextField(blank=True)
    min_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.INFO)
    digest_enabled = models.BooleanField(
        default=False, help_text="One digest email a day instead of a notification per alert."
    )
    max_alerts_per_hour = models.PositiveIntegerField(
        default=20, help_text="Alerts past this many in an hour are recorded but not notified."
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_severity__in=["info", "warning", "critical"]), name="notify_settings_valid_severity"
            ),
        ]

    def __str__(self) -> str:
        return f"notification settings of {self.user_id}"


class NotificationAttempt(models.Model):
    """One try at delivering a notification: appended, never changed."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField()
    ok = models.BooleanField(default=False)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.FloatField(default=0)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} @ {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:30]}"
