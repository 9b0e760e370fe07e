"""eBay OAuth2 (authorization-code grant): the consent link, its signed `state`, and the token endpoint.

The `state` carried through eBay's consent page is signed with the project's SECRET_KEY, expires after
`EBAY_OAUTH_STATE_MAX_AGE` seconds and names the user, the store account and a one-time nonce kept on the
account, so a callback can only complete the consent that this user started for this store, once.
Token requests go to `{base}/identity/v1/oauth2/token` with HTTP Basic client credentials, form-encoded.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.conf import settings
from django.core import signing
from django.utils import timezone

from dropship_central.http import ClientConfig, HttpError, OutboundClient

SCOPE_ROOT = "https://api.ebay.com/oauth/api_scope"
EBAY_SCOPES: tuple[str, ...] = (
    f"{SCOPE_ROOT}/sell.inventory",
    f"{SCOPE_ROOT}/sell.account",
    f"{SCOPE_ROOT}/sell.fulfillment",
)
TOKEN_PATH = "/identity/v1/oauth2/token"
STATE_SALT = "marketplaces.oauth.ebay-state"
HTTP_TARGET = "ebay"


class OAuthError(Exception):
    """The token endpoint refused or failed. `permanent` says whether trying again can help."""

    permanent = False

    def __init__(self, message: str, *, code: str = "oauth_error") -> None:
        super().__init__(message)
        self.code = code


class InvalidGrantError(OAuthError):
    """The code or refresh token is expired, revoked or issued to another client: consent must be given again."""

    permanent = True


class OAuthClientError(OAuthError):
    """eBay refused the application's own credentials or scopes: the store's credentials must be fixed."""

    permanent = True


class StateError(Exception):
    """The callback's `state` is missing, tampered with, expired or bound to something else."""


@dataclass(frozen=True)
class StateClaims:
    user_id: int
    account_id: int
    nonce: str


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str = ""
    refresh_token_expires_at: datetime | None = None
    scopes: list[str] = field(default_factory=list)


def ebay_base_url(environment: str) -> str:
    """The API base URL (also the token endpoint's host) for `production` or `sandbox`."""
    name = "EBAY_SANDBOX_BASE_URL" if environment == "sandbox" else "EBAY_BASE_URL"
    return str(getattr(settings, name)).rstrip("/")


def ebay_auth_base_url(environment: str) -> str:
    name = "EBAY_SANDBOX_AUTH_BASE_URL" if environment == "sandbox" else "EBAY_AUTH_BASE_URL"
    return str(getattr(settings, name)).rstrip("/")


def ebay_http_client() -> OutboundClient:
    """An outbound client for eBay: no proxies (eBay is called as ourselves), options from `EBAY_HTTP`."""
    config = ClientConfig(target=HTTP_TARGET)
    for name, value in settings.EBAY_HTTP.items():
        setattr(config, name, type(getattr(config, name))(value))
    config.headers = {"Accept": "application/json", "Accept-Language": "en-US"}
    return OutboundClient(config)


def nonce_new() -> str:
    return secrets.token_urlsafe(24)


def state_sign(*, user_id: int, account_id: int, nonce: str) -> str:
    return signing.dumps({"u": user_id, "a": account_id, "n": nonce}, salt=STATE_SALT, compress=True)


def state_verify(state: str) -> StateClaims:
    """The claims of a state this project signed within `EBAY_OAUTH_STATE_MAX_AGE`; `StateError` otherwise."""
    if not state:
        raise StateError("The callback carries no state.")
    try:
        claims = signing.loads(state, salt=STATE_SALT, max_age=settings.EBAY_OAUTH_STATE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise StateError("The consent link has expired; start the connection again.") from exc
    except signing.BadSignature as exc:
        raise StateError("The state does not match a consent this service started.") from exc
    try:
        return StateClaims(user_id=int(claims["u"]), account_id=int(claims["a"]), nonce=str(claims["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise StateError("The state does not match a consent this service started.") from exc


def ebay_consent_url(*, environment: str, client_id: str, ru_name: str, state: str) -> str:
    """eBay's consent page for our scopes. Scopes are space-separated, so they travel joined by `+`."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": ru_name,
            "scope": " ".join(EBAY_SCOPES),
            "state": state,
        },
        quote_via=quote_plus,
        safe=":/",
    )
    return f"{ebay_auth_base_url(environment)}/oauth2/authorize?{query}"


def ebay_code_exchange(*, environment: str, credentials: dict[str, Any], code: str) -> TokenGrant:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": credentials.get("ru_name", "")}
    return _token_request(environment=environment, credentials=credentials, form=form)


def ebay_token_refresh(*, environment: str, credentials: dict[str, Any], refresh_token: str) -> TokenGrant:
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "scope": " ".join(EBAY_SCOPES)}
    return _token_request(environment=environment, credentials=credentials, form=form)


def _token_request(*, environment: str, credentials: dict[str, Any], form: dict[str, str]) -> TokenGrant:
    basic = base64.b64encode(f"{credentials.get('client_id', '')}:{credentials.get('client_secret', '')}".encode())
    headers = {"Authorization": f"Basic {basic.decode()}", "Content-Type": "application/x-www-form-urlencoded"}
    client = ebay_http_client()
    try:
        result = client.fetch("POST", ebay_base_url(environment) + TOKEN_PATH, headers=headers, data=form)
    except HttpError as exc:
        raise OAuthError(f"eBay's token endpoint is unavailable: {exc}", code="unavailable") from exc
    finally:
        client.close()
    body = _json_object(result.text)
    if result.status != 200:
        raise _token_error(result.status, body)
    return _grant(body)


def _json_object(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise OAuthError(f"eBay's token endpoint answered something that is not JSON: {text[:200]!r}") from exc
    if not isinstance(body, dict):
        raise OAuthError(f"eBay's token endpoint answered something that is not an object: {text[:200]!r}")
    return body


def _token_error(status: int, body: dict[str, Any]) -> OAuthError:
    code = str(body.get("error") or f"http_{status}")
    message = str(body.get("error_description") or body.get("error") or f"HTTP {status}")
    if code == "invalid_grant":
        return InvalidGrantError(f"eBay refused the grant: {message}", code=code)
    if code in {"invalid_client", "unauthorized_client", "invalid_scope"}:
        return OAuthClientError(f"eBay refused the application credentials: {message}", code=code)
    return OAuthError(f"eBay's token endpoint answered {status}: {message}", code=code)


def _grant(body: dict[str, Any]) -> TokenGrant:
    try:
        now = timezone.now()
        refresh_in = body.get("refresh_token_expires_in")
        return TokenGrant(
            access_token=str(body["access_token"]),
            access_token_expires_at=now + timedelta(seconds=int(body.get("expires_in", 7200))),
            refresh_token=str(body.get("refresh_token") or ""),
            refresh_token_expires_at=now + timedelta(seconds=int(refresh_in)) if refresh_in else None,
            scopes=str(body.get("scope") or "").split() or list(EBAY_SCOPES),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise OAuthError("eBay's token endpoint answered without a usable access token.") from exc
