"""Delivering notifications: email through Django's mail backend, webhooks as signed JSON POSTs.

Webhooks
--------
Each delivery is `POST <your URL>` with a JSON body (`{"event": "alert", "alert": {...}}` or
`{"event": "digest", ...}`) and these headers:

- `X-Dropship-Timestamp`: Unix seconds when this attempt was signed (each retry is signed anew);
- `X-Dropship-Signature`: `v1=<hex>`, the HMAC-SHA256 of `f"{timestamp}.{body}"` keyed with your webhook
  secret (UTF-8), where `body` is the raw request body exactly as received;
- `X-Dropship-Delivery`: the notification id, the same on every retry (use it to drop duplicates).

To verify, a receiver:

1. reads the raw body bytes (before any JSON parsing) and the two headers;
2. refuses the request when `abs(now - timestamp)` is above its tolerance (5 minutes is a good default:
   this is what stops a captured request from being replayed later);
3. computes `hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()`;
4. compares it with the hex after `v1=` in constant time (`hmac.compare_digest`), and refuses on mismatch.

`webhook_signature_verify` below is that recipe, as a reference implementation.

Answer 2xx to acknowledge. 5xx, 408, 425, 429, timeouts and connection errors are retried by the `notify`
job with backoff (the job ledger's intervals: 10 s, 60 s, 5 min, 5 min) up to `NOTIFY_MAX_ATTEMPTS`; any
other answer (4xx, an unfollowed 3xx) fails the notification at once. Every attempt is
recorded as a `NotificationAttempt`.

Webhook URLs must be https and resolve only to public addresses (no private, loopback, link-local, reserved
or multicast ones), checked when set and again before each attempt. Setting WEBHOOKS_ALLOW_PRIVATE (test
settings only) lifts both checks so tests can deliver to a plain-HTTP loopback server.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from curl_cffi import CurlOpt
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alerts.models import Alert, Notification, NotificationAttempt, NotificationSettings
from dropship_central.api.exceptions import ServiceError
from dropship_central.http import ClientConfig, HttpError, OutboundClient

SIGNATURE_VERSION = "v1"
WEBHOOK_USER_AGENT = "DropshipCentral-Webhooks/1"
TOLERANCE_SECONDS = 300
DIGEST_MAX_ALERTS = 500


class DeliveryError(Exception):
    """A failed attempt; `permanent` says whether another attempt can help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class AttemptResult:
    ok: bool
    permanent: bool = False
    status_code: int | None = None
    error: str = ""


# --- Signing --------------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def webhook_signature_verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """The receiver's check, as documented above: fresh timestamp and matching HMAC (constant-time)."""
    try:
        age = abs((time.time() if now is None else now) - int(timestamp))
    except ValueError:
        return False
    if age > tolerance:
        return False
    expected = webhook_signature(secret=secret, timestamp=timestamp, body=body)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


# --- URL checks -----------------------------------------------------------------------------------


def webhook_url_check(url: str) -> None:
    """Refuse (ServiceError, validation) a URL that is not https or whose host resolves to a non-public address."""
    problem = _url_problem(url)
    if problem:
        raise ServiceError("The request is invalid.", code="validation_error", details={"webhook_url": [problem]})


def _url_problem(url: str) -> str | None:
    return webhook_destination(url)[0]


def webhook_destination(url: str) -> tuple[str | None, str | None]:
    """`(problem, pin)`: why the URL is refused, or the `host:port:address` to connect to.

    The host is resolved once and every address checked; delivery then connects to the checked address (curl's
    RESOLVE), so a DNS answer that changes between the check and the connection cannot reach a private host.
    """
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return "Use an https URL.", None
    if not parts.hostname:
        return "The URL has no host.", None
    if parts.username or parts.password:
        return "Put no credentials in the URL; the signature authenticates us.", None
    if allow_private:
        return None, None
    try:
        port = parts.port or 443
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        return "The host does not resolve.", None
    if not infos or any(not _is_public(info[4][0]) for info in infos):
        return "The host resolves to a private, loopback, link-local or reserved address.", None
    address = str(infos[0][4][0])
    return None, f"{parts.hostname}:{port}:{f'[{address}]' if ':' in address else address}"


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


# --- Payloads -------------------------------------------------------------------------------------


def alert_summary(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "type": alert.type,
        "severity": alert.severity,
        "message": alert.message,
        "context": alert.context,
        "rule": alert.rule_id,
        "product": alert.product_id,
        "listing": alert.listing_id,
        "created_at": alert.created_at.isoformat() if alert.created_at else None,
    }


def alert_payload(alert: Alert) -> dict[str, Any]:
    return {"event": "alert", "alert": alert_summary(alert)}


def digest_payload(alerts: Iterable[Alert]) -> dict[str, Any]:
    rows = list(alerts)
    return {
        "event": "digest",
        "count": len(rows),
        "alerts": [alert_summary(alert) for alert in rows[:DIGEST_MAX_ALERTS]],
    }


def email_subject(alert: Alert) -> str:
    return f"[Dropship Central] {alert.severity.upper()}: {alert.message}"[:255]


def email_body(payload: dict[str, Any]) -> str:
    if payload.get("event") == "digest":
        lines = [f"{payload['count']} alerts since your last digest:", ""]
        lines += [f"- [{row['severity']}] {row['created_at']}: {row['message']}" for row in payload["alerts"]]
        hidden = payload["count"] - len(payload["alerts"])
        if hidden > 0:
            lines.append(f"… and {hidden} more in the alerts API.")
        return "\n".join(lines)
    alert = payload.get("alert", {})
    context = alert.get("context") or {}
    lines = [alert.get("message", ""), ""]
    if context.get("reading") is not None or context.get("threshold") is not None:
        lines.append(f"Reading: {context.get('reading')} {context.get('unit', '')}".rstrip())
        lines.append(f"Threshold: {context.get('threshold')}")
    for action in context.get("actions") or []:
        lines.append(f"Listing {action['listing']}: {action['action']} ({action['result']})")
    return "\n".join(lines)


# --- Delivery -------------------------------------------------------------------------------------


def notification_deliver(*, notification_id: int) -> dict[str, Any]:
    """One delivery attempt of a pending notification, recorded. Raises `DeliveryError` when it failed, so the
    job is retried (transient) or failed (permanent, or out of attempts). A sent or failed one is left alone."""
    from alerts.services import NOTIFY_MAX_ATTEMPTS

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.status != Notification.Status.PENDING:
        return {"notification": notification_id, "status": notification.status if notification else "missing"}
    started = time.perf_counter()
    result = _send(notification)
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    final = result.ok or result.permanent or notification.attempts + 1 >= NOTIFY_MAX_ATTEMPTS
    status = _record(notification, result, duration_ms=duration_ms, final=final)
    if not result.ok:
        raise DeliveryError(result.error, permanent=final)
    return {"notification": notification.pk, "status": status}


def _record(notification: Notification, result: AttemptResult, *, duration_ms: float, final: bool) -> str:
    now = timezone.now()
    if result.ok:
        status = Notification.Status.SENT
    else:
        status = Notification.Status.FAILED if final else Notification.Status.PENDING
    with transaction.atomic():
        NotificationAttempt.objects.create(
            notification=notification,
            attempted_at=now,
            ok=result.ok,
            status_code=result.status_code,
            error=result.error,
            duration_ms=duration_ms,
        )
        Notification.objects.filter(pk=notification.pk).update(
            attempts=F("attempts") + 1,
            status=status,
            last_status_code=result.status_code,
            last_error=result.error,
            sent_at=now if result.ok else None,
        )
    return status


def _send(notification: Notification) -> AttemptResult:
    if notification.channel == Notification.Channel.EMAIL:
        return _send_email(notification)
    return _send_webhook(notification)


def _send_email(notification: Notification) -> AttemptResult:
    message = EmailMessage(
        subject=notification.subject,
        body=email_body(notification.payload),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.destination],
    )
    try:
        message.send(fail_silently=False)
    except (OSError, ValueError) as exc:  # smtplib errors are OSErrors
        return AttemptResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:1000])
    return AttemptResult(ok=True)


def _send_webhook(notification: Notification) -> AttemptResult:
    problem, pin = webhook_destination(notification.destination)
    if problem:
        return AttemptResult(ok=False, permanent=True, error=problem)
    secret = NotificationSettings.objects.filter(user_id=notification.user_id).values_list("webhook_secret", flat=True)
    secret_value = secret.first()
    if not secret_value:
        return AttemptResult(ok=False, permanent=True, error="No webhook secret is set.")
    body = json.dumps(notification.payload, sort_keys=True, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Dropship-Timestamp": timestamp,
        "X-Dropship-Signature": webhook_signature(secret=secret_value, timestamp=timestamp, body=body),
        "X-Dropship-Delivery": str(notification.pk),
    }
    return _post(notification.destination, body, headers, pin=pin)


def _post(url: str, body: bytes, headers: dict[str, str], *, pin: str | None) -> AttemptResult:
    # One attempt per job run: the job's retries (with backoff) make the next ones, each recorded.
    config = ClientConfig(
        target="webhook",
        max_attempts=1,
        connect_timeout=5.0,
        read_timeout=10.0,
        follow_redirects=False,
        impersonate=False,
        headers={"User-Agent": WEBHOOK_USER_AGENT},
        curl_options={CurlOpt.RESOLVE: [pin]} if pin else {},
    )
    client = OutboundClient(config)
    try:
        response = client.fetch("POST", url, data=body, headers=headers)
    except HttpError as exc:
        status = exc.response.status if exc.response is not None else None
        return AttemptResult(ok=False, permanent=exc.permanent, status_code=status, error=str(exc)[:1000])
    finally:
        client.close()
    if 200 <= response.status < 300:
        return AttemptResult(ok=True, status_code=response.status)
    transient = response.status >= 500
    return AttemptResult(
        ok=False, permanent=not transient, status_code=response.status, error=f"HTTP {response.status}"
    )
