"""Reads of alerts, notifications, policy rules and notification settings, always scoped to their owner."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from alerts.models import Alert, Notification, NotificationAttempt, NotificationSettings, PolicyRule


def alerts_for_user(*, user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(user=user)


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notifications_with_attempts_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's notifications with their delivery attempts loaded, oldest attempt first."""
    attempts = NotificationAttempt.objects.order_by("attempted_at", "id")
    return notifications_for_user(user=user).prefetch_related(Prefetch("attempt_log", queryset=attempts))


def policy_rules_for_user(*, user: User) -> QuerySet[PolicyRule]:
    return PolicyRule.objects.filter(user=user)


def notification_settings_for_user(*, user: User) -> NotificationSettings:
    """The user's settings, or the defaults (unsaved) when they never changed them."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)
