"""Creating products, archiving and unarchiving them."""

import json
from decimal import Decimal

import pytest

from marketplaces.plugins.base import InvalidDataError, ListingPayload, MarketplaceDownError
from marketplaces.plugins.shopify import ShopifyClient, ShopifyVariant
from marketplaces.plugins.shopify.client import product_handle
from tests.loopback import Reply
from tests.marketplaces.shopify.contract import PRODUCT_FIXTURE
from tests.marketplaces.shopify.fake_shop import LOCATION_ID


def _payload(**overrides) -> ListingPayload:
    values = {
        "sku": "SKU-1",
        "title": "Trail Bottle",
        "description": "<p>Steel bottle</p>",
        "price": Decimal("24.5"),
        "currency": "USD",
        "quantity": 7,
        "images": ["https://cdn.example.com/bottle-1.jpg", "https://cdn.example.com/bottle-2.jpg"],
        "aspects": {"Brand": ["Acme"]},
        "compare_at_price": Decimal("30"),
        **overrides,
    }
    return ListingPayload(**values)


def test_create_listing_creates_a_priced_stocked_active_product_with_its_images(client, shop):
    result = client.create_listing(_payload())

    product = shop.products[result.external_id]
    variant = shop.variants[result.offer_id]
    assert product["status"] == "ACTIVE"
    assert [m["originalSource"] for m in product["media"]] == [
        "https://cdn.example.com/bottle-1.jpg",
        "https://cdn.example.com/bottle-2.jpg",
    ]
    assert {m["mediaContentType"] for m in product["media"]} == {"IMAGE"}
    assert product["input"]["vendor"] == "Acme"
    assert variant["sku"] == "SKU-1"
    assert variant["price"] == "24.50"
    assert variant["compareAtPrice"] == "30.00"
    assert variant["tracked"] is True
    assert shop.levels[variant["inventoryItem"]] == 7


def test_create_listing_starts_as_a_draft_and_activates_last(client, shop):
    client.create_listing(_payload())

    assert shop.received[1].variables["product"]["status"] == "DRAFT"
    assert shop.ops() == [
        "ProductByHandle",
        "ProductCreate",
        "VariantsBulkUpdate",
        "PrimaryLocation",
        "InventorySetQuantities",
        "ProductSetStatus",
    ]
    assert shop.received[-1].variables["product"]["status"] == "ACTIVE"


def test_stock_is_set_as_available_at_the_primary_location_ignoring_compare_quantity(client, shop):
    client.create_listing(_payload(quantity=3))

    data = next(r for r in shop.received if r.operation == "InventorySetQuantities").variables["input"]
    assert data["name"] == "available"
    assert data["reason"] == "correction"
    assert data["ignoreCompareQuantity"] is True
    assert data["quantities"][0]["locationId"] == LOCATION_ID
    assert data["quantities"][0]["quantity"] == 3


def test_a_location_named_in_the_store_credentials_is_used_without_asking(store, shop, clock):
    from tests.marketplaces.shopify.conftest import fast_http

    store.credentials = {"location_id": "gid://shopify/Location/1"}
    ShopifyClient(store, http=fast_http(), sleep=clock.sleep, clock=clock.time).create_listing(_payload())

    assert "PrimaryLocation" not in shop.ops()


def test_a_publish_retried_after_failing_half_way_finishes_the_product_it_created(client, shop):
    shop.failing["InventorySetQuantities"] = [Reply(status=503, body="busy")] * 2
    with pytest.raises(MarketplaceDownError):
        client.create_listing(_payload())
    assert len(shop.products) == 1

    result = client.create_listing(_payload(price=Decimal("26")))

    assert len(shop.products) == 1
    assert shop.ops().count("ProductCreate") == 1
    product = shop.products[result.external_id]
    variant = shop.variants[result.offer_id]
    assert product["status"] == "ACTIVE"
    assert product["handle"] == product_handle("SKU-1")
    assert (variant["sku"], variant["price"], shop.levels[variant["inventoryItem"]]) == ("SKU-1", "26.00", 7)


def test_a_retry_after_the_variants_were_made_sets_their_price_and_stock_again(client, shop):
    shop.failing["ProductSetStatus"] = [Reply(status=503, body="busy")] * 2
    with pytest.raises(MarketplaceDownError):
        client.create_listing(_payload())

    result = client.create_listing(_payload(quantity=4))

    assert shop.ops()[-4:] == ["ProductByHandle", "VariantsBulkUpdate", "InventorySetQuantities", "ProductSetStatus"]
    assert len(shop.products) == 1
    assert shop.levels[shop.variants[result.offer_id]["inventoryItem"]] == 4
    assert shop.products[result.external_id]["status"] == "ACTIVE"


def test_product_handles_are_distinct_for_skus_differing_in_case_or_punctuation():
    handles = {product_handle(sku) for sku in ("amazon-B0ABC", "amazon-b0abc", "amazon_B0ABC", "amazon B0ABC")}

    assert len(handles) == 4
    assert all(h.startswith("dc-amazon-b0abc-") for h in handles)


def test_create_product_with_variants_from_the_shopify_fixture(client, shop, shared_dir):
    fixture = json.loads((shared_dir / PRODUCT_FIXTURE).read_text())["product"]
    variants = [
        ShopifyVariant(
            sku=v["sku"], price=Decimal(v["price"]), quantity=v["inventory_quantity"], options={"Color": v["option1"]}
        )
        for v in fixture["variants"]
    ]
    payload = _payload(
        sku=variants[0].sku,
        title=fixture["title"],
        description=fixture["body_html"],
        images=[i["src"] for i in fixture["images"]],
    )

    result = client.create_product(payload, variants)

    created = {v["sku"]: v for v in shop.variants.values() if v["product"] == result.external_id}
    assert set(created) == {"IPOD2008PINK", "IPOD2008RED", "IPOD2008GREEN", "IPOD2008BLACK"}
    assert {sku: shop.levels[v["inventoryItem"]] for sku, v in created.items()} == {
        "IPOD2008PINK": 10,
        "IPOD2008RED": 20,
        "IPOD2008GREEN": 30,
        "IPOD2008BLACK": 40,
    }
    options = shop.products[result.external_id]["input"]["productOptions"]
    assert options == [
        {"name": "Color", "values": [{"name": "Pink"}, {"name": "Red"}, {"name": "Green"}, {"name": "Black"}]}
    ]
    assert result.offer_id == created["IPOD2008PINK"]["id"]
    assert set(result.raw["variants"]) == set(created)
    assert shop.products[result.external_id]["status"] == "ACTIVE"


def test_user_errors_on_create_raise_invalid_data_with_shopifys_message(client, shop):
    with pytest.raises(InvalidDataError) as raised:
        client.create_listing(_payload(title=""))

    assert "title: Title can't be blank" in str(raised.value)
    assert raised.value.permanent is True


def test_withdraw_archives_the_product(client, shop):
    product = shop.add_product(skus=["A"])

    client.withdraw(external_id=product["id"], offer_id=product["variants"][0]["id"])

    assert shop.products[product["id"]]["status"] == "ARCHIVED"


def test_resume_unarchives_the_product(client, shop):
    product = shop.add_product(skus=["A"])
    shop.products[product["id"]]["status"] = "ARCHIVED"

    client.resume(external_id=product["id"])

    assert shop.products[product["id"]]["status"] == "ACTIVE"


def test_withdrawing_an_unknown_product_is_invalid_data(client, shop):
    with pytest.raises(InvalidDataError, match="Product does not exist"):
        client.withdraw(external_id="gid://shopify/Product/404", offer_id="")
