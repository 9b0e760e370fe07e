"""Prices per product through productVariantsBulkUpdate, quantities in bulk through inventorySetQuantities."""

from dataclasses import replace
from decimal import Decimal

from marketplaces.plugins.base import PriceQuantityUpdate, UpdateResult
from marketplaces.plugins.shopify import ShopifyClient


def _update(product, index, *, price="9.99", quantity=None) -> PriceQuantityUpdate:
    variant = product["variants"][index]
    return PriceQuantityUpdate(
        sku=variant["sku"],
        external_id=product["id"],
        offer_id=variant["id"],
        price=Decimal(price) if price is not None else None,
        quantity=quantity,
    )


def test_prices_go_in_one_bulk_update_per_product(client, shop):
    first, second = shop.add_product(skus=["A1", "A2", "A3"]), shop.add_product(skus=["B1", "B2"])
    updates = [
        _update(first, 0, price="10"),
        _update(second, 0, price="20"),
        _update(first, 1, price="11"),
        _update(first, 2, price="12"),
        _update(second, 1, price="21.5"),
    ]

    results = client.update_price_quantity(updates)

    assert all(result.ok for result in results)
    bulk = [r for r in shop.received if r.operation == "VariantsBulkUpdate"]
    assert [(r.variables["productId"], len(r.variables["variants"])) for r in bulk] == [
        (first["id"], 3),
        (second["id"], 2),
    ]
    assert [shop.variants[v["id"]]["price"] for v in first["variants"]] == ["10.00", "11.00", "12.00"]
    assert shop.variants[second["variants"][1]["id"]]["price"] == "21.50"


def test_price_bulk_update_allows_partial_updates_so_one_bad_variant_fails_alone(client, shop):
    product = shop.add_product(skus=["A1", "A2", "A3"])
    updates = [_update(product, 0, price="10"), _update(product, 1, price="-1"), _update(product, 2, price="12")]

    results = client.update_price_quantity(updates)

    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == "variants.1.price: Price must be greater than or equal to 0"
    assert shop.variants[product["variants"][2]["id"]]["price"] == "12.00"


def test_quantities_go_in_one_inventory_call_for_many_products(client, shop):
    products = [shop.add_product(skus=[f"P{n}"]) for n in range(5)]
    updates = [_update(p, 0, price=None, quantity=n * 3) for n, p in enumerate(products)]

    results = client.update_price_quantity(updates)

    assert all(result.ok for result in results)
    assert shop.ops().count("InventorySetQuantities") == 1
    assert [shop.levels[p["variants"][0]["inventoryItem"]] for p in products] == [0, 3, 6, 9, 12]


def test_quantities_are_split_at_the_bulk_limit(client, shop):
    products = [shop.add_product(skus=[f"P{n}"]) for n in range(ShopifyClient.meta.bulk_limit + 1)]

    client.update_price_quantity([_update(p, 0, price=None, quantity=1) for p in products])

    calls = [r for r in shop.received if r.operation == "InventorySetQuantities"]
    assert [len(r.variables["input"]["quantities"]) for r in calls] == [ShopifyClient.meta.bulk_limit, 1]


def test_inventory_items_are_looked_up_once_then_remembered(client, shop):
    product = shop.add_product(skus=["A"])

    client.update_price_quantity([_update(product, 0, price=None, quantity=4)])
    client.update_price_quantity([_update(product, 0, price=None, quantity=2)])

    assert shop.ops().count("VariantInventoryItems") == 1
    assert shop.levels[product["variants"][0]["inventoryItem"]] == 2


def test_a_price_and_quantity_update_sets_both(client, shop):
    product = shop.add_product(skus=["A"])

    [result] = client.update_price_quantity([_update(product, 0, price="15", quantity=8)])

    assert result == UpdateResult(sku="A", ok=True)
    assert shop.variants[product["variants"][0]["id"]]["price"] == "15.00"
    assert shop.levels[product["variants"][0]["inventoryItem"]] == 8


def test_an_unknown_variant_fails_alone_and_the_rest_of_the_stock_is_still_set(client, shop):
    good, other = shop.add_product(skus=["G"]), shop.add_product(skus=["O"])
    missing = replace(_update(good, 0, price=None, quantity=5), sku="GONE", offer_id="gid://shopify/ProductVariant/404")

    results = client.update_price_quantity(
        [_update(good, 0, price=None, quantity=5), missing, _update(other, 0, price=None, quantity=6)]
    )

    assert [r.ok for r in results] == [True, False, True]
    assert "ProductVariant/404" in results[1].error
    assert shop.levels[good["variants"][0]["inventoryItem"]] == 5
    assert shop.levels[other["variants"][0]["inventoryItem"]] == 6


def test_an_inventory_user_error_blames_its_item_and_the_others_are_sent_again(client, shop):
    first, second = shop.add_product(skus=["A"]), shop.add_product(skus=["B"])
    client.inventory_item_ids([first["variants"][0]["id"], second["variants"][0]["id"]])
    del shop.levels[first["variants"][0]["inventoryItem"]]

    results = client.update_price_quantity(
        [_update(first, 0, price=None, quantity=1), _update(second, 0, price=None, quantity=2)]
    )

    assert [r.ok for r in results] == [False, True]
    assert results[0].error == "input.quantities.0.inventoryItemId: The specified inventory item could not be found."
    assert shop.ops().count("InventorySetQuantities") == 2
    assert shop.levels[second["variants"][0]["inventoryItem"]] == 2


def test_an_update_without_a_variant_id_fails_without_a_request(client, shop):
    update = PriceQuantityUpdate(
        sku="X", external_id="gid://shopify/Product/1", offer_id="", price=Decimal(1), quantity=1
    )

    [result] = client.update_price_quantity([update])

    assert result.ok is False
    assert "variant id" in result.error
    assert shop.received == []
