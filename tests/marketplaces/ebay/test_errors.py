from datetime import UTC, datetime

import pytest

from marketplaces.models import StoreAccount
from marketplaces.plugins.base import (
    InvalidDataError,
    MarketplaceDownError,
    ReconnectNeededError,
    ThrottledError,
    TokenExpiredError,
)
from marketplaces.plugins.ebay import EbayClient
from tests.loopback import Reply
from tests.marketplaces.ebay.fake_ebay import TOKEN_PATH, ebay_error, json_reply

pytestmark = pytest.mark.django_db

ORDERS = r"/sell/fulfillment/v1/order"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)


def read_orders(client: EbayClient) -> list:
    return client.fetch_orders(since=SINCE)


def test_expired_token_is_refreshed_and_the_call_retried_once(ebay_client, fake_ebay, ebay_account):
    old = ebay_account.access_token
    fake_ebay.expire_access_tokens()

    assert read_orders(ebay_client) == []

    assert len(fake_ebay.seen("POST", TOKEN_PATH)) == 1
    assert len(fake_ebay.seen("GET", ORDERS)) == 2
    assert StoreAccount.objects.get(pk=ebay_account.pk).access_token not in ("", old)


def test_token_refused_again_after_refresh_is_token_expired(ebay_client, fake_ebay):
    invalid = ebay_error(401, 1001, "Invalid access token")
    fake_ebay.fail_next("GET", ORDERS, invalid, invalid)

    with pytest.raises(TokenExpiredError):
        read_orders(ebay_client)

    assert len(fake_ebay.seen("GET", ORDERS)) == 2


def test_expired_token_with_a_revoked_refresh_token_needs_reconnecting(ebay_client, fake_ebay, ebay_account):
    fake_ebay.expire_access_tokens()
    fake_ebay.state.refresh_tokens.clear()

    with pytest.raises(ReconnectNeededError):
        read_orders(ebay_client)

    assert StoreAccount.objects.get(pk=ebay_account.pk).status == StoreAccount.Status.RECONNECT_NEEDED


def test_token_past_its_expiry_is_refreshed_before_the_call(ebay_account, fake_ebay):
    ebay_account.access_token_expires_at = datetime(2020, 1, 1, tzinfo=UTC)
    ebay_account.save()

    read_orders(EbayClient(ebay_account))

    assert [seen.path.split("?")[0] for seen in fake_ebay.requests] == [TOKEN_PATH, "/sell/fulfillment/v1/order"]


def test_throttling_raises_throttled_with_ebays_retry_hint(ebay_client, fake_ebay):
    throttled = Reply(status=429, body='{"errors": []}', headers={"Retry-After": "7"}, content_type="application/json")
    fake_ebay.fail_next("GET", ORDERS, throttled, throttled)

    with pytest.raises(ThrottledError) as raised:
        read_orders(ebay_client)

    assert raised.value.retry_after == 7
    assert raised.value.permanent is False


def test_a_single_throttle_is_waited_out_and_retried(ebay_client, fake_ebay):
    fake_ebay.fail_next("GET", ORDERS, Reply(status=429, body="{}", headers={"Retry-After": "0.1"}))

    assert read_orders(ebay_client) == []
    assert len(fake_ebay.seen("GET", ORDERS)) == 2


def test_bad_request_is_invalid_data_with_ebays_message(ebay_client, fake_ebay):
    fake_ebay.fail_next(
        "GET", ORDERS, ebay_error(400, 30700, "Invalid filter", longMessage="The 'filter' value is invalid.")
    )

    with pytest.raises(InvalidDataError) as raised:
        read_orders(ebay_client)

    assert str(raised.value) == "30700: The 'filter' value is invalid."
    assert raised.value.permanent is True


def test_server_errors_are_marketplace_down_and_transient(ebay_client, fake_ebay):
    fake_ebay.fail_next("GET", ORDERS, Reply(status=503, body="busy"), Reply(status=500, body="oops"))

    with pytest.raises(MarketplaceDownError) as raised:
        read_orders(ebay_client)

    assert raised.value.permanent is False
    assert "500" in str(raised.value)


def test_a_malformed_body_is_marketplace_down_with_an_excerpt(ebay_client, fake_ebay):
    fake_ebay.fail_next("GET", ORDERS, Reply(status=200, body='{"orders": [', content_type="application/json"))

    with pytest.raises(MarketplaceDownError) as raised:
        read_orders(ebay_client)

    assert '{"orders": [' in str(raised.value)


def test_a_body_that_is_not_an_object_is_marketplace_down(ebay_client, fake_ebay):
    fake_ebay.fail_next("GET", ORDERS, json_reply(["not", "an", "object"]))

    with pytest.raises(MarketplaceDownError):
        read_orders(ebay_client)


def test_a_slow_answer_times_out_as_marketplace_down(ebay_account, fake_ebay, settings):
    settings.EBAY_HTTP = {**settings.EBAY_HTTP, "connect_timeout": 0.2, "read_timeout": 0.3}
    slow = Reply(status=200, body="{}", delay=1.5, content_type="application/json")
    fake_ebay.fail_next("GET", ORDERS, slow, slow)

    with pytest.raises(MarketplaceDownError) as raised:
        read_orders(EbayClient(ebay_account))

    assert "failed" in str(raised.value)


def test_forbidden_means_the_grant_lacks_a_scope(ebay_client, fake_ebay):
    fake_ebay.fail_next("GET", ORDERS, ebay_error(403, 1100, "Access denied", longMessage="Insufficient permissions."))

    with pytest.raises(ReconnectNeededError) as raised:
        read_orders(ebay_client)

    assert "Insufficient permissions." in str(raised.value)


def test_a_store_needing_reconnection_makes_no_call(ebay_account, fake_ebay):
    ebay_account.status = StoreAccount.Status.RECONNECT_NEEDED
    ebay_account.last_error = "refresh token revoked"
    ebay_account.save()

    with pytest.raises(ReconnectNeededError, match="refresh token revoked"):
        read_orders(EbayClient(ebay_account))

    assert fake_ebay.requests == []
