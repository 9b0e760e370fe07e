"""Reading orders: a created_at filter, cursor paging, revenue, fees and currency per line."""

from datetime import UTC, datetime
from decimal import Decimal

from marketplaces.plugins.base import OrderLine

SINCE = datetime(2025, 3, 1, tzinfo=UTC)


def test_orders_are_read_since_the_given_time_with_a_created_at_filter(client, shop):
    shop.add_order(created_at="2025-02-28T23:59:59Z", lines=[("OLD", 1, "5.00")])
    order_id = shop.add_order(created_at="2025-03-02T10:00:00Z", lines=[("A", 2, "40.00")])

    lines = client.fetch_orders(since=SINCE)

    assert lines == [
        OrderLine(
            order_id=order_id,
            sku="A",
            quantity=2,
            revenue=Decimal("40.00"),
            fees=Decimal("0"),
            currency="USD",
            created_at=datetime(2025, 3, 2, 10, tzinfo=UTC),
        )
    ]
    assert shop.received[0].variables["query"] == "created_at:>='2025-03-01T00:00:00Z'"


def test_orders_are_paged_with_cursors_until_the_last_page(client, shop):
    for day in range(1, 26):
        shop.add_order(created_at=f"2025-03-{day:02d}T08:00:00Z", lines=[(f"S{day}", 1, "1.00")])

    lines = client.fetch_orders(since=SINCE)

    assert [line.sku for line in lines] == [f"S{day}" for day in range(1, 26)]
    afters = [r.variables["after"] for r in shop.received if r.operation == "Orders"]
    assert afters == [None, "cursor:10", "cursor:20"]


def test_an_orders_fees_are_split_over_its_lines_by_revenue_to_the_cent(client, shop):
    shop.add_order(
        created_at="2025-03-02T10:00:00Z",
        lines=[("A", 1, "30.00"), ("B", 2, "60.00"), ("C", 1, "10.00")],
        fees=["2.00", "1.01"],
    )

    lines = client.fetch_orders(since=SINCE)

    assert [line.fees for line in lines] == [Decimal("0.90"), Decimal("1.81"), Decimal("0.30")]
    assert sum(line.fees for line in lines) == Decimal("3.01")


def test_the_shop_currency_of_each_line_is_kept(client, shop):
    shop.add_order(created_at="2025-03-02T10:00:00Z", lines=[("A", 1, "12.00")], currency="EUR")

    [line] = client.fetch_orders(since=SINCE)

    assert line.currency == "EUR"


def test_an_order_with_more_lines_than_a_page_reads_the_rest(client, shop):
    shop.add_order(created_at="2025-03-02T10:00:00Z", lines=[(f"L{n}", 1, "1.00") for n in range(130)])

    lines = client.fetch_orders(since=SINCE)

    assert [line.sku for line in lines] == [f"L{n}" for n in range(130)]
    assert shop.ops() == ["Orders", "OrderLines", "OrderLines"]


def test_no_orders_is_an_empty_list(client, shop):
    assert client.fetch_orders(since=SINCE) == []
