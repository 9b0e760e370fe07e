"""The sync engine against the loopback Shopify: prices per product, quantities many to a call, archive on end."""

from decimal import Decimal

import pytest

from listings.models import Listing
from listings.sync import store_account_sync
from tests.listings_sync.conftest import published

pytestmark = pytest.mark.django_db


def on_shop(shop, account, number, **values) -> Listing:
    product = shop.add_product(skus=[f"SKU-{number:05d}"])
    return published(account, number, external_id=product["id"], offer_id=product["variants"][0]["id"], **values)


def test_quantities_of_many_listings_go_in_one_inventory_call(shopify_account, shop):
    listings = [on_shop(shop, shopify_account, number, quantity=number + 10) for number in range(12)]

    result = store_account_sync(store_account_id=shopify_account.pk)

    assert result.pushed == 12
    assert shop.ops().count("InventorySetQuantities") == 1
    levels = {shop.variants[listing.offer_id]["inventoryItem"]: listing.quantity for listing in listings}
    assert all(shop.levels[item] == quantity for item, quantity in levels.items())


def test_prices_are_set_per_product_and_recorded(shopify_account, shop):
    rising = on_shop(shop, shopify_account, 1, price=Decimal("31.50"))
    on_shop(shop, shopify_account, 2)

    store_account_sync(store_account_id=shopify_account.pk)

    assert shop.ops() == ["VariantsBulkUpdate"]
    assert shop.variants[rising.offer_id]["price"] == "31.50"
    rising.refresh_from_db()
    assert rising.pushed_price == Decimal("31.50")
    assert rising.revisions_today == 1


def test_a_shopify_refusal_is_kept_on_the_listing(shopify_account, shop):
    listing = published(shopify_account, 1, external_id="gid://shopify/Product/1", offer_id="", quantity=0)

    result = store_account_sync(store_account_id=shopify_account.pk)

    assert result.failed == 1
    listing.refresh_from_db()
    assert "no Shopify variant id" in listing.last_error
    assert listing.sync_failures == 1


def test_an_ended_listing_is_archived(shopify_account, shop):
    listing = on_shop(shop, shopify_account, 1, status=Listing.Status.ENDED)

    result = store_account_sync(store_account_id=shopify_account.pk)

    assert result.withdrawn == 1
    assert shop.products[listing.external_id]["status"] == "ARCHIVED"
