from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from marketplaces.plugins.base import OrderLine

pytestmark = pytest.mark.django_db

ORDERS = r"/sell/fulfillment/v1/order"
SINCE = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def order(number: int, *lines: tuple[str, int, str], fee: str = "0.00") -> dict:
    return {
        "orderId": f"12-{number:05d}-00000",
        "creationDate": "2026-11-02T10:15:30.000Z",
        "totalMarketplaceFee": {"value": fee, "currency": "USD"},
        "lineItems": [
            {
                "lineItemId": f"{number}{i}",
                "sku": sku,
                "quantity": qty,
                "lineItemCost": {"value": cost, "currency": "USD"},
            }
            for i, (sku, qty, cost) in enumerate(lines)
        ],
    }


def test_orders_are_read_page_by_page_following_next(ebay_client, fake_ebay):
    fake_ebay.state.orders = [order(n, ("DS-1", 1, "10.00")) for n in range(450)]

    lines = ebay_client.fetch_orders(since=SINCE)

    assert len(lines) == 450
    assert len({line.order_id for line in lines}) == 450
    offsets = [parse_qs(urlsplit(seen.path).query)["offset"][0] for seen in fake_ebay.seen("GET", ORDERS)]
    assert offsets == ["0", "200", "400"]


def test_orders_are_filtered_by_creation_date(ebay_client, fake_ebay):
    ebay_client.fetch_orders(since=SINCE)

    (request,) = fake_ebay.seen("GET", ORDERS)
    assert parse_qs(urlsplit(request.path).query)["filter"] == ["creationdate:[2026-11-01T08:30:00.000Z..]"]


def test_each_line_item_becomes_an_order_line(ebay_client, fake_ebay):
    fake_ebay.state.orders = [order(1, ("DS-1", 2, "30.00"))]

    (line,) = ebay_client.fetch_orders(since=SINCE)

    assert line == OrderLine(
        order_id="12-00001-00000",
        sku="DS-1",
        quantity=2,
        revenue=Decimal("30.00"),
        fees=Decimal("0.00"),
        currency="USD",
        created_at=datetime(2026, 11, 2, 10, 15, 30, tzinfo=UTC),
    )


def test_order_fee_is_shared_by_line_revenue_to_the_cent(ebay_client, fake_ebay):
    fake_ebay.state.orders = [order(1, ("A", 1, "10.00"), ("B", 1, "20.00"), fee="1.00")]

    lines = ebay_client.fetch_orders(since=SINCE)

    assert [line.fees for line in lines] == [Decimal("0.33"), Decimal("0.67")]


def test_no_orders_is_an_empty_list(ebay_client):
    assert ebay_client.fetch_orders(since=SINCE) == []
