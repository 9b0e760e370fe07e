"""A Shopify Admin GraphQL stand-in for the loopback server.

Every incoming request is checked against the published 2025-01 schema (document and variables), the path,
the method and the access token; anything wrong is recorded in `violations` (the fixture fails the test on
teardown) and answered the way Shopify answers an invalid query. Valid requests are answered from a small
in-memory shop with realistic payloads, userErrors and `extensions.cost.throttleStatus`. Tests queue
`Reply`s in `interruptions` (THROTTLED, 5xx, malformed bodies, slow answers) to be served before the shop.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from graphql import GraphQLSchema

from tests.loopback import Reply, Seen
from tests.marketplaces.shopify.contract import request_problems

API_PATH = "/admin/api/2025-01/graphql.json"
LOCATION_ID = "gid://shopify/Location/1"


@dataclass
class Request:
    operation: str
    variables: dict[str, Any]
    document: str
    token: str


@dataclass
class FakeShopify:
    schema: GraphQLSchema
    token: str
    clock: Callable[[], float] | None = None
    maximum_available: float = 1000.0
    currently_available: float = 1000.0
    restore_rate: float = 50.0
    orders_page_size: int | None = None
    interruptions: list[Reply | dict[str, Any]] = field(default_factory=list)
    # operation name -> replies served instead of the shop's answer the next times it is sent
    failing: dict[str, list[Reply]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    received: list[Request] = field(default_factory=list)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)
    orders: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1001))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _restored_at: float | None = None

    # --- the loopback handler --------------------------------------------------------------------------

    def __call__(self, seen: Seen) -> Reply:
        with self._lock:
            return self._handle(seen)

    def _handle(self, seen: Seen) -> Reply:
        body = self._check(seen)
        if body is None:
            return _json({"errors": [{"message": "; ".join(self.violations[-1:])}]}, status=400)
        self.received.append(
            Request(body.get("operationName", ""), body.get("variables") or {}, body["query"], self._token(seen))
        )
        if self.interruptions:
            queued = self.interruptions.pop(0)
            return queued if isinstance(queued, Reply) else _json(queued)
        if self.failing.get(body.get("operationName", "")):
            return self.failing[body["operationName"]].pop(0)
        cost = 10.0
        self._restore()
        if self.currently_available < cost:
            return _json({"errors": [_throttled()], "extensions": self.cost(cost, charge=False)})
        data = getattr(self, f"_op_{body['operationName']}")(body.get("variables") or {})
        return _json({"data": data, "extensions": self.cost(cost)})

    def _restore(self) -> None:
        """The bucket refills at `restore_rate` points a second of the test clock."""
        if self.clock is None:
            return
        now = self.clock()
        if self._restored_at is not None:
            restored = (now - self._restored_at) * self.restore_rate
            self.currently_available = min(self.maximum_available, self.currently_available + restored)
        self._restored_at = now

    def _token(self, seen: Seen) -> str:
        return seen.headers.get("x-shopify-access-token", "")

    def _check(self, seen: Seen) -> dict[str, Any] | None:
        problems = []
        if seen.method != "POST" or seen.path != API_PATH:
            problems.append(f"{seen.method} {seen.path} is not the Admin GraphQL endpoint")
        if self._token(seen) != self.token:
            problems.append("missing or wrong X-Shopify-Access-Token")
        if "application/json" not in seen.headers.get("content-type", ""):
            problems.append("the body is not sent as JSON")
        try:
            body = json.loads(seen.body)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            problems.append("the body has no GraphQL query")
        else:
            problems += request_problems(self.schema, body["query"], body.get("variables"), body.get("operationName"))
        if problems:
            self.violations.extend(problems)
            return None
        return body

    def cost(self, requested: float, *, charge: bool = True) -> dict[str, Any]:
        if charge:
            self.currently_available -= requested
        return {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": requested if charge else None,
                "throttleStatus": {
                    "maximumAvailable": self.maximum_available,
                    "currentlyAvailable": self.currently_available,
                    "restoreRate": self.restore_rate,
                },
            }
        }

    def ops(self) -> list[str]:
        return [request.operation for request in self.received]

    # --- the shop ---------------------------------------------------------------------------------------

    def _gid(self, kind: str) -> str:
        return f"gid://shopify/{kind}/{next(self._ids)}"

    def _new_variant(self, product_id: str, **values: Any) -> dict[str, Any]:
        variant = {"id": self._gid("ProductVariant"), "product": product_id, "sku": "", "price": "0.00", **values}
        variant["inventoryItem"] = self._gid("InventoryItem")
        self.variants[variant["id"]] = variant
        self.levels[variant["inventoryItem"]] = 0
        return variant

    def add_product(self, *, skus: list[str]) -> dict[str, Any]:
        """A product already on the shop, with one variant per SKU."""
        product_id = self._gid("Product")
        self.products[product_id] = {"id": product_id, "status": "ACTIVE", "media": [], "input": {}}
        variants = [self._new_variant(product_id, sku=sku) for sku in skus]
        return {"id": product_id, "variants": variants}

    def _op_PrimaryLocation(self, variables: dict[str, Any]) -> dict[str, Any]:
        return {"location": {"id": LOCATION_ID, "name": "Main warehouse"}}

    def _op_ProductCreate(self, variables: dict[str, Any]) -> dict[str, Any]:
        product = variables["product"]
        if not product.get("title"):
            return {
                "productCreate": {
                    "product": None,
                    "userErrors": [{"field": ["title"], "message": "Title can't be blank"}],
                }
            }
        product_id = self._gid("Product")
        handle = product.get("handle") or product["title"].lower().replace(" ", "-")
        self.products[product_id] = {
            "id": product_id,
            "handle": handle,
            "status": product.get("status", "ACTIVE"),
            "input": product,
            "media": variables.get("media") or [],
        }
        variant = self._new_variant(product_id, sku="", standalone=True)
        node = {"id": variant["id"], "inventoryItem": {"id": variant["inventoryItem"]}}
        return {
            "productCreate": {
                "product": {
                    "id": product_id,
                    "handle": handle,
                    "onlineStoreUrl": None,
                    "variants": {"nodes": [node]},
                },
                "userErrors": [],
            }
        }

    def _op_ProductByHandle(self, variables: dict[str, Any]) -> dict[str, Any]:
        handle = variables["identifier"]["handle"]
        product = next((p for p in self.products.values() if p.get("handle") == handle), None)
        if product is None:
            return {"productByIdentifier": None}
        nodes = [
            {"id": v["id"], "sku": v["sku"] or None, "inventoryItem": {"id": v["inventoryItem"]}}
            for v in self.variants.values()
            if v["product"] == product["id"]
        ]
        return {
            "productByIdentifier": {
                "id": product["id"],
                "handle": handle,
                "onlineStoreUrl": None,
                "variants": {"nodes": nodes},
            }
        }

    def _op_VariantsBulkCreate(self, variables: dict[str, Any]) -> dict[str, Any]:
        product_id = variables["productId"]
        for variant_id in [
            v for v, data in self.variants.items() if data["product"] == product_id and data.get("standalone")
        ]:
            del self.variants[variant_id]
        created = []
        for item in variables["variants"]:
            variant = self._new_variant(
                product_id,
                sku=item["inventoryItem"]["sku"],
                price=item["price"],
                options=item.get("optionValues"),
                media=item.get("mediaSrc"),
            )
            for level in item.get("inventoryQuantities") or []:
                self.levels[variant["inventoryItem"]] = level["availableQuantity"]
            created.append(
                {"id": variant["id"], "sku": variant["sku"], "inventoryItem": {"id": variant["inventoryItem"]}}
            )
        return {"productVariantsBulkCreate": {"productVariants": created, "userErrors": []}}

    def _op_VariantsBulkUpdate(self, variables: dict[str, Any]) -> dict[str, Any]:
        errors, updated = [], []
        for position, item in enumerate(variables["variants"]):
            variant = self.variants.get(item["id"])
            if variant is None or variant["product"] != variables["productId"]:
                errors.append(
                    {
                        "field": ["variants", str(position), "id"],
                        "message": "Product variant does not exist",
                        "code": "PRODUCT_VARIANT_DOES_NOT_EXIST",
                    }
                )
                continue
            if "price" in item and float(item["price"]) < 0:
                errors.append(
                    {
                        "field": ["variants", str(position), "price"],
                        "message": "Price must be greater than or equal to 0",
                        "code": "GREATER_THAN_OR_EQUAL_TO",
                    }
                )
                continue
            variant.update({k: v for k, v in item.items() if k in ("price", "compareAtPrice")})
            if "inventoryItem" in item:
                variant["sku"] = item["inventoryItem"].get("sku", variant["sku"])
                variant["tracked"] = item["inventoryItem"].get("tracked")
            variant.pop("standalone", None)
            updated.append({"id": variant["id"], "price": variant["price"]})
        return {"productVariantsBulkUpdate": {"productVariants": updated, "userErrors": errors}}

    def _op_InventorySetQuantities(self, variables: dict[str, Any]) -> dict[str, Any]:
        data = variables["input"]
        errors = []
        for position, item in enumerate(data["quantities"]):
            if item["inventoryItemId"] not in self.levels:
                errors.append(
                    {
                        "field": ["input", "quantities", str(position), "inventoryItemId"],
                        "message": "The specified inventory item could not be found.",
                        "code": "INVALID_INVENTORY_ITEM",
                    }
                )
            elif item["locationId"] != LOCATION_ID:
                errors.append(
                    {
                        "field": ["input", "quantities", str(position), "locationId"],
                        "message": "The specified location could not be found.",
                        "code": "INVALID_LOCATION",
                    }
                )
        if errors:
            return {"inventorySetQuantities": {"inventoryAdjustmentGroup": None, "userErrors": errors}}
        for item in data["quantities"]:
            self.levels[item["inventoryItemId"]] = item["quantity"]
        return {"inventorySetQuantities": {"inventoryAdjustmentGroup": {"reason": data["reason"]}, "userErrors": []}}

    def _op_VariantInventoryItems(self, variables: dict[str, Any]) -> dict[str, Any]:
        nodes = []
        for variant_id in variables["ids"]:
            variant = self.variants.get(variant_id)
            nodes.append({"id": variant_id, "inventoryItem": {"id": variant["inventoryItem"]}} if variant else None)
        return {"nodes": nodes}

    def _op_ProductSetStatus(self, variables: dict[str, Any]) -> dict[str, Any]:
        product = self.products.get(variables["product"]["id"])
        if product is None:
            return {
                "productUpdate": {
                    "product": None,
                    "userErrors": [{"field": ["id"], "message": "Product does not exist"}],
                }
            }
        product["status"] = variables["product"]["status"]
        return {"productUpdate": {"product": {"id": product["id"], "status": product["status"]}, "userErrors": []}}

    def _op_Orders(self, variables: dict[str, Any]) -> dict[str, Any]:
        since = _since(variables["query"])
        key = "updatedAt" if variables["query"].startswith("updated_at") else "createdAt"
        matching = [
            o for o in self.orders if datetime.fromisoformat(o.get(key, o["createdAt"]).replace("Z", "+00:00")) >= since
        ]
        start = int(variables["after"].split(":")[1]) if variables.get("after") else 0
        size = self.orders_page_size or 10
        page = matching[start : start + size]
        nodes = [self._order_node(order) for order in page]
        has_next = start + size < len(matching)
        return {
            "orders": {
                "pageInfo": {"hasNextPage": has_next, "endCursor": f"cursor:{start + size}" if page else None},
                "nodes": nodes,
            }
        }

    def _order_node(self, order: dict[str, Any]) -> dict[str, Any]:
        lines = order["lines"]
        first = lines[:20]
        refunded = sum((Decimal(amount) for _, amount in order.get("refund_lines", [])), Decimal("0"))
        return {
            **{k: v for k, v in order.items() if k not in ("lines", "refund_lines", "updatedAt")},
            "totalRefundedSet": {"shopMoney": {"amount": str(refunded)}},
            "lineItems": {
                "pageInfo": {"hasNextPage": len(lines) > 20, "endCursor": "line:20" if len(lines) > 20 else None},
                "nodes": [_line(line, order["currencyCode"], _line_id(order, i)) for i, line in enumerate(first)],
            },
        }

    def _op_OrderRefunds(self, variables: dict[str, Any]) -> dict[str, Any]:
        order = next(o for o in self.orders if o["id"] == variables["id"])
        items = [
            {"lineItem": {"id": _line_id(order, index)}, "subtotalSet": {"shopMoney": {"amount": amount}}}
            for index, amount in order.get("refund_lines", [])
        ]
        return {"order": {"refunds": [{"refundLineItems": {"nodes": items}}] if items else []}}

    def refund(self, order_id: str, *, line: int, amount: str, updated_at: str) -> None:
        """Refund `amount` of the order's line number `line` (0-based); the order counts as modified then."""
        order = next(o for o in self.orders if o["id"] == order_id)
        order.setdefault("refund_lines", []).append((line, amount))
        order["updatedAt"] = updated_at

    def _op_VariantStates(self, variables: dict[str, Any]) -> dict[str, Any]:
        nodes = []
        for variant_id in variables["ids"]:
            variant = self.variants.get(variant_id)
            if variant is None:
                nodes.append(None)
                continue
            level = None
            if variables["locationId"] == LOCATION_ID:
                level = {"quantities": [{"name": "available", "quantity": self.levels[variant["inventoryItem"]]}]}
            nodes.append(
                {
                    "id": variant_id,
                    "sku": variant["sku"],
                    "price": variant["price"],
                    "product": {"id": variant["product"], "status": self.products[variant["product"]]["status"]},
                    "inventoryItem": {"id": variant["inventoryItem"], "inventoryLevel": level},
                }
            )
        return {"nodes": nodes}

    def _op_OrderLines(self, variables: dict[str, Any]) -> dict[str, Any]:
        order = next(o for o in self.orders if o["id"] == variables["id"])
        start = int(variables["after"].split(":")[1])
        lines = order["lines"][start : start + 100]
        has_next = start + 100 < len(order["lines"])
        return {
            "order": {
                "lineItems": {
                    "pageInfo": {"hasNextPage": has_next, "endCursor": f"line:{start + 100}"},
                    "nodes": [
                        _line(line, order["currencyCode"], _line_id(order, start + i)) for i, line in enumerate(lines)
                    ],
                }
            }
        }

    def add_order(
        self, *, created_at: str, lines: list[tuple[str, int, str]], fees: list[str] = (), currency: str = "USD"
    ) -> str:
        order_id = self._gid("Order")
        self.orders.append(
            {
                "id": order_id,
                "name": f"#{len(self.orders) + 1001}",
                "createdAt": created_at,
                "currencyCode": currency,
                "transactions": [{"fees": [{"amount": {"amount": fee, "currencyCode": currency}} for fee in fees]}],
                "lines": lines,
            }
        )
        return order_id


def _line_id(order: dict[str, Any], index: int) -> str:
    return f"gid://shopify/LineItem/{order['id'].rsplit('/', 1)[1]}{index:03d}"


def _line(line: tuple[str, int, str], currency: str, line_id: str) -> dict[str, Any]:
    sku, quantity, amount = line
    return {
        "id": line_id,
        "sku": sku,
        "quantity": quantity,
        "discountedTotalSet": {"shopMoney": {"amount": amount, "currencyCode": currency}},
    }


def _since(query: str) -> datetime:
    match = re.fullmatch(r"(?:created|updated)_at:>='([^']+)'", query)
    if match is None:
        raise AssertionError(f"unexpected orders query {query!r}")
    return datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))


def _throttled() -> dict[str, Any]:
    return {
        "message": "Throttled",
        "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
    }


def throttled_body(*, requested: float, available: float, restore_rate: float = 50.0) -> dict[str, Any]:
    return {
        "errors": [_throttled()],
        "extensions": {
            "cost": {
                "requestedQueryCost": requested,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 1000.0,
                    "currentlyAvailable": available,
                    "restoreRate": restore_rate,
                },
            }
        },
    }


def _json(payload: dict[str, Any], *, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(payload), content_type="application/json; charset=utf-8")


def json_reply(payload: dict[str, Any], *, status: int = 200) -> Reply:
    return _json(payload, status=status)
