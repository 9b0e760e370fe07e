"""Reads of alerts and notifications, always scoped to their owner."""

from django.db.models import QuerySet

from accounts.models import User
from alerts.models import Alert, Notification


def alerts_for_user(*, user: User) -> QuerySet[Alert]:
    return Alert.objects.filter(user=user)


def notifications_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)
