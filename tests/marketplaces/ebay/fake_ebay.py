"""A loopback eBay: the token endpoint and the Sell API calls the client makes, answering per the contracts.

Every request is first checked against eBay's OpenAPI files (the token endpoint against the OAuth quick
reference); a violation is recorded in `violations` and answered 400, and the fixture fails the test on any.
Faults are scripted with `fail_next(method, path_regex, *replies)`: they are served, in order, before the
normal answer, so a test can send a 401, a 429 with a retry hint, a 5xx, a malformed body or a slow reply.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import LoopbackServer, Reply, Seen
from tests.marketplaces.contracts import ContractViolation, OpenApiContracts

CLIENT_ID = "DropshipC-app-PRD-0123456789"
CLIENT_SECRET = "PRD-0123456789abcdef-secret"
RU_NAME = "Dropship_Centr-Dropship-app-abcdefgh"
TOKEN_PATH = "/identity/v1/oauth2/token"
JSON = "application/json"


def ebay_error(status: int, error_id: int, message: str, **extra: Any) -> Reply:
    error = {"errorId": error_id, "domain": "API_INVENTORY", "category": "REQUEST", "message": message, **extra}
    return Reply(status=status, body=json.dumps({"errors": [error]}), content_type=JSON)


def json_reply(body: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(body), content_type=JSON)


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    replies: list[Reply]


@dataclass
class FakeEbayState:
    codes: set[str] = field(default_factory=lambda: {"v^1.1#i^1#auth-code"})
    access_tokens: set[str] = field(default_factory=set)
    refresh_tokens: set[str] = field(default_factory=set)
    inventory: dict[str, dict[str, Any]] = field(default_factory=dict)
    offers: dict[str, dict[str, Any]] = field(default_factory=dict)
    listings: dict[str, str] = field(default_factory=dict)
    withdrawn: list[str] = field(default_factory=list)
    policies: dict[str, list[str]] = field(
        default_factory=lambda: {"fulfillment": ["FUL-1"], "payment": ["PAY-1"], "return": ["RET-1"]}
    )
    locations: list[dict[str, str]] = field(
        default_factory=lambda: [{"merchantLocationKey": "warehouse-1", "merchantLocationStatus": "ENABLED"}]
    )
    orders: list[dict[str, Any]] = field(default_factory=list)
    bulk_bodies: list[dict[str, Any]] = field(default_factory=list)
    bulk_errors: dict[str, Reply | dict[str, Any]] = field(default_factory=dict)
    token_delay: float = 0.0
    refresh_error: str = ""


class FakeEbay(LoopbackServer):
    def __init__(self, contracts: OpenApiContracts) -> None:
        super().__init__()
        self.contracts = contracts
        self.state = FakeEbayState()
        self.violations: list[str] = []
        self.faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._state_lock = threading.Lock()
        self._routes: list[tuple[str, re.Pattern[str], Callable[[Seen, re.Match[str]], Reply]]] = [
            ("POST", re.compile(re.escape(TOKEN_PATH)), self._token),
            ("PUT", re.compile(r"/sell/inventory/v1/inventory_item/([^/]+)"), self._inventory_put),
            ("POST", re.compile(r"/sell/inventory/v1/offer"), self._offer_create),
            ("PUT", re.compile(r"/sell/inventory/v1/offer/([^/]+)"), self._offer_update),
            ("POST", re.compile(r"/sell/inventory/v1/offer/([^/]+)/publish"), self._publish),
            ("POST", re.compile(r"/sell/inventory/v1/offer/([^/]+)/withdraw"), self._withdraw),
            ("POST", re.compile(r"/sell/inventory/v1/bulk_update_price_quantity"), self._bulk),
            ("GET", re.compile(r"/sell/inventory/v1/location"), self._locations),
            ("GET", re.compile(r"/sell/account/v1/(fulfillment|payment|return)_policy"), self._policies),
            ("GET", re.compile(r"/sell/fulfillment/v1/order"), self._orders),
            ("GET", re.compile(r"/sell/inventory/v1/offer/([^/]+)"), self._offer_get),
            ("POST", re.compile(r"/sell/inventory/v1/bulk_get_inventory_item"), self._bulk_get_inventory),
        ]

    # --- scripting ---------------------------------------------------------------------------------
    def fail_next(self, method: str, path_regex: str, *replies: Reply) -> None:
        self.faults.append(Fault(method, re.compile(path_regex), list(replies)))

    def issue_tokens(self) -> tuple[str, str]:
        """A valid access and refresh token pair, as a completed consent would leave."""
        number = next(self._ids)
        access, refresh = f"v^1.1#access-{number}", f"v^1.1#refresh-{number}"
        with self._state_lock:
            self.state.access_tokens.add(access)
            self.state.refresh_tokens.add(refresh)
        return access, refresh

    def expire_access_tokens(self) -> None:
        with self._state_lock:
            self.state.access_tokens.clear()

    def seen(self, method: str, path_regex: str) -> list[Seen]:
        pattern = re.compile(path_regex)
        return [s for s in self.requests if s.method == method and pattern.fullmatch(urlsplit(s.path).path)]

    # --- dispatch ----------------------------------------------------------------------------------
    def _reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
        path = urlsplit(seen.path).path
        try:
            self._check_contract(seen, path)
        except ContractViolation as exc:
            self.violations.append(str(exc))
            return ebay_error(400, 99999, f"contract violation: {exc}")
        if (fault := self._fault_for(seen.method, path)) is not None:
            return fault
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(path)
            if method == seen.method and match:
                if handler != self._token and not self._authorized(seen):
                    return _invalid_token()
                return handler(seen, match)
        self.violations.append(f"{seen.method} {path}: the fake has no answer for it")
        return Reply(status=404, body="{}", content_type=JSON)

    def _check_contract(self, seen: Seen, path: str) -> None:
        if path == TOKEN_PATH:
            _check_token_request(seen)
        else:
            self.contracts.check(method=seen.method, url=seen.path, headers=seen.headers, body=seen.body)

    def _fault_for(self, method: str, path: str) -> Reply | None:
        with self._state_lock:
            for fault in self.faults:
                if fault.method == method and fault.pattern.fullmatch(path) and fault.replies:
                    return fault.replies.pop(0)
        return None

    def _authorized(self, seen: Seen) -> bool:
        token = seen.headers.get("authorization", "").removeprefix("Bearer ")
        with self._state_lock:
            return token in self.state.access_tokens

    # --- handlers ----------------------------------------------------------------------------------
    def _token(self, seen: Seen, match: re.Match[str]) -> Reply:
        import time

        time.sleep(self.state.token_delay)
        form = {key: values[0] for key, values in parse_qs(seen.body.decode()).items()}
        basic = base64.b64decode(seen.headers["authorization"].removeprefix("Basic ")).decode()
        if basic != f"{CLIENT_ID}:{CLIENT_SECRET}":
            return json_reply({"error": "invalid_client", "error_description": "client authentication failed"}, 401)
        with self._state_lock:
            if form["grant_type"] == "authorization_code":
                if form["code"] not in self.state.codes or form["redirect_uri"] != RU_NAME:
                    return _invalid_grant(
                        "the provided authorization grant code is invalid or was issued to another client"
                    )
                self.state.codes.discard(form["code"])
                with_refresh = True
            else:
                if self.state.refresh_error:
                    return json_reply({"error": self.state.refresh_error, "error_description": "server busy"}, 503)
                if form["refresh_token"] not in self.state.refresh_tokens:
                    return _invalid_grant(
                        "the provided authorization refresh token is invalid or was issued to another client"
                    )
                with_refresh = False
        access, refresh = self.issue_tokens()
        body: dict[str, Any] = {"access_token": access, "expires_in": 7200, "token_type": "User Access Token"}
        if with_refresh:
            body.update(refresh_token=refresh, refresh_token_expires_in=47304000)
        else:
            with self._state_lock:
                self.state.refresh_tokens.discard(refresh)
        return json_reply(body)

    def _inventory_put(self, seen: Seen, match: re.Match[str]) -> Reply:
        with self._state_lock:
            self.state.inventory[unquote(match.group(1))] = json.loads(seen.body)
        return Reply(status=204)

    def _offer_create(self, seen: Seen, match: re.Match[str]) -> Reply:
        body = json.loads(seen.body)
        with self._state_lock:
            for offer_id, offer in self.state.offers.items():
                if offer["sku"] == body["sku"]:
                    return ebay_error(
                        400, 25002, "Offer entity already exists.", parameters=[{"name": "offerId", "value": offer_id}]
                    )
            offer_id = str(9000 + next(self._ids))
            self.state.offers[offer_id] = body
        return json_reply({"offerId": offer_id}, 201)

    def _offer_update(self, seen: Seen, match: re.Match[str]) -> Reply:
        with self._state_lock:
            if match.group(1) not in self.state.offers:
                return ebay_error(404, 25713, "This Offer is not available.")
            self.state.offers[match.group(1)].update(json.loads(seen.body))
        return json_reply({"warnings": []})

    def _publish(self, seen: Seen, match: re.Match[str]) -> Reply:
        with self._state_lock:
            if match.group(1) not in self.state.offers:
                return ebay_error(404, 25713, "This Offer is not available.")
            listing_id = self.state.listings.setdefault(match.group(1), str(110000000000 + next(self._ids)))
        return json_reply({"listingId": listing_id, "warnings": []})

    def _withdraw(self, seen: Seen, match: re.Match[str]) -> Reply:
        with self._state_lock:
            if match.group(1) not in self.state.listings:
                return ebay_error(400, 25713, "This Offer is not available or not published.")
            self.state.withdrawn.append(match.group(1))
            return json_reply({"listingId": self.state.listings[match.group(1)], "warnings": []})

    def _bulk(self, seen: Seen, match: re.Match[str]) -> Reply:
        body = json.loads(seen.body)
        with self._state_lock:
            self.state.bulk_bodies.append(body)
        if len(body["requests"]) > 25:
            return ebay_error(400, 25709, "Invalid value for requests. Maximum 25 SKUs per call.")
        responses = []
        for request in body["requests"]:
            failure = self.state.bulk_errors.get(request["sku"])
            for offer in request.get("offers") or [{"offerId": ""}]:
                entry = {"sku": request["sku"], "offerId": offer["offerId"], "statusCode": 200}
                if failure is not None:
                    entry.update(statusCode=400, errors=[failure])
                responses.append(entry)
        status = 207 if self.state.bulk_errors else 200
        return json_reply({"responses": responses}, status)

    def _offer_get(self, seen: Seen, match: re.Match[str]) -> Reply:
        with self._state_lock:
            offer = self.state.offers.get(unquote(match.group(1)))
            if offer is None:
                return ebay_error(404, 25713, "This Offer is not available.")
            status = "PUBLISHED" if match.group(1) in self.state.listings else "UNPUBLISHED"
            return json_reply({**offer, "offerId": match.group(1), "status": status})

    def _bulk_get_inventory(self, seen: Seen, match: re.Match[str]) -> Reply:
        body = json.loads(seen.body)
        if len(body["requests"]) > 25:
            return ebay_error(400, 25709, "Invalid value for requests. Maximum 25 SKUs per call.")
        responses = []
        with self._state_lock:
            for request in body["requests"]:
                item = self.state.inventory.get(request["sku"])
                if item is None:
                    error = {"errorId": 25710, "message": "We didn't find the entity you are requesting."}
                    responses.append({"sku": request["sku"], "statusCode": 404, "errors": [error]})
                else:
                    responses.append({"sku": request["sku"], "statusCode": 200, "inventoryItem": {**item}})
        return json_reply({"responses": responses}, 207 if any(r["statusCode"] != 200 for r in responses) else 200)

    def _locations(self, seen: Seen, match: re.Match[str]) -> Reply:
        locations = self.state.locations
        return json_reply({"locations": locations, "total": len(locations), "limit": 100, "offset": 0})

    def _policies(self, seen: Seen, match: re.Match[str]) -> Reply:
        kind = match.group(1)
        key = {"fulfillment": "fulfillmentPolicies", "payment": "paymentPolicies", "return": "returnPolicies"}[kind]
        marketplace = parse_qs(urlsplit(seen.path).query)["marketplace_id"][0]
        items = [{f"{kind}PolicyId": pid, "marketplaceId": marketplace} for pid in self.state.policies[kind]]
        return json_reply({key: items, "total": len(items)})

    def _orders(self, seen: Seen, match: re.Match[str]) -> Reply:
        query = {key: values[0] for key, values in parse_qs(urlsplit(seen.path).query).items()}
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 50))
        page = self.state.orders[offset : offset + limit]
        body: dict[str, Any] = {"orders": page, "total": len(self.state.orders), "offset": offset, "limit": limit}
        if offset + limit < len(self.state.orders):
            body["next"] = (
                f"https://api.ebay.com/sell/fulfillment/v1/order?filter={query['filter']}&limit={limit}"
                f"&offset={offset + limit}"
            )
        return json_reply(body)


def _invalid_token() -> Reply:
    error = {
        "errorId": 1001,
        "domain": "OAuth",
        "category": "REQUEST",
        "message": "Invalid access token",
        "longMessage": "Invalid access token. Check the value of the Authorization HTTP request header.",
    }
    return Reply(status=401, body=json.dumps({"errors": [error]}), content_type=JSON)


def _invalid_grant(description: str) -> Reply:
    return json_reply({"error": "invalid_grant", "error_description": description}, 400)


def _check_token_request(seen: Seen) -> None:
    """The token call per eBay's OAuth quick reference: Basic client credentials, a form, a known grant."""
    problems = []
    if seen.method != "POST":
        problems.append("the token endpoint takes POST")
    if not seen.headers.get("authorization", "").startswith("Basic "):
        problems.append("Basic client credentials are required")
    if not seen.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        problems.append("the body must be form-encoded")
    form = parse_qs(seen.body.decode())
    grant = (form.get("grant_type") or [""])[0]
    needed = {"authorization_code": {"code", "redirect_uri"}, "refresh_token": {"refresh_token"}}.get(grant)
    if needed is None:
        problems.append(f"unknown grant_type {grant!r}")
    elif missing := needed - set(form):
        problems.append(f"missing {sorted(missing)}")
    if problems:
        raise ContractViolation(f"POST {TOKEN_PATH}: " + "; ".join(problems))
