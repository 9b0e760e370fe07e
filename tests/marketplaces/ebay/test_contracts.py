"""The request validator itself: it must be able to fail, or the contract tests prove nothing."""

import json
from decimal import Decimal

import pytest

from marketplaces.plugins.base import ListingPayload
from marketplaces.plugins.ebay import client as ebay_client_module
from tests.marketplaces.contracts import ContractViolation

pytestmark = pytest.mark.django_db

JSON_HEADERS = {"Content-Type": "application/json", "Content-Language": "en-US"}
ITEM = {
    "product": {"title": "Earbuds", "aspects": {"Brand": ["Acme"]}, "imageUrls": ["https://img.example/1.jpg"]},
    "condition": "NEW",
    "availability": {"shipToLocationAvailability": {"quantity": 3}},
}


def put_item(contracts, body, headers=JSON_HEADERS):
    return contracts.check(
        method="PUT", url="/sell/inventory/v1/inventory_item/SKU-1", headers=headers, body=json.dumps(body)
    )


def test_a_valid_inventory_item_passes(ebay_contracts):
    assert put_item(ebay_contracts, ITEM).operation_id == "createOrReplaceInventoryItem"


def test_a_made_up_field_fails(ebay_contracts):
    body = {**ITEM, "product": {**ITEM["product"], "colour": "black"}}

    with pytest.raises(ContractViolation, match="'colour' was unexpected"):
        put_item(ebay_contracts, body)


def test_a_wrongly_typed_field_fails(ebay_contracts):
    body = {**ITEM, "availability": {"shipToLocationAvailability": {"quantity": "three"}}}

    with pytest.raises(ContractViolation, match="'three' is not of type 'integer'"):
        put_item(ebay_contracts, body)


def test_aspects_as_a_string_fail_per_the_readme_override(ebay_contracts):
    with pytest.raises(ContractViolation, match="aspects"):
        put_item(ebay_contracts, {**ITEM, "product": {"title": "x", "aspects": "Brand=Acme"}})


def test_a_missing_required_header_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="required header 'Content-Language'"):
        put_item(ebay_contracts, ITEM, headers={"Content-Type": "application/json"})


def test_an_unknown_path_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="no path"):
        ebay_contracts.check(method="POST", url="/sell/inventory/v1/offers/bulk_publish", headers={}, body=b"")


def test_a_method_the_path_lacks_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="method not in the contract"):
        ebay_contracts.check(method="DELETE", url="/sell/inventory/v1/bulk_update_price_quantity", headers={}, body=b"")


def test_a_missing_required_query_parameter_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="required query parameter 'marketplace_id'"):
        ebay_contracts.check(method="GET", url="/sell/account/v1/return_policy", headers={}, body=None)


def test_an_unknown_query_parameter_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="'created_after' is not in the contract"):
        ebay_contracts.check(method="GET", url="/sell/fulfillment/v1/order?created_after=2026", headers={}, body=None)


def test_a_body_where_none_is_taken_fails(ebay_contracts):
    with pytest.raises(ContractViolation, match="takes no JSON body"):
        ebay_contracts.check(method="POST", url="/sell/inventory/v1/offer/1/withdraw", headers={}, body=b'{"x": 1}')


def test_the_fake_ebay_catches_a_client_sending_a_made_up_field(ebay_client, fake_ebay, monkeypatch):
    original = ebay_client_module._price_quantity
    monkeypatch.setattr(ebay_client_module, "_price_quantity", lambda update: {**original(update), "priority": 1})
    update = ebay_client_module.PriceQuantityUpdate(
        sku="S", external_id="1", offer_id="9", price=Decimal("1.00"), quantity=1
    )

    with pytest.raises(ebay_client_module.InvalidDataError):
        ebay_client.update_price_quantity([update])

    assert len(fake_ebay.violations) == 1
    assert "'priority' was unexpected" in fake_ebay.violations[0]
    fake_ebay.violations.clear()


def test_the_fake_ebay_catches_a_missing_content_language(ebay_client, fake_ebay, monkeypatch):
    monkeypatch.setattr("marketplaces.plugins.ebay.transport.JSON_HEADERS", {"Content-Type": "application/json"})
    payload = ListingPayload(
        sku="S", title="t", description="d", price=Decimal("1.00"), currency="USD", quantity=1, category_id="1"
    )

    with pytest.raises(ebay_client_module.InvalidDataError):
        ebay_client.inventory_item_put(payload)

    assert "required header 'Content-Language'" in fake_ebay.violations[0]
    fake_ebay.violations.clear()
