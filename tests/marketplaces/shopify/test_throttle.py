"""The cost-based throttle: wait before a request the bucket cannot pay for, retry THROTTLED answers."""

import pytest

from marketplaces.plugins.base import ThrottledError
from marketplaces.plugins.shopify.throttle import CostBucket, ThrottleStatus
from tests.marketplaces.shopify.fake_shop import throttled_body


def _status(available: float, *, restore: float = 50.0, at: float = 100.0) -> ThrottleStatus:
    return ThrottleStatus(maximum_available=1000.0, currently_available=available, restore_rate=restore, observed_at=at)


def test_the_wait_is_the_shortfall_over_the_restore_rate():
    assert _status(40).wait_for(100, now=100.0) == pytest.approx(1.2)


def test_points_restored_since_the_reading_shorten_the_wait():
    assert _status(40).wait_for(100, now=100.5) == pytest.approx(0.7)


def test_no_wait_when_the_bucket_holds_the_cost():
    assert _status(500).wait_for(100, now=100.0) == 0.0


def test_a_cost_above_the_bucket_size_waits_only_for_a_full_bucket():
    assert _status(0).wait_for(5000, now=100.0) == pytest.approx(20.0)


def test_the_bucket_state_is_shared_through_the_cache_per_shop(clock):
    CostBucket("a.myshopify.com", clock=clock.time).record(
        "Orders", throttled_body(requested=300, available=100)["extensions"]["cost"]
    )

    assert CostBucket("a.myshopify.com", clock=clock.time).wait_before("Orders", 10) == pytest.approx(4.0)
    assert CostBucket("b.myshopify.com", clock=clock.time).wait_before("Orders", 10) == 0.0


def test_the_client_waits_before_a_request_the_reported_bucket_cannot_pay(client, shop, clock):
    product = shop.add_product(skus=["A"])
    shop.currently_available = 15.0
    client.withdraw(external_id=product["id"], offer_id="")
    assert clock.sleeps == []

    client.resume(external_id=product["id"])

    assert clock.sleeps == [pytest.approx((10 - 5) / 50)]
    assert shop.products[product["id"]]["status"] == "ACTIVE"


def test_a_throttled_answer_is_retried_after_the_time_its_throttle_status_implies(client, shop, clock):
    product = shop.add_product(skus=["A"])
    shop.interruptions.append(throttled_body(requested=10, available=4, restore_rate=50))

    client.withdraw(external_id=product["id"], offer_id="")

    assert clock.sleeps == [pytest.approx(0.12)]
    assert shop.ops() == ["ProductSetStatus", "ProductSetStatus"]
    assert shop.products[product["id"]]["status"] == "ARCHIVED"


def test_throttled_every_time_raises_throttled_with_the_wait(client, shop, clock):
    product = shop.add_product(skus=["A"])
    shop.interruptions.extend([throttled_body(requested=10, available=0, restore_rate=100)] * 3)

    with pytest.raises(ThrottledError) as raised:
        client.withdraw(external_id=product["id"], offer_id="")

    assert raised.value.retry_after == pytest.approx(0.1)
    assert raised.value.permanent is False
    assert len(shop.received) == 3


def test_a_bucket_drained_by_another_worker_is_waited_out(client, shop, clock):
    product = shop.add_product(skus=["A"])
    shop.currently_available = 5.0

    client.withdraw(external_id=product["id"], offer_id="")

    assert clock.sleeps == [pytest.approx(0.1)]
    assert shop.ops() == ["ProductSetStatus", "ProductSetStatus"]
    assert shop.products[product["id"]]["status"] == "ARCHIVED"
