"""Alert verbs a customer performs: read and acknowledge. Each one is idempotent."""

from django.db import transaction
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert
from alerts.selectors import alerts_for_user
from dropship_central.audit import audit_record
from dropship_central.models import AuditLog


def alert_mark_read(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    """Mark the alert read; the first read time is kept."""
    with transaction.atomic():
        now = timezone.now()
        if Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now):
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=alert,
                changes={"read_at": [None, now.isoformat()]},
                request=request,
            )
    alert.refresh_from_db()
    return alert


def alert_acknowledge(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    """Acknowledge the alert, which also marks it read; the first times are kept."""
    with transaction.atomic():
        now = timezone.now()
        changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, read_at=Coalesce("read_at", now)
        )
        if changed:
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=alert,
                changes={"acknowledged_at": [None, now.isoformat()]},
                request=request,
            )
    alert.refresh_from_db()
    return alert


def alert_mark_all_read(*, user: User, request: HttpRequest | None = None) -> int:
    """Mark every unread alert of the user read; returns how many changed. Audited as one entry."""
    with transaction.atomic():
        count = alerts_for_user(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
        if count:
            audit_record(
                actor=user, action=AuditLog.Action.UPDATE, request=request, message=f"Marked {count} alerts read"
            )
    return count
