"""Account verbs: sign-up, logins, profile, API keys, tier quotas."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account import signals as allauth_signals
from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import status

from accounts.models import ApiKey, User
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.models import AuditLog

API_KEY_SCHEME = "dc"
API_KEY_PREFIX_BYTES = 5
API_KEY_SECRET_BYTES = 32
# `last_used_at` is a hint, not a ledger: write it at most once per interval per key.
API_KEY_TOUCH_INTERVAL = timedelta(seconds=60)
USER_EDITABLE_FIELDS = ("company", "default_currency")


def quota_limit(*, user: User, resource: str) -> int:
    """How many `resource` objects ("tracked_products", "listings", "store_accounts") the tier allows."""
    return settings.TIER_QUOTAS[user.tier][resource]


def quota_check(*, user: User, resource: str, current: int, adding: int = 1) -> None:
    """Refuse with a `quota_exceeded` error when `current + adding` would pass the tier's limit."""
    limit = quota_limit(user=user, resource=resource)
    if current + adding > limit:
        raise ServiceError(
            f"Your {user.tier} plan allows {limit} {resource.replace('_', ' ')}.",
            code="quota_exceeded",
            status_code=status.HTTP_403_FORBIDDEN,
            details={"resource": resource, "limit": limit, "current": current},
        )


# --- Users ------------------------------------------------------------------------------------


def user_signup(*, email: str, password: str, request: HttpRequest | None = None) -> User:
    """Create an account the way allauth's sign-up form does, and send the verification email
    when `ACCOUNT_EMAIL_VERIFICATION` is "optional" or "mandatory"."""
    adapter = get_adapter(request)
    email = _clean_signup_email(adapter=adapter, email=email)
    user, address = _user_create_with_address(email=email, password=password, request=request, adapter=adapter)
    allauth_signals.user_signed_up.send(sender=User, request=request, user=user)
    if allauth_settings.EMAIL_VERIFICATION != allauth_settings.EmailVerificationMethod.NONE:
        address.send_confirmation(request, signup=True)
    return user


def _clean_signup_email(*, adapter: Any, email: str) -> str:
    try:
        email = adapter.clean_email(User.objects.normalize_email(email).strip().lower())
    except DjangoValidationError as exc:
        raise ServiceError(" ".join(exc.messages), code="invalid_email", details={"email": exc.messages}) from exc
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(
            "An account with this email address already exists.",
            code="email_taken",
            details={"email": ["An account with this email address already exists."]},
        )
    return email


@transaction.atomic
def _user_create_with_address(
    *, email: str, password: str, request: HttpRequest | None, adapter: Any
) -> tuple[User, EmailAddress]:
    user = User(email=email)
    try:
        adapter.clean_password(password, user=user)
    except DjangoValidationError as exc:
        raise ServiceError(" ".join(exc.messages), code="invalid_password", details={"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ServiceError("An account with this email address already exists.", code="email_taken") from exc
    address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
    audit_record(
        actor=user,
        action=AuditLog.Action.CREATE,
        obj=user,
        changes={"email": [None, email], "tier": [None, user.tier]},
        request=request,
        message="sign-up",
    )
    return user, address


@transaction.atomic
def user_email_verify(*, user: User) -> EmailAddress:
    """Mark the user's login email as verified (operators, demo data, fixtures); the web flow does this itself."""
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    return address


def user_email_is_verified(*, user: User) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def user_can_obtain_token(*, user: User) -> None:
    """Refuse API tokens to an account whose email is unverified while verification is mandatory."""
    mandatory = allauth_settings.EMAIL_VERIFICATION == allauth_settings.EmailVerificationMethod.MANDATORY
    if mandatory and not user_email_is_verified(user=user):
        raise ServiceError(
            "Verify your email address first: follow the link in the email we sent you.",
            code="email_not_verified",
            status_code=status.HTTP_403_FORBIDDEN,
        )


def user_login_record(*, user: User, request: HttpRequest | None, method: str) -> AuditLog:
    """Audit one successful login (`method`: "session", "jwt")."""
    return audit_record(
        actor=user, action=AuditLog.Action.LOGIN, obj=user, request=request, message=f"login via {method}"
    )


@transaction.atomic
def user_update(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> User:
    """Change the profile fields a customer may edit (company, default currency); others are refused."""
    unknown = sorted(set(data) - set(USER_EDITABLE_FIELDS))
    if unknown:
        raise ServiceError(
            "These fields cannot be changed.",
            code="read_only_fields",
            details={field: ["read-only"] for field in unknown},
        )
    before = {field: getattr(user, field) for field in data}
    for field, value in data.items():
        setattr(user, field, value)
    changes = diff_fields(before, {field: getattr(user, field) for field in data})
    if changes:
        user.save(update_fields=list(changes))
        audit_record(actor=user, action=AuditLog.Action.UPDATE, obj=user, changes=changes, request=request)
    return user


# --- API keys ---------------------------------------------------------------------------------


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _parse_prefix(raw_key: str) -> str | None:
    scheme, _, rest = raw_key.partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != API_KEY_SCHEME or not prefix or not secret:
        return None
    return prefix


def api_key_create(
    *, user: User, name: str, expires_at: datetime | None = None, request: HttpRequest | None = None
) -> tuple[ApiKey, str]:
    """Issue a key `dc_<prefix>_<secret>`. The raw key is returned once; only its SHA-256 hash is stored."""
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(
            "The expiry must be in the future.",
            code="invalid_expiry",
            details={"expires_at": ["Must be in the future."]},
        )
    with transaction.atomic():
        api_key, raw_key = _api_key_insert(user=user, name=name, expires_at=expires_at)
        audit_record(
            actor=user,
            action=AuditLog.Action.CREATE,
            obj=api_key,
            changes=diff_fields({}, {"name": name, "prefix": api_key.prefix, "expires_at": expires_at}),
            request=request,
        )
    return api_key, raw_key


def _api_key_insert(*, user: User, name: str, expires_at: datetime | None) -> tuple[ApiKey, str]:
    try:
        with transaction.atomic():
            return _api_key_row(user=user, name=name, expires_at=expires_at)
    except IntegrityError:
        # The unique prefix has 40 random bits: one retry makes a second collision negligible.
        return _api_key_row(user=user, name=name, expires_at=expires_at)


def _api_key_row(*, user: User, name: str, expires_at: datetime | None) -> tuple[ApiKey, str]:
    prefix = secrets.token_hex(API_KEY_PREFIX_BYTES)
    raw_key = f"{API_KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(API_KEY_SECRET_BYTES)}"
    api_key = ApiKey.objects.create(
        user=user, name=name, prefix=prefix, hashed_key=_hash_key(raw_key), expires_at=expires_at
    )
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(
    *, user: User, api_key: ApiKey, actor: User | None = None, request: HttpRequest | None = None
) -> ApiKey:
    """Revoke one of the user's keys; revoking twice changes nothing. `actor`: an operator acting for the user."""
    if api_key.user_id != user.pk:
        raise ServiceError("Not found.", code="not_found", status_code=status.HTTP_404_NOT_FOUND)
    now = timezone.now()
    revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        api_key.revoked_at = now
        audit_record(
            actor=actor or user,
            action=AuditLog.Action.DELETE,
            obj=api_key,
            changes={"revoked_at": [None, now.isoformat()]},
            request=request,
            message="api key revoked",
        )
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The active key matching `raw_key`, or None (unknown, malformed, revoked, expired, inactive user)."""
    prefix = _parse_prefix(raw_key)
    if prefix is None:
        return None
    api_key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if api_key is None or not hmac.compare_digest(api_key.hashed_key, _hash_key(raw_key)):
        return None
    if not api_key.is_active or not api_key.user.is_active:
        return None
    _api_key_touch(api_key=api_key)
    return api_key


def _api_key_touch(*, api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < API_KEY_TOUCH_INTERVAL:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
