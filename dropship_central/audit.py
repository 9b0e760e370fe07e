"""Recording who changed what. Services call `audit_record`; request context comes from the middleware."""

from typing import Any

import structlog
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from dropship_central.models import AuditLog

SECRET_MASK = "********"


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, list[Any]] | None = None,
    request: HttpRequest | None = None,
    message: str = "",
) -> AuditLog:
    """Append one audit entry. `changes` maps field names to `[old, new]`; secrets must be masked by the caller."""
    context = structlog.contextvars.get_contextvars()
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        changes=changes or {},
        message=message[:255],
        ip_address=_client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:512],
        request_id=str(getattr(request, "request_id", "") or context.get("request_id", "")),
    )


def diff_fields(
    before: dict[str, Any], after: dict[str, Any], *, secret_fields: frozenset[str] = frozenset()
) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed, JSON-safe, secrets masked."""
    changed: dict[str, list[Any]] = {}
    for field, new in after.items():
        old = before.get(field)
        if old != new:
            if field in secret_fields:
                changed[field] = [SECRET_MASK if old else "", SECRET_MASK if new else ""]
            else:
                changed[field] = [_json_safe(old), _json_safe(new)]
    return changed


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str, list, dict)):
        return value
    return str(value)


def _client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
