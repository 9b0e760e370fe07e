"""`EbayClient`: inventory items, offers, publishing, bulk price and quantity, withdrawal and orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qs, quote, urlsplit

from dropship_central.http import OutboundClient
from marketplaces.models import StoreAccount
from marketplaces.oauth import ebay_http_client
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
    UpdateResult,
)
from marketplaces.plugins.ebay.errors import EbayRequestError, PrerequisitesMissingError
from marketplaces.plugins.ebay.transport import EbayTransport
from marketplaces.services import store_account_listing_defaults_set
from suppliers.ratelimit import SupplierRateLimiter

INVENTORY = "/sell/inventory/v1"
ACCOUNT = "/sell/account/v1"
FULFILLMENT = "/sell/fulfillment/v1"
DEFAULT_MARKETPLACE_ID = "EBAY_US"
ORDER_PAGE_SIZE = 200
MAX_ORDER_PAGES = 500
OFFER_EXISTS = 25002
# "This Offer is not available" and "No offer found": the offer was deleted on eBay.
OFFER_GONE = frozenset({25713, 25710})
SETUP_KEYS = ("fulfillment_policy_id", "payment_policy_id", "return_policy_id", "merchant_location_key")


@dataclass(frozen=True)
class ListingSetup:
    """What every offer on one eBay marketplace refers to: the seller's business policies and a location."""

    marketplace_id: str
    fulfillment_policy_id: str
    payment_policy_id: str
    return_policy_id: str
    merchant_location_key: str


class EbayClient(MarketplaceClient):
    """eBay through the Sell APIs, for one connected store account.

    Every request goes through the shared outbound client (no proxies) under a per-account rate limit. The
    account's policies and inventory location are looked up before its first publish and remembered in
    `StoreAccount.listing_defaults`; a missing one raises `PrerequisitesMissingError` naming each.
    """

    meta: ClassVar[ClientMeta] = ClientMeta(
        slug="ebay", name="eBay", version="1.0.0", requests_per_minute=1500, bulk_limit=25
    )

    def __init__(self, store_account: StoreAccount, *, http: OutboundClient | None = None) -> None:
        super().__init__(store_account)
        if http is None:
            http = ebay_http_client()
            limiter = SupplierRateLimiter(supplier_slug="ebay", requests_per_minute=self.meta.requests_per_minute)
            limiter.key = f"marketplace:ebay:{store_account.pk}"
            http.rate_limiter = limiter
        self.transport = EbayTransport(store_account, http)

    @property
    def marketplace_id(self) -> str:
        return str(self.store_account.listing_defaults.get("marketplace_id") or DEFAULT_MARKETPLACE_ID)

    def create_listing(self, payload: ListingPayload) -> PublishResult:
        setup = self.listing_setup()
        self.inventory_item_put(payload)
        offer_id = self.offer_upsert(payload, setup)
        body = self.transport.call("POST", f"{INVENTORY}/offer/{quote(offer_id, safe='')}/publish")
        listing_id = str(body.get("listingId") or "")
        if not listing_id:
            raise InvalidDataError("eBay published the offer without returning a listing id.", response=body)
        return PublishResult(external_id=listing_id, offer_id=offer_id, url=f"https://www.ebay.com/itm/{listing_id}")

    def inventory_item_put(self, payload: ListingPayload) -> None:
        """Create or replace the inventory item for the payload's SKU."""
        product: dict[str, Any] = {"title": payload.title[:80], "description": payload.description}
        if payload.aspects:
            product["aspects"] = payload.aspects
        if payload.images:
            product["imageUrls"] = list(payload.images)
        body = {
            "product": product,
            "condition": payload.condition,
            "availability": {"shipToLocationAvailability": {"quantity": payload.quantity}},
        }
        self.transport.call("PUT", f"{INVENTORY}/inventory_item/{quote(payload.sku, safe='')}", body=body)

    def offer_upsert(self, payload: ListingPayload, setup: ListingSetup) -> str:
        """Create the SKU's fixed-price offer, or update it when eBay says it already exists; its offer id."""
        details: dict[str, Any] = {
            "availableQuantity": payload.quantity,
            "pricingSummary": {"price": _amount(payload.price, payload.currency)},
            "listingDescription": payload.description,
            "listingPolicies": {
                "fulfillmentPolicyId": setup.fulfillment_policy_id,
                "paymentPolicyId": setup.payment_policy_id,
                "returnPolicyId": setup.return_policy_id,
            },
            "merchantLocationKey": setup.merchant_location_key,
        }
        if payload.category_id:
            details["categoryId"] = payload.category_id
        keys = {"sku": payload.sku, "marketplaceId": setup.marketplace_id, "format": "FIXED_PRICE"}
        try:
            body = self.transport.call("POST", f"{INVENTORY}/offer", body={**keys, **details})
        except EbayRequestError as exc:
            existing = exc.parameter("offerId")
            if OFFER_EXISTS not in exc.error_ids() or not existing:
                raise
            self.transport.call("PUT", f"{INVENTORY}/offer/{quote(existing, safe='')}", body=details)
            return existing
        return str(body["offerId"])

    def update_price_quantity(self, updates: list[PriceQuantityUpdate]) -> list[UpdateResult]:
        results: list[UpdateResult] = []
        size = self.meta.bulk_limit
        for start in range(0, len(updates), size):
            results.extend(self._bulk_update(updates[start : start + size]))
        return results

    def _bulk_update(self, chunk: list[PriceQuantityUpdate]) -> list[UpdateResult]:
        body = self.transport.call(
            "POST", f"{INVENTORY}/bulk_update_price_quantity", body={"requests": [_price_quantity(u) for u in chunk]}
        )
        outcomes: dict[str, list[dict[str, Any]]] = {}
        for response in body.get("responses") or []:
            outcomes.setdefault(str(response.get("sku", "")), []).append(response)
        return [_update_result(update.sku, outcomes.get(update.sku, [])) for update in chunk]

    def withdraw(self, *, external_id: str, offer_id: str) -> None:
        if not offer_id:
            raise InvalidDataError(f"Listing {external_id or '?'} has no eBay offer id to withdraw.")
        self.transport.call("POST", f"{INVENTORY}/offer/{quote(offer_id, safe='')}/withdraw")

    def fetch_orders(self, *, since: datetime) -> list[OrderLine]:
        return self._orders(f"creationdate:[{_ebay_time(since)}..]")

    def fetch_orders_modified(self, *, since: datetime) -> list[OrderLine]:
        """Orders eBay changed since `since` (new, paid, refunded…), each line with its refunds so far."""
        return self._orders(f"lastmodifieddate:[{_ebay_time(since)}..]")

    def read_listings(self, refs: list[ListingRef]) -> list[ListingState]:
        """Price and status from each offer (`GET offer/{offerId}`), quantity from the inventory items
        (`bulk_get_inventory_item`, 25 SKUs a call). A listing whose offer eBay no longer has is not found."""
        quantities: dict[str, int | None] = {}
        size = self.meta.bulk_limit
        for start in range(0, len(refs), size):
            quantities.update(self._inventory_quantities([ref.sku for ref in refs[start : start + size]]))
        return [self._listing_state(ref, quantities) for ref in refs]

    def _inventory_quantities(self, skus: list[str]) -> dict[str, int | None]:
        body = self.transport.call(
            "POST", f"{INVENTORY}/bulk_get_inventory_item", body={"requests": [{"sku": sku} for sku in skus]}
        )
        found: dict[str, int | None] = {}
        for response in body.get("responses") or []:
            if response.get("statusCode") != 200:
                continue
            availability = ((response.get("inventoryItem") or {}).get("availability") or {}).get(
                "shipToLocationAvailability"
            ) or {}
            quantity = availability.get("quantity")
            found[str(response.get("sku", ""))] = int(quantity) if quantity is not None else None
        return found

    def _listing_state(self, ref: ListingRef, quantities: dict[str, int | None]) -> ListingState:
        if not ref.offer_id:
            return ListingState(sku=ref.sku, found=False)
        try:
            offer = self.transport.call("GET", f"{INVENTORY}/offer/{quote(ref.offer_id, safe='')}")
        except EbayRequestError as exc:
            if exc.error_ids() & OFFER_GONE:
                return ListingState(sku=ref.sku, found=False)
            raise
        price = (offer.get("pricingSummary") or {}).get("price") or {}
        quantity = quantities.get(ref.sku, offer.get("availableQuantity"))
        return ListingState(
            sku=ref.sku,
            found=True,
            price=Decimal(str(price["value"])) if price.get("value") is not None else None,
            quantity=int(quantity) if quantity is not None else None,
            currency=str(price.get("currency") or ""),
            status=str(offer.get("status") or ""),
        )

    def _orders(self, order_filter: str) -> list[OrderLine]:
        params: dict[str, Any] = {
            "filter": order_filter,
            "limit": ORDER_PAGE_SIZE,
            "offset": 0,
        }
        lines: list[OrderLine] = []
        for _page in range(MAX_ORDER_PAGES):
            body = self.transport.call("GET", f"{FULFILLMENT}/order", params=params)
            for order in body.get("orders") or []:
                lines.extend(_order_lines(order))
            next_offset = _next_offset(body)
            if next_offset is None or next_offset <= params["offset"]:
                break
            params = {**params, "offset": next_offset}
        return lines

    def listing_setup(self) -> ListingSetup:
        """The ids new offers use: those stored on the account, else looked up (and stored) once."""
        defaults = self.store_account.listing_defaults
        if all(defaults.get(key) for key in SETUP_KEYS):
            return ListingSetup(marketplace_id=self.marketplace_id, **{key: str(defaults[key]) for key in SETUP_KEYS})
        setup = self.check_prerequisites()
        found = {key: getattr(setup, key) for key in SETUP_KEYS}
        store_account_listing_defaults_set(
            account=self.store_account, defaults={"marketplace_id": setup.marketplace_id, **found}
        )
        return setup

    def check_prerequisites(self) -> ListingSetup:
        """The account's first fulfillment, payment and return policy on the marketplace and first enabled location.

        Raises `PrerequisitesMissingError` listing exactly which of them the account lacks.
        """
        marketplace_id = self.marketplace_id
        query = {"marketplace_id": marketplace_id}
        found = {
            "fulfillment_policy": _first(
                self.transport.call("GET", f"{ACCOUNT}/fulfillment_policy", params=query),
                "fulfillmentPolicies",
                "fulfillmentPolicyId",
            ),
            "payment_policy": _first(
                self.transport.call("GET", f"{ACCOUNT}/payment_policy", params=query),
                "paymentPolicies",
                "paymentPolicyId",
            ),
            "return_policy": _first(
                self.transport.call("GET", f"{ACCOUNT}/return_policy", params=query),
                "returnPolicies",
                "returnPolicyId",
            ),
            "inventory_location": _enabled_location(self.transport.call("GET", f"{INVENTORY}/location")),
        }
        missing = [name for name, value in found.items() if not value]
        if missing:
            raise PrerequisitesMissingError(missing=missing, marketplace_id=marketplace_id)
        return ListingSetup(
            marketplace_id=marketplace_id,
            fulfillment_policy_id=found["fulfillment_policy"],
            payment_policy_id=found["payment_policy"],
            return_policy_id=found["return_policy"],
            merchant_location_key=found["inventory_location"],
        )


def _amount(value: Decimal, currency: str) -> dict[str, str]:
    return {"value": f"{value:.2f}", "currency": currency}


def _price_quantity(update: PriceQuantityUpdate) -> dict[str, Any]:
    request: dict[str, Any] = {"sku": update.sku}
    if update.quantity is not None:
        request["shipToLocationAvailability"] = {"quantity": update.quantity}
    if update.offer_id and (update.price is not None or update.quantity is not None):
        offer: dict[str, Any] = {"offerId": update.offer_id}
        if update.price is not None:
            offer["price"] = _amount(update.price, update.currency)
        if update.quantity is not None:
            offer["availableQuantity"] = update.quantity
        request["offers"] = [offer]
    return request


def _update_result(sku: str, responses: list[dict[str, Any]]) -> UpdateResult:
    if not responses:
        return UpdateResult(sku=sku, ok=False, error="eBay returned no result for this SKU.")
    failed = [response for response in responses if response.get("statusCode") != 200]
    if not failed:
        return UpdateResult(sku=sku, ok=True)
    messages = [
        f"{error.get('errorId', '?')}: {error.get('longMessage') or error.get('message') or 'unknown error'}"
        for response in failed
        for error in response.get("errors") or []
    ]
    return UpdateResult(sku=sku, ok=False, error="; ".join(messages) or f"HTTP {failed[0].get('statusCode')}")


def _first(body: dict[str, Any], collection: str, id_field: str) -> str:
    for item in body.get(collection) or []:
        if item.get(id_field):
            return str(item[id_field])
    return ""


def _enabled_location(body: dict[str, Any]) -> str:
    for location in body.get("locations") or []:
        if location.get("merchantLocationKey") and location.get("merchantLocationStatus", "ENABLED") == "ENABLED":
            return str(location["merchantLocationKey"])
    return ""


def _ebay_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _next_offset(body: dict[str, Any]) -> int | None:
    """The offset of the next page from eBay's `next` link; None on the last page."""
    link = body.get("next")
    if not link:
        return None
    values = parse_qs(urlsplit(str(link)).query).get("offset")
    if values and values[0].isdigit():
        return int(values[0])
    return int(body.get("offset") or 0) + int(body.get("limit") or ORDER_PAGE_SIZE)


def _order_lines(order: dict[str, Any]) -> list[OrderLine]:
    """One `OrderLine` per line item; the order's marketplace fee is shared by line revenue, cents exact."""
    items = [item for item in order.get("lineItems") or [] if isinstance(item, dict)]
    created = datetime.fromisoformat(str(order["creationDate"]).replace("Z", "+00:00"))
    revenues = [Decimal(str((item.get("lineItemCost") or {}).get("value") or "0")) for item in items]
    fee_total = Decimal(str((order.get("totalMarketplaceFee") or {}).get("value") or "0"))
    fees = _share(fee_total, revenues)
    lines = []
    for item, revenue, fee in zip(items, revenues, fees, strict=True):
        refunded = sum(
            (Decimal(str((refund.get("amount") or {}).get("value") or "0")) for refund in item.get("refunds") or []),
            Decimal("0"),
        )
        lines.append(
            OrderLine(
                order_id=str(order["orderId"]),
                sku=str(item.get("sku") or item.get("legacyItemId") or ""),
                quantity=int(item.get("quantity") or 0),
                revenue=revenue,
                fees=fee,
                currency=str((item.get("lineItemCost") or {}).get("currency") or "USD"),
                created_at=created,
                refunds=refunded,
            )
        )
    return lines


def _share(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    if not weights:
        return []
    whole = sum(weights)
    if not whole:
        return [total if index == 0 else Decimal("0") for index in range(len(weights))]
    shares = [(total * weight / whole).quantize(Decimal("0.01")) for weight in weights[:-1]]
    return [*shares, total - sum(shares, Decimal("0"))]
