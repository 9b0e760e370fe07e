"""One authenticated eBay REST call: bearer token (refreshed before expiry, and once after a 401), typed errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone

from dropship_central.http import FetchResult, HttpError, OutboundClient
from marketplaces.models import StoreAccount
from marketplaces.oauth import ebay_base_url
from marketplaces.plugins.base import (
    MarketplaceDownError,
    ReconnectNeededError,
    ThrottledError,
    TokenExpiredError,
)
from marketplaces.plugins.ebay.errors import EbayRequestError, errors_message
from marketplaces.services import store_account_refresh

EXCERPT = 300
DEFAULT_RETRY_AFTER = 60.0
JSON_HEADERS = {"Content-Type": "application/json", "Content-Language": "en-US"}


class EbayTransport:
    def __init__(self, account: StoreAccount, http: OutboundClient) -> None:
        self.account = account
        self.http = http

    def call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> dict[str, Any]:
        """The JSON object eBay answered (empty for 204), or a typed `MarketplaceError`."""
        token = self._token()
        result = self._send(method, path, token, params, body)
        if result.status == 401:
            token = self._refresh(stale_token=token)
            result = self._send(method, path, token, params, body)
            if result.status == 401:
                raise TokenExpiredError("eBay refused a freshly refreshed access token.", response=_excerpt(result))
        return _parse(result)

    def _token(self) -> str:
        account = self.account
        if account.status != StoreAccount.Status.CONNECTED:
            raise ReconnectNeededError(account.last_error or f"The store is {account.get_status_display().lower()}.")
        margin = timedelta(seconds=settings.EBAY_TOKEN_REFRESH_MARGIN)
        expires_at = account.access_token_expires_at
        if account.access_token and (expires_at is None or expires_at > timezone.now() + margin):
            return account.access_token
        return self._refresh(stale_token="")

    def _refresh(self, *, stale_token: str) -> str:
        refreshed = store_account_refresh(account=self.account, stale_token=stale_token)
        for name in ("access_token", "access_token_expires_at", "refresh_token", "status", "last_error"):
            setattr(self.account, name, getattr(refreshed, name))
        return refreshed.access_token

    def _send(self, method: str, path: str, token: str, params: Mapping[str, Any] | None, body: Any) -> FetchResult:
        url = path if path.startswith("http") else ebay_base_url(self.account.environment) + path
        headers = {"Authorization": f"Bearer {token}", **JSON_HEADERS}
        try:
            return self.http.fetch(method, url, headers=headers, params=params, json=body)
        except HttpError as exc:
            raise _transport_error(method, path, exc) from exc


def _transport_error(method: str, path: str, exc: HttpError) -> ThrottledError | MarketplaceDownError:
    response = exc.response
    if response is not None and response.status == 429:
        retry_after = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER
        return ThrottledError(
            f"eBay throttled {method} {path}; retry after {retry_after:g} s.",
            retry_after=retry_after,
            response=_excerpt(response),
        )
    detail = f"answered {response.status}" if response is not None else f"failed: {exc}"
    return MarketplaceDownError(
        f"eBay {method} {path} {detail}", response=_excerpt(response) if response is not None else None
    )


def _parse(result: FetchResult) -> dict[str, Any]:
    body = _json_body(result)
    if 200 <= result.status < 300:
        return body
    if result.status >= 500:
        raise MarketplaceDownError(f"eBay answered {result.status}.", response=body)
    errors = [error for error in body.get("errors") or [] if isinstance(error, dict)]
    message = errors_message(errors, status=result.status)
    if result.status == 403:
        raise ReconnectNeededError(f"eBay refused access (connect the store again to grant it): {message}")
    raise EbayRequestError(message, errors=errors, response=body)


def _json_body(result: FetchResult) -> dict[str, Any]:
    if not result.text.strip():
        return {}
    try:
        body = json.loads(result.text)
    except ValueError as exc:
        raise MarketplaceDownError(
            f"eBay answered {result.status} with a malformed body: {result.text[:EXCERPT]!r}", response=_excerpt(result)
        ) from exc
    if not isinstance(body, dict):
        raise MarketplaceDownError(
            f"eBay answered {result.status} with a body that is not an object: {result.text[:EXCERPT]!r}",
            response=_excerpt(result),
        )
    return body


def _excerpt(result: FetchResult) -> dict[str, Any]:
    return {"status": result.status, "body": result.text[:EXCERPT]}
