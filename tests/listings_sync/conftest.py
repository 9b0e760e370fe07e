"""Fixtures for the sync engine and publishing: the loopback eBay and Shopify, and published listings on them."""

from decimal import Decimal
from typing import Any

import pytest

from listings.models import Listing
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory, StoreAccountFactory
from tests.marketplaces.ebay.conftest import ebay_account, ebay_contracts, fake_ebay  # noqa: F401  (fixtures)
from tests.marketplaces.shopify.conftest import TOKEN, clock, schema, shop  # noqa: F401  (fixtures)

BULK = r"/sell/inventory/v1/bulk_update_price_quantity"


def published(account: StoreAccount, number: int, **values: Any) -> Listing:
    """A listing live on `account`, its marketplace showing 20.00 and 5 (override `price`/`quantity` to differ)."""
    fields: dict[str, Any] = {
        "user": account.user,
        "store_account": account,
        "sku": f"SKU-{number:05d}",
        "status": Listing.Status.ACTIVE,
        "external_id": f"11000000{number:05d}",
        "offer_id": f"9{number:05d}",
        "price": Decimal("20.00"),
        "quantity": 5,
        "pushed_price": Decimal("20.00"),
        "pushed_quantity": 5,
        **values,
    }
    return ListingFactory(**fields)


def bulk_requests(fake: Any) -> list[list[dict[str, Any]]]:
    """The `requests` of every bulk_update_price_quantity call the fake eBay received, in order."""
    return [body["requests"] for body in fake.state.bulk_bodies]


def sent(request: dict[str, Any]) -> dict[str, Any]:
    offer = (request.get("offers") or [{}])[0]
    return {
        "sku": request["sku"],
        "price": (offer.get("price") or {}).get("value"),
        "quantity": offer.get("availableQuantity"),
    }


@pytest.fixture
def shopify_account(db, user) -> StoreAccount:
    return StoreAccountFactory(
        user=user,
        marketplace="shopify",
        shop_domain="dropship-demo.myshopify.com",
        credentials={},
        access_token=TOKEN,
        refresh_token="",
    )
