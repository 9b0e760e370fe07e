"""Store account verbs: add a store with its credentials, connect it through eBay's consent, keep its token fresh,
disconnect or delete it."""

import re
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
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
from marketplaces.oauth import (
    OAuthError,
    StateError,
    TokenGrant,
    ebay_code_exchange,
    ebay_consent_url,
    ebay_token_refresh,
    nonce_new,
    state_sign,
    state_verify,
)
from marketplaces.plugins.base import MarketplaceDownError, MarketplaceError, ReconnectNeededError
from marketplaces.selectors import store_account_count_for_quota
from marketplaces.shopify_oauth import (
    ShopifyApp,
    query_signature_valid,
    shopify_access_revoke,
    shopify_app,
    shopify_code_exchange,
    shopify_install_url,
)

logger = structlog.get_logger(__name__)

SECRET_FIELDS = frozenset({"credentials", "access_token", "refresh_token"})
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    StoreAccount.Marketplace.EBAY: ("client_id", "client_secret"),
    StoreAccount.Marketplace.SHOPIFY: (),
}
OPTIONAL_CREDENTIALS: dict[str, tuple[str, ...]] = {
    StoreAccount.Marketplace.EBAY: ("ru_name",),
    StoreAccount.Marketplace.SHOPIFY: ("access_token",),
}
SHOP_DOMAIN_RE = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
AUDITED_FIELDS = (
    "marketplace",
    "name",
    "environment",
    "shop_domain",
    "status",
    "install_method",
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
    """Add a store. A Shopify custom-app token connects at once; eBay, and Shopify without a token, wait for the
    OAuth consent (`store_account_connect_start`)."""
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

    Listings and their sales history stay readable after a disconnect. Either way what can be revoked at the
    marketplace is revoked first (see `store_account_disconnect`). Returns True when the row was deleted.
    """
    revoke_note = _revoke_access(account)
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
                message=revoke_note,
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
                message=f"Store disconnected; {revoke_note}",
            )
        return False


def store_account_connect_start(*, account: StoreAccount, redirect_uri: str = "") -> str:
    """Begin the OAuth consent: a fresh one-time nonce on the account and the page to send the user to.

    eBay: its consent page for the store's own application. Shopify: the platform app's install page on the
    store's shop; `redirect_uri` is used when `SHOPIFY_REDIRECT_URI` is not set.
    """
    if account.marketplace == StoreAccount.Marketplace.SHOPIFY:
        return _shopify_connect_start(account=account, redirect_uri=redirect_uri)
    if account.marketplace != StoreAccount.Marketplace.EBAY:
        raise ServiceError("This marketplace does not connect through a consent page.", code="not_oauth")
    credentials = account.credentials or {}
    missing = [key for key in ("client_id", "client_secret", "ru_name") if not credentials.get(key)]
    if missing:
        raise ServiceError(
            "The store needs its eBay application credentials before it can connect.",
            code="credentials_missing",
            details={"credentials": missing},
        )
    state = _new_state(account)
    return ebay_consent_url(
        environment=account.environment,
        client_id=credentials["client_id"],
        ru_name=credentials["ru_name"],
        state=state,
    )


def _shopify_connect_start(*, account: StoreAccount, redirect_uri: str) -> str:
    custom_app = account.install_method != StoreAccount.InstallMethod.OAUTH
    if account.access_token and account.status == StoreAccount.Status.CONNECTED and custom_app:
        raise ServiceError(
            "This Shopify store is connected with its custom app's access token; disconnect it to install instead.",
            code="not_oauth",
        )
    app = shopify_app()
    if not app.client_id or not app.client_secret:
        raise ServiceError(
            "The Shopify app is not configured (SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET).", code="not_configured"
        )
    if error := shop_domain_error(marketplace=account.marketplace, shop_domain=account.shop_domain):
        raise ServiceError(error, code="validation_error", details={"shop_domain": [error]})
    state = _new_state(account)
    return shopify_install_url(
        shop_domain=account.shop_domain, app=app, redirect_uri=app.redirect_uri or redirect_uri, state=state
    )


def _new_state(account: StoreAccount) -> str:
    with transaction.atomic():
        locked = StoreAccount.objects.select_for_update().get(pk=account.pk)
        locked.oauth_nonce = nonce_new()
        locked.save(update_fields=["oauth_nonce", "updated_at"])
    return state_sign(user_id=locked.user_id, account_id=locked.pk, nonce=locked.oauth_nonce)


def store_account_connect_complete(
    *,
    state: str,
    code: str = "",
    error: str = "",
    error_description: str = "",
    user: Any = None,
    request: HttpRequest | None = None,
) -> StoreAccount:
    """Finish eBay's consent: check `state`, then record a refusal or exchange `code` for tokens.

    `user` is whoever follows the redirect; when signed in, it must be the user the state names.
    """
    try:
        claims = state_verify(state)
    except StateError as exc:
        raise ServiceError(str(exc), code="state_mismatch") from exc
    with transaction.atomic():
        account = _claimed_account(account_id=claims.account_id, owner_id=claims.user_id, nonce=claims.nonce, user=user)
        if account.marketplace != StoreAccount.Marketplace.EBAY:
            raise ServiceError("The state does not match a consent this service started.", code="state_mismatch")
        before = _snapshot(account)
        account.oauth_nonce = ""
        failure = _consent_refused(error, error_description, marketplace="eBay") if error or not code else None
        if failure is None:
            failure = _consent_exchange(account, code)
        else:
            account.last_error = str(failure.detail)
        account.save()
        _audit_change(account, before, actor=account.user, request=request, message="eBay consent")
    if failure is not None:
        raise failure
    return account


def store_account_shopify_connect_complete(
    *, params: list[tuple[str, str]], user: Any = None, request: HttpRequest | None = None
) -> StoreAccount:
    """Finish Shopify's install: the query's HMAC, then `state`, then the shop, then the code exchange.

    `params` is the callback's decoded query, in order. Every step that fails answers a `ServiceError`: `hmac_invalid`,
    `state_mismatch`, `consent_denied`, `shop_mismatch`, `consent_rejected` or `marketplace_unavailable` (502).
    """
    query = dict(params)
    app = shopify_app()
    if not query_signature_valid(params, secret=app.client_secret):
        raise ServiceError("The callback's signature (hmac) does not match the Shopify app.", code="hmac_invalid")
    try:
        claims = state_verify(query.get("state", ""))
    except StateError as exc:
        raise ServiceError(str(exc), code="state_mismatch") from exc
    with transaction.atomic():
        account = _claimed_account(account_id=claims.account_id, owner_id=claims.user_id, nonce=claims.nonce, user=user)
        if account.marketplace != StoreAccount.Marketplace.SHOPIFY:
            raise ServiceError("The state does not match a consent this service started.", code="state_mismatch")
        before = _snapshot(account)
        account.oauth_nonce = ""
        failure = _shopify_callback_problem(account, query)
        if failure is None:
            failure = _shopify_exchange(account, app, query["code"])
        else:
            account.last_error = str(failure.detail)
        account.save()
        _audit_change(account, before, actor=account.user, request=request, message="Shopify install")
    if failure is not None:
        raise failure
    return account


def _shopify_callback_problem(account: StoreAccount, query: dict[str, str]) -> ServiceError | None:
    if query.get("error") or not query.get("code"):
        return _consent_refused(query.get("error", ""), query.get("error_description", ""), marketplace="Shopify")
    shop = shop_domain_normalize(query.get("shop", ""))
    if not SHOP_DOMAIN_RE.fullmatch(shop) or shop != account.shop_domain:
        return ServiceError(
            f"Shopify answered for the shop {shop or '(none)'}, not {account.shop_domain}.",
            code="shop_mismatch",
            details={"shop": shop},
        )
    return None


def _shopify_exchange(account: StoreAccount, app: ShopifyApp, code: str) -> ServiceError | None:
    try:
        grant = shopify_code_exchange(shop_domain=account.shop_domain, app=app, code=code)
    except OAuthError as exc:
        account.last_error = str(exc)
        if exc.permanent:
            return ServiceError(str(exc), code="consent_rejected")
        return ServiceError(str(exc), code="marketplace_unavailable", status_code=status.HTTP_502_BAD_GATEWAY)
    account.access_token = grant.access_token
    account.scopes = grant.scopes
    account.install_method = StoreAccount.InstallMethod.OAUTH
    account.status = StoreAccount.Status.CONNECTED
    account.connected_at = timezone.now()
    account.last_error = ""
    return None


def store_account_refresh(*, account: StoreAccount, stale_token: str = "") -> StoreAccount:
    """Make sure the account holds an access token that is not about to expire, refreshing it at most once.

    The row lock makes concurrent workers wait for one refresh and then use its token. `stale_token` is a token
    the marketplace just refused: it is replaced even when its recorded expiry is still ahead. Raises
    `ReconnectNeededError` (and records RECONNECT_NEEDED with the reason) when eBay refuses the refresh token,
    `MarketplaceDownError` when the token endpoint is unreachable.
    """
    if account.marketplace != StoreAccount.Marketplace.EBAY:
        return account
    with transaction.atomic():
        locked = StoreAccount.objects.select_for_update().get(pk=account.pk)
        before = _snapshot(locked)
        failure = None if _token_fresh(locked, stale_token) else _refresh_locked(locked)
        if before["status"] != locked.status:
            _audit_change(locked, before, actor=None, request=None, message="eBay token refresh refused")
    if failure is not None:
        raise failure
    return locked


def store_account_disconnect(*, account: StoreAccount, actor: User, request: HttpRequest | None = None) -> StoreAccount:
    """Disconnect a store: revoke what the marketplace lets us revoke, then wipe every stored secret.

    Shopify stores installed through our OAuth app are removed from the shop (`DELETE
    /admin/api_permissions/current.json`), which kills the token; a custom-app token belongs to the merchant's own
    app, which they uninstall in their Shopify admin. eBay offers no endpoint to revoke a user access or refresh
    token, so wiping them is all that can be done; the seller removes the application's access in their eBay
    account settings. A revoke that fails does not stop the disconnect; it is noted in the audit entry and
    `last_error`. Syncs skip any account that is not CONNECTED, so every sync for it stops. Listings and history stay.
    """
    revoke_note = _revoke_access(account)
    with transaction.atomic():
        locked = StoreAccount.objects.select_for_update().get(pk=account.pk)
        before = _snapshot(locked)
        _disconnect(locked)
        if revoke_note.startswith(REVOKE_FAILED):
            locked.last_error = revoke_note
            locked.save(update_fields=["last_error", "updated_at"])
        _audit_change(locked, before, actor=actor, request=request, message=f"Store disconnected; {revoke_note}")
    return locked


REVOKE_FAILED = "revoke failed"


def _revoke_access(account: StoreAccount) -> str:
    """Revoke the stored access at the marketplace when it can be; a short note of what happened, for the audit."""
    current = StoreAccount.objects.filter(pk=account.pk).first()
    if current is None or not current.access_token:
        return "no token to revoke"
    if current.marketplace == StoreAccount.Marketplace.EBAY:
        return "eBay has no revoke endpoint for user tokens; tokens wiped"
    if current.install_method != StoreAccount.InstallMethod.OAUTH:
        return "custom-app token wiped (the merchant uninstalls their own app)"
    try:
        shopify_access_revoke(shop_domain=current.shop_domain, access_token=current.access_token)
    except OAuthError as exc:
        logger.warning("store_account_revoke_failed", store_account_id=current.pk, error=str(exc))
        return f"{REVOKE_FAILED}: {exc}"[:255]
    return "Shopify app access revoked"


def store_account_listing_defaults_set(*, account: StoreAccount, defaults: dict[str, str]) -> StoreAccount:
    """Remember the marketplace ids new listings use (eBay policies and location), merged into what is stored."""
    with transaction.atomic():
        locked = StoreAccount.objects.select_for_update().get(pk=account.pk)
        before = {"listing_defaults": dict(locked.listing_defaults)}
        locked.listing_defaults = {**locked.listing_defaults, **defaults}
        locked.save(update_fields=["listing_defaults", "updated_at"])
        if changes := diff_fields(before, {"listing_defaults": locked.listing_defaults}):
            audit_record(actor=None, action=AuditLog.Action.UPDATE, obj=locked, changes=changes)
    account.listing_defaults = locked.listing_defaults
    return locked


def _claimed_account(*, account_id: int, owner_id: int, nonce: str, user: Any) -> StoreAccount:
    """The locked account a verified state names, refused unless owner, signed-in user and nonce all agree."""
    account = StoreAccount.objects.select_for_update().filter(pk=account_id).first()
    signed_in_as = getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None
    if account is None or account.user_id != owner_id or signed_in_as not in (None, owner_id):
        raise ServiceError("The state does not match a consent this service started.", code="state_mismatch")
    if not account.oauth_nonce or account.oauth_nonce != nonce:
        raise ServiceError(
            "This consent link was already used or replaced by a newer one; start the connection again.",
            code="state_mismatch",
        )
    return account


def _consent_refused(error: str, description: str, *, marketplace: str) -> ServiceError:
    reason = description or error or "no authorization code was returned"
    return ServiceError(
        f"{marketplace} consent was not given: {reason}.", code="consent_denied", details={"error": error}
    )


def _consent_exchange(account: StoreAccount, code: str) -> ServiceError | None:
    try:
        grant = ebay_code_exchange(environment=account.environment, credentials=account.credentials, code=code)
    except OAuthError as exc:
        account.last_error = str(exc)
        if exc.permanent:
            return ServiceError(str(exc), code="consent_rejected")
        return ServiceError(str(exc), code="marketplace_unavailable", status_code=status.HTTP_502_BAD_GATEWAY)
    _apply_grant(account, grant)
    account.status = StoreAccount.Status.CONNECTED
    account.connected_at = timezone.now()
    account.last_error = ""
    return None


def _token_fresh(account: StoreAccount, stale_token: str) -> bool:
    if account.status != StoreAccount.Status.CONNECTED or not account.access_token:
        return False
    if stale_token and account.access_token == stale_token:
        return False
    margin = timedelta(seconds=settings.EBAY_TOKEN_REFRESH_MARGIN)
    expires_at = account.access_token_expires_at
    return expires_at is not None and expires_at > timezone.now() + margin


def _refresh_locked(account: StoreAccount) -> MarketplaceError | None:
    """Refresh the locked account's access token; the error to raise once the lock is released, if any."""
    if account.status not in (StoreAccount.Status.CONNECTED, StoreAccount.Status.PENDING) or not account.refresh_token:
        return ReconnectNeededError(account.last_error or "The store is not connected: connect it again.")
    try:
        grant = ebay_token_refresh(
            environment=account.environment, credentials=account.credentials, refresh_token=account.refresh_token
        )
    except OAuthError as exc:
        if not exc.permanent:
            return MarketplaceDownError(str(exc))
        account.status = StoreAccount.Status.RECONNECT_NEEDED
        account.last_error = str(exc)
        account.access_token, account.refresh_token = "", ""
        account.access_token_expires_at = account.refresh_token_expires_at = None
        account.save()
        return ReconnectNeededError(str(exc))
    _apply_grant(account, grant)
    account.save()
    return None


def _apply_grant(account: StoreAccount, grant: TokenGrant) -> None:
    account.access_token = grant.access_token
    account.access_token_expires_at = grant.access_token_expires_at
    if grant.refresh_token:
        account.refresh_token = grant.refresh_token
        account.refresh_token_expires_at = grant.refresh_token_expires_at
    account.scopes = grant.scopes


def _audit_change(
    account: StoreAccount, before: dict[str, Any], *, actor: Any, request: HttpRequest | None, message: str
) -> None:
    changes = diff_fields(before, _snapshot(account), secret_fields=SECRET_FIELDS)
    if changes:
        audit_record(
            actor=actor, action=AuditLog.Action.UPDATE, obj=account, changes=changes, request=request, message=message
        )


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
    token = credentials.pop("access_token", "") if account.marketplace == StoreAccount.Marketplace.SHOPIFY else ""
    if token:
        account.access_token = token
        account.install_method = StoreAccount.InstallMethod.CUSTOM_APP
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
    account.install_method = ""
    account.save()


def _snapshot(account: StoreAccount) -> dict[str, Any]:
    return {field: getattr(account, field) for field in AUDITED_FIELDS}
