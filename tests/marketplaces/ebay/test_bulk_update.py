from decimal import Decimal

import pytest

from marketplaces.plugins.base import PriceQuantityUpdate, UpdateResult

pytestmark = pytest.mark.django_db

BULK = r"/sell/inventory/v1/bulk_update_price_quantity"


def updates(count: int) -> list[PriceQuantityUpdate]:
    return [
        PriceQuantityUpdate(
            sku=f"DS-{n:04d}", external_id=f"1100{n}", offer_id=f"90{n:04d}", price=Decimal("12.50"), quantity=n % 4
        )
        for n in range(count)
    ]


def test_sixty_updates_take_three_calls_of_at_most_twenty_five(ebay_client, fake_ebay):
    ebay_client.update_price_quantity(updates(60))

    assert [len(body["requests"]) for body in fake_ebay.state.bulk_bodies] == [25, 25, 10]


def test_every_update_gets_a_result_in_order(ebay_client):
    results = ebay_client.update_price_quantity(updates(60))

    assert [result.sku for result in results] == [f"DS-{n:04d}" for n in range(60)]
    assert all(result.ok for result in results)


def test_request_sets_the_offer_price_and_both_quantities(ebay_client, fake_ebay):
    ebay_client.update_price_quantity(updates(2)[1:])

    assert fake_ebay.state.bulk_bodies[0]["requests"] == [
        {
            "sku": "DS-0001",
            "shipToLocationAvailability": {"quantity": 1},
            "offers": [{"offerId": "900001", "price": {"value": "12.50", "currency": "USD"}, "availableQuantity": 1}],
        }
    ]


def test_quantity_only_update_sends_no_price(ebay_client, fake_ebay):
    update = PriceQuantityUpdate(sku="DS-1", external_id="1", offer_id="91", price=None, quantity=0)

    ebay_client.update_price_quantity([update])

    assert fake_ebay.state.bulk_bodies[0]["requests"][0]["offers"] == [{"offerId": "91", "availableQuantity": 0}]


def test_a_refused_item_is_reported_with_ebays_message_and_the_rest_succeed(ebay_client, fake_ebay):
    fake_ebay.state.bulk_errors["DS-0002"] = {
        "errorId": 25001,
        "domain": "API_INVENTORY",
        "category": "SYSTEM",
        "message": "The price of the item is below the minimum allowed.",
    }

    results = ebay_client.update_price_quantity(updates(4))

    assert results[2] == UpdateResult(
        sku="DS-0002", ok=False, error="25001: The price of the item is below the minimum allowed."
    )
    assert [result.ok for result in results] == [True, True, False, True]


def test_no_updates_make_no_call(ebay_client, fake_ebay):
    assert ebay_client.update_price_quantity([]) == []
    assert fake_ebay.seen("POST", BULK) == []
