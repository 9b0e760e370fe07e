import json
from decimal import Decimal

import pytest

from marketplaces.models import StoreAccount
from marketplaces.plugins.base import InvalidDataError, ListingPayload
from marketplaces.plugins.ebay import EbayClient, PrerequisitesMissingError

pytestmark = pytest.mark.django_db

INVENTORY_ITEM = r"/sell/inventory/v1/inventory_item/.+"
ACCOUNT_CALLS = r"/sell/account/v1/.+"


def payload(**overrides) -> ListingPayload:
    values = {
        "sku": "DS-000123",
        "title": "Wireless Earbuds, Bluetooth 5.3",
        "description": "<p>Noise cancelling earbuds.</p>",
        "price": Decimal("39.99"),
        "currency": "USD",
        "quantity": 7,
        "images": ["https://img.example/1.jpg", "https://img.example/2.jpg"],
        "aspects": {"Brand": ["Acme"], "Color": ["Black"]},
        "category_id": "112529",
        "condition": "NEW",
    }
    return ListingPayload(**{**values, **overrides})


def test_create_listing_publishes_and_returns_the_listing_and_offer_ids(ebay_client, fake_ebay):
    result = ebay_client.create_listing(payload())

    assert result.offer_id in fake_ebay.state.offers
    assert result.external_id == fake_ebay.state.listings[result.offer_id]
    assert result.url == f"https://www.ebay.com/itm/{result.external_id}"


def test_inventory_item_carries_title_description_aspects_images_condition_and_quantity(ebay_client, fake_ebay):
    ebay_client.create_listing(payload())

    assert fake_ebay.state.inventory["DS-000123"] == {
        "product": {
            "title": "Wireless Earbuds, Bluetooth 5.3",
            "description": "<p>Noise cancelling earbuds.</p>",
            "aspects": {"Brand": ["Acme"], "Color": ["Black"]},
            "imageUrls": ["https://img.example/1.jpg", "https://img.example/2.jpg"],
        },
        "condition": "NEW",
        "availability": {"shipToLocationAvailability": {"quantity": 7}},
    }


def test_offer_carries_price_marketplace_category_policies_and_location(ebay_client, fake_ebay):
    result = ebay_client.create_listing(payload())

    offer = fake_ebay.state.offers[result.offer_id]
    assert offer["sku"] == "DS-000123"
    assert offer["marketplaceId"] == "EBAY_US"
    assert offer["format"] == "FIXED_PRICE"
    assert offer["pricingSummary"] == {"price": {"value": "39.99", "currency": "USD"}}
    assert offer["categoryId"] == "112529"
    assert offer["availableQuantity"] == 7
    assert offer["merchantLocationKey"] == "warehouse-1"
    assert offer["listingPolicies"] == {
        "fulfillmentPolicyId": "FUL-1",
        "paymentPolicyId": "PAY-1",
        "returnPolicyId": "RET-1",
    }


def test_first_publish_remembers_the_policies_and_location(ebay_client, ebay_account):
    ebay_client.create_listing(payload())

    assert StoreAccount.objects.get(pk=ebay_account.pk).listing_defaults == {
        "marketplace_id": "EBAY_US",
        "fulfillment_policy_id": "FUL-1",
        "payment_policy_id": "PAY-1",
        "return_policy_id": "RET-1",
        "merchant_location_key": "warehouse-1",
    }


def test_later_publishes_skip_the_prerequisites_check(ebay_client, fake_ebay, ebay_account):
    ebay_client.create_listing(payload())
    checks = len(fake_ebay.seen("GET", ACCOUNT_CALLS))

    EbayClient(StoreAccount.objects.get(pk=ebay_account.pk)).create_listing(payload(sku="DS-000124"))

    assert checks == 3
    assert len(fake_ebay.seen("GET", ACCOUNT_CALLS)) == 3


def test_stored_marketplace_id_is_used_for_the_check_and_the_offer(ebay_account, fake_ebay):
    ebay_account.listing_defaults = {"marketplace_id": "EBAY_GB"}
    ebay_account.save()

    result = EbayClient(ebay_account).create_listing(payload(currency="GBP"))

    assert fake_ebay.state.offers[result.offer_id]["marketplaceId"] == "EBAY_GB"
    assert all("marketplace_id=EBAY_GB" in seen.path for seen in fake_ebay.seen("GET", ACCOUNT_CALLS))


def test_republishing_a_sku_updates_its_existing_offer(ebay_client, fake_ebay):
    first = ebay_client.create_listing(payload())

    second = ebay_client.create_listing(payload(price=Decimal("44.50")))

    assert second.offer_id == first.offer_id
    assert len(fake_ebay.state.offers) == 1
    assert fake_ebay.state.offers[first.offer_id]["pricingSummary"]["price"]["value"] == "44.50"


def test_missing_prerequisites_are_listed_exactly(ebay_client, fake_ebay):
    fake_ebay.state.policies["payment"] = []
    fake_ebay.state.locations = [{"merchantLocationKey": "old", "merchantLocationStatus": "DISABLED"}]

    with pytest.raises(PrerequisitesMissingError) as raised:
        ebay_client.create_listing(payload())

    assert raised.value.missing == ["payment_policy", "inventory_location"]
    assert raised.value.permanent is True
    assert "a payment policy, an enabled inventory location for EBAY_US" in str(raised.value)


def test_missing_prerequisites_stop_before_anything_is_created(ebay_client, fake_ebay):
    fake_ebay.state.policies["fulfillment"] = []

    with pytest.raises(PrerequisitesMissingError):
        ebay_client.create_listing(payload())

    assert fake_ebay.seen("PUT", INVENTORY_ITEM) == []
    assert fake_ebay.state.offers == {}


def test_check_prerequisites_names_all_four_when_the_account_is_empty(ebay_client, fake_ebay):
    fake_ebay.state.policies = {"fulfillment": [], "payment": [], "return": []}
    fake_ebay.state.locations = []

    with pytest.raises(PrerequisitesMissingError) as raised:
        ebay_client.check_prerequisites()

    assert raised.value.missing == ["fulfillment_policy", "payment_policy", "return_policy", "inventory_location"]


def test_sku_with_reserved_characters_is_escaped_in_the_path(ebay_client, fake_ebay):
    ebay_client.create_listing(payload(sku="DS 12/3"))

    (request,) = fake_ebay.seen("PUT", INVENTORY_ITEM)
    assert request.path == "/sell/inventory/v1/inventory_item/DS%2012%2F3"


def test_withdraw_ends_the_published_offer(ebay_client, fake_ebay):
    result = ebay_client.create_listing(payload())

    ebay_client.withdraw(external_id=result.external_id, offer_id=result.offer_id)

    assert fake_ebay.state.withdrawn == [result.offer_id]


def test_withdraw_without_an_offer_id_is_invalid_data(ebay_client, fake_ebay):
    with pytest.raises(InvalidDataError):
        ebay_client.withdraw(external_id="110000000001", offer_id="")

    assert fake_ebay.seen("POST", r".*/withdraw") == []


def test_withdraw_of_an_unpublished_offer_keeps_ebays_message(ebay_client):
    with pytest.raises(InvalidDataError) as raised:
        ebay_client.withdraw(external_id="", offer_id="404")

    assert "25713: This Offer is not available or not published." in str(raised.value)


def test_every_call_sends_the_bearer_token(ebay_client, fake_ebay, ebay_account):
    ebay_client.create_listing(payload())

    assert {seen.headers["authorization"] for seen in fake_ebay.requests} == {f"Bearer {ebay_account.access_token}"}
    assert json.loads(fake_ebay.seen("POST", r"/sell/inventory/v1/offer")[0].body)["sku"] == "DS-000123"
