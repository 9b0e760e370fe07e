"""One Shopify Admin GraphQL endpoint: post a document, respect the cost throttle, map failures to typed errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import structlog

from dropship_central.http import FetchResult, HttpError, OutboundClient
from marketplaces.plugins.base import (
    InvalidDataError,
    MarketplaceDownError,
    MarketplaceError,
    ReconnectNeededError,
    ThrottledError,
)
from marketplaces.plugins.shopify.documents import Operation
from marketplaces.plugins.shopify.throttle import CostBucket

logger = structlog.get_logger(__name__)

THROTTLE_RETRIES = 3
DEFAULT_THROTTLE_WAIT = 1.0
RECONNECT_STATUSES = frozenset({401, 402, 403, 404, 423})
RECONNECT_CODES = frozenset({"ACCESS_DENIED", "UNAUTHORIZED"})
DOWN_CODES = frozenset({"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"})


class ShopifyGraphQL:
    def __init__(
        self,
        *,
        endpoint: str,
        access_token: str,
        http: OutboundClient,
        bucket: CostBucket,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint
        self.access_token = access_token
        self.http = http
        self.bucket = bucket
        self.sleep = sleep

    def execute(self, operation: Operation, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The response's `data`. Waits while the bucket is short, retries THROTTLED answers, raises typed errors."""
        self._wait(self.bucket.wait_before(operation.name, operation.cost), operation)
        for attempt in range(1, THROTTLE_RETRIES + 1):
            body = self._post(operation, variables or {})
            try:
                return self._data(operation, body)
            except ThrottledError as exc:
                if attempt == THROTTLE_RETRIES:
                    raise
                self._wait(exc.retry_after, operation)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, seconds: float, operation: Operation) -> None:
        if seconds > 0:
            logger.info("shopify_throttle_wait", shop=self.bucket.shop, operation=operation.name, seconds=seconds)
            self.sleep(seconds)

    def _post(self, operation: Operation, variables: dict[str, Any]) -> dict[str, Any]:
        payload = {"query": operation.document, "variables": variables, "operationName": operation.name}
        headers = {"X-Shopify-Access-Token": self.access_token, "Accept": "application/json"}
        try:
            result = self.http.fetch("POST", self.endpoint, headers=headers, json=payload, validate=_validate)
        except HttpError as exc:
            raise _http_error(exc) from exc
        return result.json()

    def _data(self, operation: Operation, body: dict[str, Any]) -> dict[str, Any]:
        cost = (body.get("extensions") or {}).get("cost") or {}
        status = self.bucket.record(operation.name, cost)
        errors = [error for error in body.get("errors") or [] if isinstance(error, dict)]
        if errors:
            codes = {str((error.get("extensions") or {}).get("code", "")) for error in errors}
            message = "; ".join(str(error.get("message", "")) for error in errors)
            if "THROTTLED" in codes:
                requested = float(cost.get("requestedQueryCost") or operation.cost)
                wait = status.wait_for(requested, now=status.observed_at) if status else DEFAULT_THROTTLE_WAIT
                raise ThrottledError(f"Shopify throttled {operation.name}: {message}", retry_after=wait, response=body)
            raise _error_for_codes(codes, f"Shopify rejected {operation.name}: {message}", body)
        if body.get("errors"):
            raise InvalidDataError(f"Shopify rejected {operation.name}: {body['errors']}", response=body)
        data = body.get("data")
        if not isinstance(data, dict):
            raise MarketplaceDownError(f"Shopify answered {operation.name} without data", response=body)
        return data


def user_errors(payload: dict[str, Any] | None) -> list[dict[str, Any]]:
    return list((payload or {}).get("userErrors") or [])


def raise_user_errors(payload: dict[str, Any] | None, what: str) -> None:
    """`InvalidDataError` carrying Shopify's own messages when the mutation payload reports user errors."""
    errors = user_errors(payload)
    if errors:
        raise InvalidDataError(f"{what}: {describe(errors)}", response=errors)


def describe(errors: list[dict[str, Any]]) -> str:
    parts = []
    for error in errors:
        field = ".".join(str(part) for part in error.get("field") or [])
        parts.append(f"{field}: {error.get('message')}" if field else str(error.get("message")))
    return "; ".join(parts)


def _validate(result: FetchResult) -> None:
    """Runs inside the shared client: a bad token is permanent; a body that is not JSON is worth another attempt."""
    if result.status in RECONNECT_STATUSES:
        raise ReconnectNeededError(
            f"Shopify refused the shop or its access token ({result.status}): connect the store again",
            response=result.status,
        )
    if result.status >= 400:
        raise InvalidDataError(f"Shopify answered {result.status}: {result.text[:500]}", response=result.status)
    try:
        body = result.json()
    except ValueError as exc:
        raise MarketplaceDownError(f"Shopify answered a malformed body: {result.text[:200]!r}") from exc
    if not isinstance(body, dict):
        raise MarketplaceDownError("Shopify answered a JSON body that is not an object")


def _http_error(exc: HttpError) -> MarketplaceError:
    """After the shared client's retries ran out."""
    if exc.response is not None and exc.response.status == 429:
        return ThrottledError(
            "Shopify answered 429", retry_after=exc.retry_after or DEFAULT_THROTTLE_WAIT, response=exc.response.status
        )
    return MarketplaceDownError(f"Shopify is unavailable: {exc}")


def _error_for_codes(codes: set[str], message: str, body: dict[str, Any]) -> MarketplaceError:
    if codes & RECONNECT_CODES:
        return ReconnectNeededError(message, response=body)
    if codes & DOWN_CODES:
        return MarketplaceDownError(message, response=body)
    return InvalidDataError(message, response=body)
