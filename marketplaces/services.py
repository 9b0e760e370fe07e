"""Store account verbs: connect a store with its credentials, disconnect or delete it."""

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from accounts.services import quota_check
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from marketplaces.selectors import store_account_count_for_quota

SECRET_FIELDS = frozenset({"credentials", "access_token", "refresh_token"})
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    StoreAccount.Marketplace.EBAY: ("client_id", "client_secret"),
    StoreAccount.Marketplace.SHOPIFY: ("access_token",),
}
OPTIONAL_CREDENTIALS: dict[str, tuple[str, ...]] = {
    StoreAccount.Marketplace.EBAY: ("ru_name",),
    StoreAccount.Marketplace.SHOPIFY: (),
}
SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
AUDITED_FIELDS = (
    "marketplace",
    "name",
    "environment",
    "shop_domain",
    "status",
    "connected_at",
    "access_token_expires_at",
    "refresh_token_expires_at",
    *sorted(SECRET_FIELDS),
)


def credentials_errors(*, marketplace: str, credentials: dict[str, Any]) -> dict[str, str]:
    """Per-key problems with `credentials` for `marketplace`; empty when they are acceptable."""
    required = REQUIRED_CREDENTIALS.get(marketplace, ())
    allowed = set(required) | set(OPTIONAL_CREDENTIALS.get(marketplace, ()))
    errors = {key: "This credential is required." for key in required if not credentials.get(key)}
    errors.update({key: "Unknown credential for this marketplace." for key in credentials if key not in allowed})
    errors.update(
        {key: "Must be a non-empty string." for key, value in credentials.items() if not isinstance(value, str)}
    )
    return errors


def shop_domain_normalize(value: str) -> str:
    """`https://My-Shop.myshopify.com/` → `my-shop.myshopify.com`."""
    domain = value.strip().lower().removeprefix("https://").removeprefix("http://")
    return domain.split("/", 1)[0]


def shop_domain_error(*, marketplace: str, shop_domain: str) -> str:
    """Why `shop_domain` is wrong for `marketplace`, or an empty string when it is fine."""
    if marketplace == StoreAccount.Marketplace.SHOPIFY:
        if not SHOP_DOMAIN_RE.fullmatch(shop_domain):
            return "Enter the shop's *.myshopify.com domain."
    elif shop_domain:
        return "Only Shopify stores have a shop domain."
    return ""


def store_account_create(
    *,
    user: User,
    marketplace: str,
    name: str,
    credentials: dict[str, Any],
    environment: str = StoreAccount.Environment.PRODUCTION,
    shop_domain: str = "",
    request: HttpRequest | None = None,
) -> StoreAccount:
    """Connect a store. Shopify custom-app tokens connect at once; eBay waits for its OAuth consent."""
    shop_domain = shop_domain_normalize(shop_domain)
    _validate(marketplace=marketplace, credentials=credentials, shop_domain=shop_domain)
    with transaction.atomic():
        # Lock the user row so two concurrent creates cannot both pass the quota.
        User.objects.select_for_update().filter(pk=user.pk).first()
        quota_check(user=user, resource="store_accounts", current=store_account_count_for_quota(user=user))
        account = StoreAccount(
            user=user, marketplace=marketplace, name=name, environment=environment, shop_domain=shop_domain
        )
        _apply_credentials(account, dict(credentials))
        try:
            with transaction.atomic():
                account.save()
        except IntegrityError as exc:
            raise ServiceError(
                "You already have a store with this name on this marketplace.",
                code="duplicate",
                status_code=status.HTTP_409_CONFLICT,
                details={"name": name},
            ) from exc
        audit_record(
            actor=user,
            action=AuditLog.Action.CREATE,
            obj=account,
            changes=diff_fields({}, _snapshot(account), secret_fields=SECRET_FIELDS),
            request=request,
        )
    return account


def store_account_remove(*, account: StoreAccount, actor: User, request: HttpRequest | None = None) -> bool:
    """Delete a store without listings; otherwise disconnect it: status DISCONNECTED, every secret wiped.

    Listings and their sales history stay readable after a disconnect. Returns True when the row was deleted.
    """
    with transaction.atomic():
        account = StoreAccount.objects.select_for_update().get(pk=account.pk)
        before = _snapshot(account)
        if not account.listings.exists():
            audit_record(
                actor=actor,
                action=AuditLog.Action.DELETE,
                obj=account,
                changes=diff_fields(before, dict.fromkeys(before), secret_fields=SECRET_FIELDS),
                request=request,
            )
            account.delete()
            return True
        _disconnect(account)
        changes = diff_fields(before, _snapshot(account), secret_fields=SECRET_FIELDS)
        if changes:
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=account,
                changes=changes,
                request=request,
                message="Store disconnected",
            )
        return False


def _validate(*, marketplace: str, credentials: dict[str, Any], shop_domain: str) -> None:
    if marketplace not in REQUIRED_CREDENTIALS:
        raise ServiceError("Unknown marketplace.", code="validation_error", details={"marketplace": [marketplace]})
    details: dict[str, Any] = {}
    if errors := credentials_errors(marketplace=marketplace, credentials=credentials):
        details["credentials"] = errors
    if error := shop_domain_error(marketplace=marketplace, shop_domain=shop_domain):
        details["shop_domain"] = [error]
    if details:
        raise ServiceError("The request is invalid.", code="validation_error", details=details)


def _apply_credentials(account: StoreAccount, credentials: dict[str, Any]) -> None:
    if account.marketplace == StoreAccount.Marketplace.SHOPIFY:
        account.access_token = credentials.pop("access_token")
        account.status = StoreAccount.Status.CONNECTED
        account.connected_at = timezone.now()
    account.credentials = credentials


def _disconnect(account: StoreAccount) -> None:
    account.status = StoreAccount.Status.DISCONNECTED
    account.credentials = {}
    account.access_token = ""
    account.refresh_token = ""
    account.access_token_expires_at = None
    account.refresh_token_expires_at = None
    account.save()


def _snapshot(account: StoreAccount) -> dict[str, Any]:
    return {field: getattr(account, field) for field in AUDITED_FIELDS}
