"""Shopify's OAuth install (authorization-code grant) for the platform's app, and revoking its access.

The install link is `{SHOPIFY_BASE_URL}/admin/oauth/authorize` (`{shop}` replaced by the shop domain) with the app's
client id, scopes, redirect URI and the same signed, single-use `state` eBay's consent uses
(`marketplaces.oauth.state_sign`). Shopify redirects back with `code`, `shop`, `state`, `timestamp`, `host` and an
`hmac`: the hex HMAC-SHA256, keyed with the app's client secret, of every other query parameter sorted by name and
joined as `name=value` with `&` (`%` and `&` escaped, `=` escaped in names, as Shopify's own libraries do). The code is
exchanged at `{base}/admin/oauth/access_token` for an offline access token. `DELETE /admin/api_permissions/current.json`
removes the app from the shop, which revokes that token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from dropship_central.http import ClientConfig, HttpError, OutboundClient
from marketplaces.oauth import InvalidGrantError, OAuthError

AUTHORIZE_PATH = "/admin/oauth/authorize"
ACCESS_TOKEN_PATH = "/admin/oauth/access_token"
REVOKE_PATH = "/admin/api_permissions/current.json"
HTTP_TARGET = "shopify"
DEFAULT_SCOPES = "read_products,write_products,read_inventory,write_inventory,read_locations,read_orders"


@dataclass(frozen=True)
class ShopifyApp:
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str


@dataclass(frozen=True)
class ShopifyGrant:
    access_token: str
    scopes: list[str]


def shopify_app() -> ShopifyApp:
    """The platform's Shopify app from settings (`SHOPIFY_CLIENT_ID`, `SHOPIFY_CLIENT_SECRET`, `SHOPIFY_SCOPES`,
    `SHOPIFY_REDIRECT_URI`); empty values mean the OAuth install is not configured."""
    return ShopifyApp(
        client_id=str(getattr(settings, "SHOPIFY_CLIENT_ID", "") or ""),
        client_secret=str(getattr(settings, "SHOPIFY_CLIENT_SECRET", "") or ""),
        scopes=str(getattr(settings, "SHOPIFY_SCOPES", "") or DEFAULT_SCOPES),
        redirect_uri=str(getattr(settings, "SHOPIFY_REDIRECT_URI", "") or ""),
    )


def shop_base_url(shop_domain: str) -> str:
    return str(settings.SHOPIFY_BASE_URL).replace("{shop}", shop_domain).rstrip("/")


def shopify_install_url(*, shop_domain: str, app: ShopifyApp, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {"client_id": app.client_id, "scope": app.scopes, "redirect_uri": redirect_uri, "state": state}, safe=":/,"
    )
    return f"{shop_base_url(shop_domain)}{AUTHORIZE_PATH}?{query}"


def query_signature(params: Iterable[tuple[str, str]], *, secret: str) -> str:
    """The hex HMAC-SHA256 Shopify puts in `hmac`, over the decoded query pairs other than `hmac`."""
    pairs = []
    for key, value in params:
        if key == "hmac":
            continue
        name = key.replace("%", "%25").replace("=", "%3D").replace("&", "%26")
        pairs.append(f"{name}={value.replace('%', '%25').replace('&', '%26')}")
    message = "&".join(sorted(pairs))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def query_signature_valid(params: list[tuple[str, str]], *, secret: str) -> bool:
    given = [value for key, value in params if key == "hmac"]
    if len(given) != 1 or not secret:
        return False
    return hmac.compare_digest(query_signature(params, secret=secret), given[0].lower())


def shopify_code_exchange(*, shop_domain: str, app: ShopifyApp, code: str) -> ShopifyGrant:
    """An offline access token for `code`; `OAuthError` (permanent when Shopify refused the code)."""
    form = {"client_id": app.client_id, "client_secret": app.client_secret, "code": code}
    client = _http_client()
    try:
        result = client.fetch("POST", shop_base_url(shop_domain) + ACCESS_TOKEN_PATH, data=form)
    except HttpError as exc:
        raise OAuthError(f"Shopify's token endpoint is unavailable: {exc}", code="unavailable") from exc
    finally:
        client.close()
    if result.status != 200:
        raise _refusal(result.status, result.text)
    try:
        body = json.loads(result.text)
        return ShopifyGrant(
            access_token=str(body["access_token"]), scopes=[s for s in str(body.get("scope", "")).split(",") if s]
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise OAuthError("Shopify's token endpoint answered without a usable access token.") from exc


def shopify_access_revoke(*, shop_domain: str, access_token: str) -> None:
    """Remove the app from the shop (the token stops working). A token Shopify no longer knows counts as revoked."""
    client = _http_client()
    headers = {"X-Shopify-Access-Token": access_token, "Accept": "application/json"}
    try:
        result = client.fetch("DELETE", shop_base_url(shop_domain) + REVOKE_PATH, headers=headers)
    except HttpError as exc:
        raise OAuthError(f"Shopify did not answer the revoke: {exc}", code="unavailable") from exc
    finally:
        client.close()
    if result.status not in (200, 204, 401, 404):
        raise OAuthError(f"Shopify refused the revoke ({result.status}): {result.text[:200]}", code="revoke_failed")


def _refusal(status: int, text: str) -> OAuthError:
    """A 4xx means the code (or the app's credentials) was refused for good; anything else may pass."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    detail = text[:200]
    if isinstance(body, dict):
        detail = str(body.get("error_description") or body.get("error") or body.get("errors") or detail)
    if 400 <= status < 500:
        return InvalidGrantError(f"Shopify refused the authorization code ({status}): {detail}", code="invalid_grant")
    return OAuthError(f"Shopify's token endpoint answered {status}: {detail}", code=f"http_{status}")


def _http_client() -> OutboundClient:
    config = ClientConfig(target=HTTP_TARGET)
    for name, value in getattr(settings, "SHOPIFY_HTTP", {}).items():
        setattr(config, name, type(getattr(config, name))(value))
    config.headers = {"Accept": "application/json"}
    return OutboundClient(config)
