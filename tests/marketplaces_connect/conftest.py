"""A loopback Shopify for the OAuth install: the token exchange and the app-permission revoke."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.loopback import LoopbackServer, Reply, Seen

CLIENT_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
CLIENT_SECRET = "shpss_0123456789abcdef0123456789abcdef"
SHOP = "dropship-demo.myshopify.com"
CODE = "3d6a1c2b0e9f8a7b"
ISSUED_TOKEN = "shpua_issued_0123456789"
FAST_HTTP = {
    "connect_timeout": 2.0,
    "read_timeout": 1.0,
    "max_attempts": 2,
    "backoff_initial": 0.01,
    "backoff_max": 0.02,
}


def signed_query(params: dict[str, str], *, secret: str = CLIENT_SECRET) -> str:
    """The callback query Shopify would send: Shopify's documented HMAC, computed here independently."""
    message = "&".join(f"{key}={params[key]}" for key in sorted(params))
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return urlencode({**params, "hmac": digest})


@dataclass
class FakeShopifyOAuth:
    codes: set[str] = field(default_factory=lambda: {CODE})
    tokens: set[str] = field(default_factory=set)
    exchanges: list[dict[str, list[str]]] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    exchange_replies: list[Reply] = field(default_factory=list)

    def access_token(self, seen: Seen) -> Reply:
        form = parse_qs(seen.body.decode())
        self.exchanges.append(form)
        if self.exchange_replies:
            return self.exchange_replies.pop(0)
        if (
            seen.method != "POST"
            or form.get("client_id") != [CLIENT_ID]
            or form.get("client_secret") != [CLIENT_SECRET]
        ):
            return _json({"error": "invalid_client", "error_description": "client authentication failed"}, 401)
        code = (form.get("code") or [""])[0]
        if code not in self.codes:
            return _json({"error": "invalid_request", "error_description": "The authorization code was not found"}, 400)
        self.codes.discard(code)
        self.tokens.add(ISSUED_TOKEN)
        return _json({"access_token": ISSUED_TOKEN, "scope": "write_products,write_inventory,read_orders"})

    def api_permissions(self, seen: Seen) -> Reply:
        token = seen.headers.get("x-shopify-access-token", "")
        if seen.method != "DELETE" or urlsplit(seen.path).query:
            return _json({"errors": "Not Found"}, 404)
        if token not in self.tokens:
            return _json(
                {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}, 401
            )
        self.tokens.discard(token)
        self.revoked.append(token)
        return _json({}, 200)


def _json(body: object, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(body), content_type="application/json; charset=utf-8")


@pytest.fixture
def shopify_app_settings(settings) -> None:
    settings.SHOPIFY_CLIENT_ID = CLIENT_ID
    settings.SHOPIFY_CLIENT_SECRET = CLIENT_SECRET
    settings.SHOPIFY_SCOPES = "read_products,write_products,read_inventory,write_inventory,read_orders"
    settings.SHOPIFY_REDIRECT_URI = "https://app.dropship.example/api/v1/marketplaces/shopify/callback"
    settings.SHOPIFY_HTTP = FAST_HTTP


@pytest.fixture
def shopify_oauth(loopback: LoopbackServer, settings, shopify_app_settings) -> FakeShopifyOAuth:
    settings.SHOPIFY_BASE_URL = loopback.url
    fake = FakeShopifyOAuth()
    loopback.route("/admin/oauth/access_token", fake.access_token)
    loopback.route("/admin/api_permissions/current.json", fake.api_permissions)
    return fake
