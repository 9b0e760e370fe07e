"""Shopify through the Admin GraphQL API: products with variants and media, bulk prices and quantities, archive
and unarchive, and orders. A listing's `external_id` is the product GID and its `offer_id` the variant GID."""

from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from dropship_central.http import ClientConfig, OutboundClient
from marketplaces.plugins.base import (
    ClientMeta,
    InvalidDataError,
    ListingPayload,
    ListingRef,
    ListingState,
    MarketplaceClient,
    OrderLine,
    PriceQuantityUpdate,
    PublishResult,
    ReconnectNeededError,
    UpdateResult,
)
from marketplaces.plugins.shopify import documents as ops
from marketplaces.plugins.shopify.graphql import ShopifyGraphQL, describe, raise_user_errors, user_errors
from marketplaces.plugins.shopify.throttle import CostBucket

T = TypeVar("T")

INVENTORY_REASON = "correction"
INVENTORY_NAME = "available"
LOCATION_TTL_SECONDS = 3600
INVENTORY_ITEM_TTL_SECONDS = 30 * 24 * 3600
TAXONOMY_PREFIX = "gid://shopify/TaxonomyCategory/"
HANDLE_PREFIX = "dc"


@dataclass(frozen=True)
class ShopifyVariant:
    """One variant of a product to create; `options` maps option names (at most three) to this variant's values."""

    sku: str
    price: Decimal
    quantity: int
    options: dict[str, str] = field(default_factory=dict)
    compare_at_price: Decimal | None = None
    image: str = ""


@dataclass
class _Outcome:
    errors: dict[int, str] = field(default_factory=dict)

    def fail(self, index: int, message: str) -> None:
        self.errors.setdefault(index, message)


class ShopifyClient(MarketplaceClient):
    meta = ClientMeta(slug="shopify", name="Shopify", version="1.0.0", requests_per_minute=120, bulk_limit=100)

    def __init__(
        self,
        store_account: Any,
        *,
        http: OutboundClient | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(store_account)
        self._http = http
        self._sleep = sleep
        self._clock = clock
        self._graphql: ShopifyGraphQL | None = None

    # --- the MarketplaceClient interface -------------------------------------------------------------

    def create_listing(self, payload: ListingPayload) -> PublishResult:
        variant = ShopifyVariant(
            sku=payload.sku,
            price=payload.price,
            quantity=payload.quantity,
            compare_at_price=payload.compare_at_price,
        )
        return self.create_product(payload, [variant])

    def update_price_quantity(self, updates: list[PriceQuantityUpdate]) -> list[UpdateResult]:
        """Prices go per product (`productVariantsBulkUpdate` takes one product); quantities go `bulk_limit` items
        to an `inventorySetQuantities` call at the shop's primary location."""
        outcome = _Outcome()
        for index, update in enumerate(updates):
            if not update.offer_id:
                outcome.fail(index, "the listing has no Shopify variant id")
        pending = [(i, u) for i, u in enumerate(updates) if i not in outcome.errors]
        self._push_prices([(i, u) for i, u in pending if u.price is not None], outcome)
        self._push_quantities([(i, u) for i, u in pending if u.quantity is not None], outcome)
        return [
            UpdateResult(sku=update.sku, ok=index not in outcome.errors, error=outcome.errors.get(index, ""))
            for index, update in enumerate(updates)
        ]

    def withdraw(self, *, external_id: str, offer_id: str) -> None:
        """Archive the product: it leaves every sales channel but keeps its history, so it can be resumed."""
        self._set_status(external_id, "ARCHIVED")

    def resume(self, *, external_id: str) -> None:
        """Unarchive a withdrawn product and make it active again."""
        self._set_status(external_id, "ACTIVE")

    def fetch_orders(self, *, since: datetime) -> list[OrderLine]:
        return self._orders(f"created_at:>='{_shopify_time(since)}'")

    def fetch_orders_modified(self, *, since: datetime) -> list[OrderLine]:
        """Orders Shopify changed since `since` (new, paid, refunded…), each line with its refunds so far."""
        return self._orders(f"updated_at:>='{_shopify_time(since)}'")

    def read_listings(self, refs: list[ListingRef]) -> list[ListingState]:
        """Each variant's price and its `available` quantity at the location stock is set at, 100 a query. A variant
        Shopify no longer has, or whose product is archived, is reported as such (not found / status)."""
        location_id = self.primary_location_id()
        states: dict[str, ListingState] = {}
        with_ids = list(dict.fromkeys(ref.offer_id for ref in refs if ref.offer_id))
        for chunk in _chunks(with_ids, 100):
            data = self.graphql.execute(ops.VARIANT_STATES, {"ids": chunk, "locationId": location_id})
            for node in data["nodes"]:
                if node and node.get("id"):
                    states[node["id"]] = _variant_state(node)
        return [
            replace(states[ref.offer_id], sku=ref.sku) if ref.offer_id in states else ListingState(ref.sku, False)
            for ref in refs
        ]

    def _orders(self, query: str) -> list[OrderLine]:
        lines: list[OrderLine] = []
        after: str | None = None
        while True:
            data = self.graphql.execute(ops.ORDERS, {"query": query, "after": after})
            connection = data["orders"]
            for order in connection["nodes"]:
                lines.extend(self._order_lines(order))
            if not connection["pageInfo"]["hasNextPage"]:
                return lines
            after = connection["pageInfo"]["endCursor"]

    # --- products --------------------------------------------------------------------------------------

    def create_product(self, payload: ListingPayload, variants: Sequence[ShopifyVariant]) -> PublishResult:
        """Create the product as a draft with its media, give it its variants, prices, SKUs and stock, then
        activate it, so shoppers never see a half-made product.

        The product's handle is derived from the first SKU (unique per store), so a publish retried after a
        failure half-way finds the product it already created and finishes it instead of creating a second one."""
        if not variants:
            raise InvalidDataError("a Shopify product needs at least one variant")
        handle = product_handle(variants[0].sku)
        product = self._product_by_handle(handle) or self._product_create(payload, variants, handle)
        existing = {n["sku"]: n for n in product["variants"]["nodes"] if n.get("sku")}
        missing = [variant for variant in variants if variant.sku not in existing]
        created = self._finish_variants(product, missing) if missing else {}
        present = [variant for variant in variants if variant.sku in existing]
        if present:
            created |= self._refresh_variants(product["id"], present, existing)
        self._set_status(product["id"], "ACTIVE")
        first = created[variants[0].sku]
        return PublishResult(
            external_id=product["id"],
            offer_id=first["id"],
            url=product.get("onlineStoreUrl") or "",
            raw={"handle": product.get("handle", ""), "variants": created},
        )

    def _product_by_handle(self, handle: str) -> dict[str, Any] | None:
        data = self.graphql.execute(ops.PRODUCT_BY_HANDLE, {"identifier": {"handle": handle}})
        return data.get("productByIdentifier")

    def _product_create(
        self, payload: ListingPayload, variants: Sequence[ShopifyVariant], handle: str
    ) -> dict[str, Any]:
        product_input = {**_product_input(payload, variants), "handle": handle}
        data = self.graphql.execute(ops.PRODUCT_CREATE, {"product": product_input, "media": _media(payload)})
        raise_user_errors(data["productCreate"], "Shopify refused the product")
        return data["productCreate"]["product"]

    def _finish_variants(
        self, product: dict[str, Any], variants: Sequence[ShopifyVariant]
    ) -> dict[str, dict[str, str]]:
        if any(variant.options for variant in variants):
            return self._create_variants(product["id"], variants)
        return self._fill_default_variant(product, variants[0])

    def _refresh_variants(
        self, product_id: str, variants: Sequence[ShopifyVariant], existing: dict[str, dict[str, Any]]
    ) -> dict[str, dict[str, str]]:
        """Variants an earlier attempt already made: set their prices and stock again (absolute values)."""
        updates = [{"id": existing[v.sku]["id"], **_price_fields(v)} for v in variants]
        data = self.graphql.execute(ops.VARIANTS_BULK_UPDATE, {"productId": product_id, "variants": updates})
        raise_user_errors(data["productVariantsBulkUpdate"], f"Shopify refused the variants of {product_id}")
        mapping = {
            v.sku: {"id": existing[v.sku]["id"], "inventory_item_id": existing[v.sku]["inventoryItem"]["id"]}
            for v in variants
        }
        self._remember_inventory_items({m["id"]: m["inventory_item_id"] for m in mapping.values()})
        errors = self._set_quantities([(mapping[v.sku]["inventory_item_id"], v.quantity) for v in variants])
        if errors:
            raise InvalidDataError(f"Shopify refused the stock of {product_id}: {next(iter(errors.values()))}")
        return mapping

    def _create_variants(self, product_id: str, variants: Sequence[ShopifyVariant]) -> dict[str, dict[str, str]]:
        location_id = self.primary_location_id()
        inputs = [_variant_input(variant, location_id=location_id) for variant in variants]
        data = self.graphql.execute(ops.VARIANTS_BULK_CREATE, {"productId": product_id, "variants": inputs})
        raise_user_errors(data["productVariantsBulkCreate"], f"Shopify refused the variants of {product_id}")
        created = data["productVariantsBulkCreate"]["productVariants"]
        mapping = {n["sku"]: {"id": n["id"], "inventory_item_id": n["inventoryItem"]["id"]} for n in created}
        self._remember_inventory_items({v["id"]: v["inventory_item_id"] for v in mapping.values()})
        return mapping

    def _fill_default_variant(self, product: dict[str, Any], variant: ShopifyVariant) -> dict[str, dict[str, str]]:
        """A product created without options has one standalone variant: price it, give it its SKU and stock."""
        node = product["variants"]["nodes"][0]
        update = {"id": node["id"], **_price_fields(variant), "inventoryItem": {"sku": variant.sku, "tracked": True}}
        data = self.graphql.execute(ops.VARIANTS_BULK_UPDATE, {"productId": product["id"], "variants": [update]})
        raise_user_errors(data["productVariantsBulkUpdate"], f"Shopify refused the variant of {product['id']}")
        inventory_item_id = node["inventoryItem"]["id"]
        self._remember_inventory_items({node["id"]: inventory_item_id})
        errors = self._set_quantities([(inventory_item_id, variant.quantity)])
        if errors:
            raise InvalidDataError(f"Shopify refused the stock of {variant.sku}: {next(iter(errors.values()))}")
        return {variant.sku: {"id": node["id"], "inventory_item_id": inventory_item_id}}

    def _set_status(self, product_id: str, status: str) -> None:
        data = self.graphql.execute(ops.PRODUCT_SET_STATUS, {"product": {"id": product_id, "status": status}})
        raise_user_errors(data["productUpdate"], f"Shopify refused to set {product_id} {status.lower()}")
        if data["productUpdate"].get("product") is None:
            raise InvalidDataError(f"Shopify has no product {product_id}")

    # --- prices and quantities ---------------------------------------------------------------------------

    def _push_prices(self, items: list[tuple[int, PriceQuantityUpdate]], outcome: _Outcome) -> None:
        by_product: dict[str, list[tuple[int, PriceQuantityUpdate]]] = defaultdict(list)
        for index, update in items:
            by_product[update.external_id].append((index, update))
        for product_id, group in by_product.items():
            for chunk in _chunks(group, self.meta.bulk_limit):
                self._push_product_prices(product_id, chunk, outcome)

    def _push_product_prices(
        self, product_id: str, group: list[tuple[int, PriceQuantityUpdate]], outcome: _Outcome
    ) -> None:
        variants = [{"id": update.offer_id, "price": _money(update.price)} for _, update in group]
        try:
            data = self.graphql.execute(ops.VARIANTS_BULK_UPDATE, {"productId": product_id, "variants": variants})
        except InvalidDataError as exc:
            for index, _ in group:
                outcome.fail(index, str(exc))
            return
        for position, message in _indexed_errors(user_errors(data["productVariantsBulkUpdate"]), "variants").items():
            targets = group if position is None else group[position : position + 1]
            for index, _ in targets:
                outcome.fail(index, message)

    def _push_quantities(self, items: list[tuple[int, PriceQuantityUpdate]], outcome: _Outcome) -> None:
        inventory_items = self.inventory_item_ids([update.offer_id for _, update in items])
        known: list[tuple[int, str, int]] = []
        for index, update in items:
            inventory_item_id = inventory_items.get(update.offer_id)
            if inventory_item_id is None:
                outcome.fail(index, f"Shopify has no variant {update.offer_id}")
            else:
                known.append((index, inventory_item_id, int(update.quantity or 0)))
        for chunk in _chunks(known, self.meta.bulk_limit):
            errors = self._set_quantities([(item_id, quantity) for _, item_id, quantity in chunk])
            for position, message in errors.items():
                targets = chunk if position is None else chunk[position : position + 1]
                for index, _, _ in targets:
                    outcome.fail(index, message)

    def _set_quantities(self, quantities: list[tuple[str, int]]) -> dict[int | None, str]:
        """Set absolute quantities; errors by position. Shopify applies none of a call that has an error, so the
        items it did not blame are sent again (setting an absolute quantity twice is harmless)."""
        errors = self._set_quantities_once(quantities)
        if not errors or None in errors:
            return errors
        retry = [i for i in range(len(quantities)) if i not in errors]
        if retry:
            again = self._set_quantities_once([quantities[i] for i in retry])
            errors.update({(None if pos is None else retry[pos]): message for pos, message in again.items()})
        return errors

    def _set_quantities_once(self, quantities: list[tuple[str, int]]) -> dict[int | None, str]:
        location_id = self.primary_location_id()
        variables = {
            "input": {
                "name": INVENTORY_NAME,
                "reason": INVENTORY_REASON,
                "ignoreCompareQuantity": True,
                "quantities": [
                    {"inventoryItemId": item_id, "locationId": location_id, "quantity": quantity}
                    for item_id, quantity in quantities
                ],
            }
        }
        try:
            data = self.graphql.execute(ops.INVENTORY_SET_QUANTITIES, variables)
        except InvalidDataError as exc:
            return {None: str(exc)}
        return _indexed_errors(user_errors(data["inventorySetQuantities"]), "quantities")

    def inventory_item_ids(self, variant_ids: list[str]) -> dict[str, str]:
        """Each variant's inventory item, from the cache or one `nodes` query per 100 unknown variants."""
        unique = list(dict.fromkeys(variant_ids))
        cached = cache.get_many([self._inventory_key(v) for v in unique])
        found = {v: cached[self._inventory_key(v)] for v in unique if self._inventory_key(v) in cached}
        missing = [v for v in unique if v not in found]
        for chunk in _chunks(missing, 100):
            data = self.graphql.execute(ops.VARIANT_INVENTORY_ITEMS, {"ids": chunk})
            fetched = {n["id"]: n["inventoryItem"]["id"] for n in data["nodes"] if n and n.get("inventoryItem")}
            self._remember_inventory_items(fetched)
            found.update(fetched)
        return found

    def _remember_inventory_items(self, mapping: dict[str, str]) -> None:
        cache.set_many({self._inventory_key(v): i for v, i in mapping.items()}, INVENTORY_ITEM_TTL_SECONDS)

    def _inventory_key(self, variant_id: str) -> str:
        return f"shopify:inventory_item:{self.shop_domain}:{variant_id}"

    def primary_location_id(self) -> str:
        """The location stock is set at: `credentials["location_id"]` when the store names one, else the shop's
        primary location (cached for an hour)."""
        configured = (self.store_account.credentials or {}).get("location_id")
        if configured:
            return str(configured)
        key = f"shopify:location:{self.shop_domain}"
        location_id = cache.get(key)
        if location_id is None:
            location = self.graphql.execute(ops.PRIMARY_LOCATION)["location"]
            if not location:
                raise InvalidDataError("the Shopify store has no location to hold stock")
            location_id = location["id"]
            cache.set(key, location_id, LOCATION_TTL_SECONDS)
        return str(location_id)

    # --- orders ---------------------------------------------------------------------------------------

    def _order_lines(self, order: dict[str, Any]) -> list[OrderLine]:
        nodes = list(order["lineItems"]["nodes"])
        page = order["lineItems"]["pageInfo"]
        while page["hasNextPage"]:
            more = self.graphql.execute(ops.ORDER_LINES, {"id": order["id"], "after": page["endCursor"]})
            nodes.extend(more["order"]["lineItems"]["nodes"])
            page = more["order"]["lineItems"]["pageInfo"]
        created_at = datetime.fromisoformat(order["createdAt"].replace("Z", "+00:00"))
        revenues = [Decimal(str(node["discountedTotalSet"]["shopMoney"]["amount"])) for node in nodes]
        fees = _allocate(_order_fees(order), revenues)
        refunds = self._line_refunds(order)
        return [
            OrderLine(
                order_id=order["id"],
                sku=node.get("sku") or "",
                quantity=int(node["quantity"]),
                revenue=revenue,
                fees=fee,
                currency=node["discountedTotalSet"]["shopMoney"].get("currencyCode") or order["currencyCode"],
                created_at=created_at,
                refunds=refunds.get(node.get("id") or "", Decimal("0")),
            )
            for node, revenue, fee in zip(nodes, revenues, fees, strict=True)
        ]

    def _line_refunds(self, order: dict[str, Any]) -> dict[str, Decimal]:
        """Refunded subtotal per line item id; asked for only when the order says something was refunded."""
        total = Decimal(str(((order.get("totalRefundedSet") or {}).get("shopMoney") or {}).get("amount") or "0"))
        if not total:
            return {}
        data = self.graphql.execute(ops.ORDER_REFUNDS_QUERY, {"id": order["id"]})
        return _refunded_per_line((data.get("order") or {}).get("refunds") or [])

    # --- plumbing --------------------------------------------------------------------------------------

    @property
    def shop_domain(self) -> str:
        domain = (self.store_account.shop_domain or "").strip().lower()
        if not domain:
            raise ReconnectNeededError("the Shopify store has no shop domain: connect it again")
        return domain

    @property
    def endpoint(self) -> str:
        base = str(settings.SHOPIFY_BASE_URL).replace("{shop}", self.shop_domain).rstrip("/")
        return f"{base}/admin/api/{settings.SHOPIFY_API_VERSION}/graphql.json"

    @property
    def graphql(self) -> ShopifyGraphQL:
        if self._graphql is None:
            token = self.store_account.access_token or (self.store_account.credentials or {}).get("access_token")
            if not token:
                raise ReconnectNeededError("the Shopify store has no access token: connect it again")
            self._graphql = ShopifyGraphQL(
                endpoint=self.endpoint,
                access_token=str(token),
                http=self._http or OutboundClient(ClientConfig(target="shopify")),
                bucket=CostBucket(self.shop_domain, clock=self._clock),
                sleep=self._sleep,
            )
        return self._graphql


def product_handle(sku: str) -> str:
    """The Shopify handle of the product a SKU is published as: readable, and unique even for SKUs that differ
    only in case or punctuation."""
    digest = hashlib.sha256(sku.encode()).hexdigest()[:10]
    readable = re.sub(r"[^a-z0-9]+", "-", sku.lower()).strip("-")[:80]
    return f"{HANDLE_PREFIX}-{readable}-{digest}" if readable else f"{HANDLE_PREFIX}-{digest}"


def _product_input(payload: ListingPayload, variants: Sequence[ShopifyVariant]) -> dict[str, Any]:
    product: dict[str, Any] = {"title": payload.title, "descriptionHtml": payload.description, "status": "DRAFT"}
    brand = payload.aspects.get("Brand") or []
    if brand:
        product["vendor"] = brand[0]
    if payload.category_id.startswith(TAXONOMY_PREFIX):
        product["category"] = payload.category_id
    options: dict[str, list[str]] = {}
    for variant in variants:
        for name, value in variant.options.items():
            values = options.setdefault(name, [])
            if value not in values:
                values.append(value)
    if options:
        product["productOptions"] = [
            {"name": name, "values": [{"name": value} for value in values]} for name, values in options.items()
        ]
    return product


def _media(payload: ListingPayload) -> list[dict[str, str]]:
    return [{"originalSource": url, "mediaContentType": "IMAGE", "alt": payload.title} for url in payload.images]


def _price_fields(variant: ShopifyVariant) -> dict[str, Any]:
    fields: dict[str, Any] = {"price": _money(variant.price)}
    if variant.compare_at_price is not None:
        fields["compareAtPrice"] = _money(variant.compare_at_price)
    return fields


def _variant_input(variant: ShopifyVariant, *, location_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        **_price_fields(variant),
        "inventoryItem": {"sku": variant.sku, "tracked": True},
        "optionValues": [{"optionName": name, "name": value} for name, value in variant.options.items()],
        "inventoryQuantities": [{"availableQuantity": variant.quantity, "locationId": location_id}],
    }
    if variant.image:
        data["mediaSrc"] = [variant.image]
    return data


def _money(value: Decimal | None) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def _indexed_errors(errors: list[dict[str, Any]], list_field: str) -> dict[int | None, str]:
    """User errors keyed by the position the `field` path names in `list_field` (None when it names none)."""
    by_position: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for error in errors:
        path = [str(part) for part in error.get("field") or []]
        position: int | None = None
        if list_field in path:
            after = path.index(list_field) + 1
            if after < len(path) and path[after].isdigit():
                position = int(path[after])
        by_position[position].append(error)
    return {position: describe(group) for position, group in by_position.items()}


def _shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _refunded_per_line(refunds: list[dict[str, Any]]) -> dict[str, Decimal]:
    """Refunded subtotal per line item id, over every refund of the order."""
    refunded: dict[str, Decimal] = defaultdict(Decimal)
    for refund in refunds:
        for item in (refund.get("refundLineItems") or {}).get("nodes") or []:
            line_id = (item.get("lineItem") or {}).get("id")
            if line_id:
                refunded[line_id] += Decimal(str(item["subtotalSet"]["shopMoney"]["amount"]))
    return refunded


def _variant_state(node: dict[str, Any]) -> ListingState:
    level = (node.get("inventoryItem") or {}).get("inventoryLevel") or {}
    available = [q["quantity"] for q in level.get("quantities") or [] if q.get("name") == INVENTORY_NAME]
    return ListingState(
        sku=node.get("sku") or "",
        found=True,
        price=Decimal(str(node["price"])) if node.get("price") is not None else None,
        quantity=int(available[0]) if available else None,
        status=str((node.get("product") or {}).get("status") or ""),
    )


def _order_fees(order: dict[str, Any]) -> Decimal:
    total = Decimal(0)
    for transaction in order.get("transactions") or []:
        for fee in transaction.get("fees") or []:
            total += Decimal(str(fee["amount"]["amount"]))
    return total


def _allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split `total` over lines in proportion to their revenue, to the cent, the last line taking the remainder."""
    if not weights:
        return []
    weight_sum = sum(weights)
    shares = [
        (total * weight / weight_sum).quantize(Decimal("0.01")) if weight_sum else Decimal("0.00")
        for weight in weights[:-1]
    ]
    return [*shares, total - sum(shares, Decimal(0))]


def _chunks(items: list[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
