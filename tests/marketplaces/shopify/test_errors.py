"""Every failure becomes a typed marketplace error."""

import pytest

from marketplaces.plugins.base import (
    InvalidDataError,
    MarketplaceDownError,
    ReconnectNeededError,
    ThrottledError,
)
from marketplaces.plugins.shopify import ShopifyClient
from tests.loopback import Reply
from tests.marketplaces.shopify.conftest import fast_http
from tests.marketplaces.shopify.fake_shop import json_reply


def _archive(client, shop):
    product = shop.add_product(skus=["A"])
    client.withdraw(external_id=product["id"], offer_id="")
    return product


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_needs_a_reconnect_and_is_not_retried(client, shop, status):
    shop.interruptions.append(json_reply({"errors": "[API] Invalid API key or access token"}, status=status))

    with pytest.raises(ReconnectNeededError) as raised:
        _archive(client, shop)

    assert raised.value.permanent is True
    assert len(shop.received) == 1


def test_a_5xx_is_retried_then_succeeds(client, shop):
    shop.interruptions.append(Reply(status=502, body="Bad gateway"))

    product = _archive(client, shop)

    assert shop.products[product["id"]]["status"] == "ARCHIVED"
    assert len(shop.received) == 2


def test_a_lasting_5xx_is_marketplace_down(client, shop):
    shop.interruptions.extend([Reply(status=503, body="busy")] * 2)

    with pytest.raises(MarketplaceDownError) as raised:
        _archive(client, shop)

    assert raised.value.permanent is False


def test_a_malformed_body_is_marketplace_down(client, shop):
    shop.interruptions.extend([Reply(status=200, body="{not json", content_type="application/json")] * 2)

    with pytest.raises(MarketplaceDownError, match="malformed"):
        _archive(client, shop)


def test_a_malformed_body_once_is_retried(client, shop):
    shop.interruptions.append(Reply(status=200, body="<html>oops</html>"))

    product = _archive(client, shop)

    assert shop.products[product["id"]]["status"] == "ARCHIVED"


def test_a_slow_answer_times_out_as_marketplace_down(store, shop, clock):
    shop.interruptions.extend([Reply(status=200, body="{}", delay=1.0)] * 2)
    client = ShopifyClient(store, http=fast_http(read_timeout=0.2), sleep=clock.sleep, clock=clock.time)

    with pytest.raises(MarketplaceDownError):
        _archive(client, shop)


def test_a_lasting_429_is_throttled_with_the_retry_after_header(client, shop):
    shop.interruptions.extend([Reply(status=429, body="{}", headers={"Retry-After": "0.05"})] * 2)

    with pytest.raises(ThrottledError) as raised:
        _archive(client, shop)

    assert raised.value.retry_after == pytest.approx(0.05)


def test_an_access_denied_graphql_error_needs_a_reconnect(client, shop):
    shop.interruptions.append(
        {
            "errors": [
                {
                    "message": "Access denied for productUpdate field. Required access: `write_products` access scope.",
                    "extensions": {"code": "ACCESS_DENIED"},
                }
            ]
        }
    )

    with pytest.raises(ReconnectNeededError, match="write_products"):
        _archive(client, shop)


def test_an_internal_graphql_error_is_marketplace_down(client, shop):
    shop.interruptions.append(
        {
            "errors": [
                {
                    "message": "Internal error. Looks like something went wrong on our end.",
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"},
                }
            ]
        }
    )

    with pytest.raises(MarketplaceDownError):
        _archive(client, shop)


def test_any_other_graphql_error_is_invalid_data_with_shopifys_message(client, shop):
    shop.interruptions.append(
        {
            "errors": [
                {
                    "message": "Variable $product of type ProductUpdateInput! was provided invalid value",
                    "extensions": {"code": "INVALID_VARIABLE"},
                }
            ]
        }
    )

    with pytest.raises(InvalidDataError, match="was provided invalid value"):
        _archive(client, shop)


def test_an_answer_without_data_is_marketplace_down(client, shop):
    shop.interruptions.append({"extensions": {}})

    with pytest.raises(MarketplaceDownError, match="without data"):
        _archive(client, shop)


def test_a_store_without_a_token_needs_a_reconnect_before_any_request(store, shop):
    store.access_token = ""

    with pytest.raises(ReconnectNeededError):
        ShopifyClient(store).withdraw(external_id="gid://shopify/Product/1", offer_id="")

    assert shop.received == []


def test_a_store_without_a_shop_domain_needs_a_reconnect(store, shop):
    store.shop_domain = ""

    with pytest.raises(ReconnectNeededError):
        ShopifyClient(store).withdraw(external_id="gid://shopify/Product/1", offer_id="")


def test_the_shop_domain_fills_the_base_url_template(store, settings):
    settings.SHOPIFY_BASE_URL = "https://{shop}"
    settings.SHOPIFY_API_VERSION = "2025-01"

    assert ShopifyClient(store).endpoint == "https://dropship-demo.myshopify.com/admin/api/2025-01/graphql.json"


def test_the_default_client_reaches_the_shop_through_the_shared_outbound_client(store, shop):
    product = shop.add_product(skus=["A"])

    ShopifyClient(store).withdraw(external_id=product["id"], offer_id="")

    assert shop.products[product["id"]]["status"] == "ARCHIVED"
