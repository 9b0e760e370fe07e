from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dropship_central.models import AuditLog, Job
from listings.models import Listing
from listings.reconcile import store_account_reconcile
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

BULK_GET = r"/sell/inventory/v1/bulk_get_inventory_item"


def ebay_listing(account, fake_ebay, *, sku: str, offer_id: str, on_ebay: tuple[str, int], **fields) -> Listing:
    """A published eBay listing, and the offer and inventory item eBay holds for it (price, quantity)."""
    price, quantity = on_ebay
    fake_ebay.state.offers[offer_id] = {
        "sku": sku,
        "marketplaceId": "EBAY_US",
        "format": "FIXED_PRICE",
        "pricingSummary": {"price": {"value": price, "currency": "USD"}},
    }
    fake_ebay.state.listings[offer_id] = f"1100{offer_id}"
    fake_ebay.state.inventory[sku] = {"availability": {"shipToLocationAvailability": {"quantity": quantity}}}
    defaults = {"status": Listing.Status.ACTIVE, "pushed_price": Decimal(price), "pushed_quantity": quantity}
    return ListingFactory(
        user=account.user,
        store_account=account,
        sku=sku,
        external_id=f"1100{offer_id}",
        offer_id=offer_id,
        **{**defaults, **fields},
    )


def test_ebay_drift_is_written_into_the_pushed_state_and_reported(ebay_account, fake_ebay):
    drifted = ebay_listing(
        ebay_account,
        fake_ebay,
        sku="DS-1",
        offer_id="9001",
        on_ebay=("12.50", 3),
        pushed_price=Decimal("10.00"),
        pushed_quantity=5,
        price=Decimal("10.00"),
        quantity=5,
    )
    steady = ebay_listing(ebay_account, fake_ebay, sku="DS-2", offer_id="9002", on_ebay=("20.00", 4))

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert (result.checked, result.drifted, result.missing) == (2, 1, 0)
    assert result.drifts == [
        {
            "listing_id": drifted.pk,
            "sku": "DS-1",
            "missing": False,
            "fields": {"price": ["10.00", "12.50"], "quantity": [5, 3]},
            "desired": {"price": "10.00", "quantity": 5},
        }
    ]
    drifted.refresh_from_db()
    assert (drifted.pushed_price, drifted.pushed_quantity) == (Decimal("12.50"), 3)
    steady.refresh_from_db()
    assert (steady.pushed_price, steady.pushed_quantity) == (Decimal("20.00"), 4)
    entry = AuditLog.objects.get(object_id=str(drifted.pk), message="reconcile: marketplace drift")
    assert entry.changes == {"pushed_price": ["10.00", "12.50"], "pushed_quantity": [5, 3]}
    assert Job.objects.filter(pk=result.sync_job, payload={"store_account_id": ebay_account.pk}).exists()


def test_ebay_quantities_are_read_25_skus_a_call(ebay_account, fake_ebay):
    for number in range(30):
        ebay_listing(ebay_account, fake_ebay, sku=f"DS-{number}", offer_id=f"{9100 + number}", on_ebay=("5.00", 1))

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert (result.checked, result.drifted) == (30, 0)
    assert result.sync_job == ""
    assert len(fake_ebay.seen("POST", BULK_GET)) == 2


def test_a_listing_whose_offer_is_gone_is_reported_missing_and_left_alone(ebay_account, fake_ebay):
    listing = ebay_listing(ebay_account, fake_ebay, sku="DS-9", offer_id="9009", on_ebay=("7.00", 2))
    del fake_ebay.state.offers["9009"]

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert (result.missing, result.drifted) == (1, 0)
    assert result.drifts[0] == {"listing_id": listing.pk, "sku": "DS-9", "missing": True, "fields": {}}
    listing.refresh_from_db()
    assert listing.pushed_price == Decimal("7.00")
    assert AuditLog.objects.filter(object_id=str(listing.pk), message__contains="not found").exists()


def test_a_listing_held_by_a_sync_pass_is_not_overwritten(ebay_account, fake_ebay):
    listing = ebay_listing(
        ebay_account,
        fake_ebay,
        sku="DS-3",
        offer_id="9003",
        on_ebay=("15.00", 1),
        pushed_price=Decimal("14.00"),
        sync_lease_until=timezone.now() + timedelta(minutes=5),
    )

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert (result.busy, result.drifted) == (1, 0)
    listing.refresh_from_db()
    assert listing.pushed_price == Decimal("14.00")


def test_ended_and_unpublished_listings_are_not_read(ebay_account, fake_ebay):
    ebay_listing(ebay_account, fake_ebay, sku="DS-4", offer_id="9004", on_ebay=("1.00", 1), status="ended")
    ListingFactory(user=ebay_account.user, store_account=ebay_account, status=Listing.Status.PENDING)

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert result.checked == 0
    assert fake_ebay.requests == []


def test_a_store_that_is_not_connected_is_skipped(ebay_account, fake_ebay):
    ebay_listing(ebay_account, fake_ebay, sku="DS-5", offer_id="9005", on_ebay=("1.00", 1))
    StoreAccount.objects.filter(pk=ebay_account.pk).update(status=StoreAccount.Status.DISCONNECTED)

    result = store_account_reconcile(store_account_id=ebay_account.pk)

    assert result.skipped == "store not connected"
    assert fake_ebay.requests == []


def shopify_listing(store, shop, *, sku: str, on_shop: tuple[str, int], **fields) -> Listing:
    price, quantity = on_shop
    product = shop.add_product(skus=[sku])
    variant = product["variants"][0]
    shop.variants[variant["id"]]["price"] = price
    shop.levels[variant["inventoryItem"]] = quantity
    return ListingFactory(
        user=store.user,
        store_account=store,
        sku=sku,
        status=Listing.Status.ACTIVE,
        external_id=product["id"],
        offer_id=variant["id"],
        **{"pushed_price": Decimal(price), "pushed_quantity": quantity, **fields},
    )


def test_shopify_drift_is_read_from_variant_prices_and_available_stock(store, shop, client):
    listing = shopify_listing(store, shop, sku="SH-1", on_shop=("19.99", 0), pushed_quantity=6)
    steady = shopify_listing(store, shop, sku="SH-2", on_shop=("5.00", 2))

    result = store_account_reconcile(store_account_id=store.pk, client=client)

    assert (result.checked, result.drifted) == (2, 1)
    assert result.drifts[0]["fields"] == {"quantity": [6, 0]}
    listing.refresh_from_db()
    assert listing.pushed_quantity == 0
    steady.refresh_from_db()
    assert steady.pushed_quantity == 2
    assert shop.ops().count("VariantStates") == 1


def test_a_deleted_shopify_variant_is_reported_missing(store, shop, client):
    listing = shopify_listing(store, shop, sku="SH-3", on_shop=("9.00", 1))
    del shop.variants[listing.offer_id]

    result = store_account_reconcile(store_account_id=store.pk, client=client)

    assert result.missing == 1
    assert result.drifts[0]["listing_id"] == listing.pk


def test_an_archived_shopify_product_of_an_active_listing_is_reported_not_live(store, shop, client):
    listing = shopify_listing(store, shop, sku="SH-4", on_shop=("9.00", 1))
    shop.products[listing.external_id]["status"] = "ARCHIVED"

    result = store_account_reconcile(store_account_id=store.pk, client=client)

    assert (result.not_live, result.drifted) == (1, 0)
    assert result.drifts[0]["fields"] == {"status": ["active", "ARCHIVED"]}
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
