from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from listings.models import Listing, MarketplaceData, PriceDecision
from listings.reconcile import store_account_orders_import
from marketplaces.models import ImportedOrder, StoreAccount
from tests.factories import ListingFactory, PriceHistoryFactory, PricingRuleFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
SOLD_AT = "2025-03-05T09:30:00Z"


def listing_with_cost(store, *, sku: str, cost: str, fee_percent: str = "13.25", fixed_fee: str = "0.30") -> Listing:
    rule = PricingRuleFactory(user=store.user, fee_percent=Decimal(fee_percent), fixed_fee=Decimal(fixed_fee))
    listing = ListingFactory(
        user=store.user, store_account=store, sku=sku, status=Listing.Status.ACTIVE, pricing_rule=rule
    )
    decision = PriceDecision.objects.create(
        listing=listing,
        trigger="product_changed",
        outcome=PriceDecision.Outcome.APPLIED,
        cost=Decimal(cost),
        cost_currency="USD",
        converted_cost=Decimal(cost),
        explanation="test",
    )
    PriceDecision.objects.filter(pk=decision.pk).update(created_at=datetime(2025, 3, 1, tzinfo=UTC))
    return listing


def row(listing: Listing) -> MarketplaceData:
    return MarketplaceData.objects.get(listing=listing, date=date(2025, 3, 5))


def figures(data: MarketplaceData) -> tuple:
    return (data.orders, data.units_sold, data.revenue, data.cost, data.fees, data.refunds, data.profit)


def reimport(store, client) -> None:
    StoreAccount.objects.filter(pk=store.pk).update(orders_imported_until=None)
    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)


def test_a_sale_becomes_a_daily_row_with_exact_cost_fees_and_profit(store, shop, client):
    listing = listing_with_cost(store, sku="SH-1", cost="8.00")
    shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 2, "50.00")], fees=["1.75"])

    result = store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    assert (result.orders, result.matched_lines, result.rows_changed) == (1, 1, 1)
    assert figures(row(listing)) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("16.00"),
        Decimal("1.75"),
        Decimal("0.00"),
        Decimal("32.25"),
    )


def test_re_importing_the_same_orders_counts_nothing_twice(store, shop, client):
    listing = listing_with_cost(store, sku="SH-1", cost="8.00")
    shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 2, "50.00")], fees=["1.75"])
    shop.add_order(created_at="2025-03-05T18:00:00Z", lines=[("SH-1", 1, "25.00")], fees=["0.80"])
    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    reimport(store, client)
    reimport(store, client)

    assert figures(row(listing)) == (
        2,
        3,
        Decimal("75.00"),
        Decimal("24.00"),
        Decimal("2.55"),
        Decimal("0.00"),
        Decimal("48.45"),
    )
    assert ImportedOrder.objects.filter(store_account=store).count() == 2


def test_a_later_refund_is_added_once_to_the_day_of_the_sale(store, shop, client):
    listing = listing_with_cost(store, sku="SH-1", cost="8.00")
    order_id = shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 2, "50.00")], fees=["1.75"])
    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)
    shop.refund(order_id, line=0, amount="25.00", updated_at="2025-03-11T11:50:00Z")

    later = datetime(2025, 3, 11, 12, tzinfo=UTC)
    result = store_account_orders_import(store_account_id=store.pk, client=client, now=later)
    again = store_account_orders_import(store_account_id=store.pk, client=client, now=later)

    assert (result.rows_changed, again.orders, again.rows_changed) == (1, 1, 0)
    queries = [request.variables["query"] for request in shop.received if request.operation == "Orders"]
    assert queries[1:] == ["updated_at:>='2025-03-10T11:45:00Z'", "updated_at:>='2025-03-11T11:45:00Z'"]
    assert figures(row(listing)) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("16.00"),
        Decimal("1.75"),
        Decimal("25.00"),
        Decimal("7.25"),
    )


def test_without_a_fee_on_the_order_the_rules_fee_is_used(store, shop, client):
    listing = listing_with_cost(store, sku="SH-1", cost="8.00")
    shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 2, "50.00")])

    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    # 50.00 x 13.25 % + 0.30 = 6.925, rounded half up.
    assert row(listing).fees == Decimal("6.93")
    assert row(listing).profit == Decimal("27.07")


def test_without_a_price_decision_the_supplier_price_then_is_the_cost(store, shop, client):
    listing = ListingFactory(user=store.user, store_account=store, sku="SH-7", status=Listing.Status.ACTIVE)
    PriceHistoryFactory(product=listing.product, price=Decimal("9.10"), currency="USD", recorded_at=NOW.replace(day=1))
    PriceHistoryFactory(product=listing.product, price=Decimal("99.00"), currency="USD", recorded_at=NOW.replace(day=9))
    shop.add_order(created_at=SOLD_AT, lines=[("SH-7", 3, "45.00")], fees=["1.00"])

    result = store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    assert row(listing).cost == Decimal("27.30")
    assert result.cost_unknown_lines == 0


def test_lines_without_a_listing_are_reported_and_not_counted(store, shop, client):
    listing = listing_with_cost(store, sku="SH-1", cost="8.00")
    shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 1, "25.00"), ("FOREIGN", 1, "30.00")], fees=["2.00"])

    result = store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    assert result.unmatched_skus == ["FOREIGN"]
    assert row(listing).revenue == Decimal("25.00")
    assert MarketplaceData.objects.count() == 1


def test_the_cursor_moves_to_the_start_of_the_import(store, shop, client):
    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    store.refresh_from_db()
    assert store.orders_imported_until == NOW
    assert shop.received[-1].variables["query"] == "updated_at:>='2025-02-08T12:00:00Z'"


def test_a_disconnected_store_is_not_imported(store, shop, client):
    StoreAccount.objects.filter(pk=store.pk).update(status=StoreAccount.Status.DISCONNECTED)

    result = store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    assert result.skipped == "store not connected"
    assert shop.received == []


def ebay_order(number: int, *lines: tuple[str, int, str, str], fee: str) -> dict:
    """Lines are (sku, quantity, revenue, refunded); an empty SKU carries only eBay's legacy item id."""
    return {
        "orderId": f"12-{number:05d}-00000",
        "creationDate": "2025-03-05T10:15:30.000Z",
        "totalMarketplaceFee": {"value": fee, "currency": "USD"},
        "lineItems": [
            {
                "lineItemId": f"{number}{i}",
                **({"sku": sku} if sku else {"legacyItemId": "110000000777"}),
                "quantity": qty,
                "lineItemCost": {"value": revenue, "currency": "USD"},
                "refunds": [{"amount": {"value": refunded, "currency": "USD"}}] if refunded != "0" else [],
            }
            for i, (sku, qty, revenue, refunded) in enumerate(lines)
        ],
    }


def test_ebay_orders_with_refunds_match_by_sku_and_listing_id(ebay_account, ebay_client, fake_ebay):
    by_sku = listing_with_cost(ebay_account, sku="DS-1", cost="4.00")
    by_id = listing_with_cost(ebay_account, sku="DS-2", cost="10.00")
    Listing.objects.filter(pk=by_id.pk).update(external_id="110000000777")
    fake_ebay.state.orders = [ebay_order(1, ("DS-1", 1, "20.00", "5.00"), ("", 2, "60.00", "0"), fee="8.00")]

    store_account_orders_import(store_account_id=ebay_account.pk, client=ebay_client, now=NOW)
    store_account_orders_import(store_account_id=ebay_account.pk, client=ebay_client, now=NOW)

    # The order's 8.00 fee is shared by line revenue: 2.00 and 6.00.
    assert figures(row(by_sku)) == (
        1,
        1,
        Decimal("20.00"),
        Decimal("4.00"),
        Decimal("2.00"),
        Decimal("5.00"),
        Decimal("9.00"),
    )
    assert figures(row(by_id)) == (
        1,
        2,
        Decimal("60.00"),
        Decimal("20.00"),
        Decimal("6.00"),
        Decimal("0.00"),
        Decimal("34.00"),
    )
    filters = [seen.path for seen in fake_ebay.seen("GET", r"/sell/fulfillment/v1/order")]
    assert all("lastmodifieddate" in path for path in filters)


def test_orders_of_one_store_never_land_on_another_users_listing(store, shop, client, other_user):
    other = ListingFactory(user=other_user, sku="SH-1", status=Listing.Status.ACTIVE)
    mine = listing_with_cost(store, sku="SH-1", cost="8.00")
    shop.add_order(created_at=SOLD_AT, lines=[("SH-1", 1, "25.00")], fees=["1.00"])

    store_account_orders_import(store_account_id=store.pk, client=client, now=NOW)

    assert MarketplaceData.objects.filter(listing=other).count() == 0
    assert row(mine).revenue == Decimal("25.00")
