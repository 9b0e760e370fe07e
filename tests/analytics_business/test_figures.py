import pytest

from tests.analytics_business.conftest import RANGE

pytestmark = pytest.mark.django_db

CURRENT = {
    "revenue": "180.00",
    "cost": "105.00",
    "fees": "19.66",
    "refunds": "30.00",
    "profit": "25.34",
    "margin_percent": "14.08",
    "orders": 4,
    "units_sold": 6,
    "views": 0,
}
PREVIOUS = {
    "revenue": "55.00",
    "cost": "34.00",
    "fees": "7.15",
    "refunds": "0.00",
    "profit": "13.85",
    "margin_percent": "25.18",
    "orders": 2,
    "units_sold": 2,
    "views": 0,
}


def test_dashboard_totals_are_the_hand_checked_sums(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/dashboard", RANGE).json()

    assert body["totals"] == CURRENT
    assert body["previous"] == PREVIOUS
    assert (body["from"], body["to"], body["currency"]) == ("2026-03-01", "2026-03-10", "USD")


def test_dashboard_daily_series_has_every_day_with_the_sale_and_the_refund(auth_client, shop):
    series = auth_client.get("/api/v1/analytics/dashboard", RANGE).json()["series"]

    assert [point["period"] for point in series] == [f"2026-03-{day:02d}" for day in range(1, 11)]
    by_day = {point["period"]: point for point in series}
    assert (by_day["2026-03-02"]["revenue"], by_day["2026-03-02"]["profit"]) == ("90.00", "33.30")
    assert (by_day["2026-03-05"]["refunds"], by_day["2026-03-05"]["profit"]) == ("30.00", "-30.00")
    assert by_day["2026-03-05"]["margin_percent"] is None
    assert by_day["2026-03-01"]["revenue"] == "0.00"


def test_dashboard_top_products_rank_by_profit(auth_client, shop):
    top = auth_client.get("/api/v1/analytics/dashboard", RANGE).json()["top_products"]

    assert [(row["id"], row["name"], row["profit"], row["revenue"]) for row in top] == [
        (shop.p1.pk, "Desk lamp", "19.84", "130.00"),
        (shop.p2.pk, "Phone stand", "5.50", "50.00"),
    ]


def test_weekly_trends_bucket_on_mondays(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/trends", {**RANGE, "interval": "week"}).json()

    assert [(p["period"], p["revenue"], p["profit"], p["orders"]) for p in body["series"]] == [
        ("2026-02-23", "0.00", "0.00", 0),
        ("2026-03-02", "130.00", "19.84", 3),
        ("2026-03-09", "50.00", "5.50", 1),
    ]


def test_monthly_trends_sum_the_whole_range(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/trends", {**RANGE, "interval": "month"}).json()

    assert [(p["period"], p["revenue"], p["profit"]) for p in body["series"]] == [("2026-03-01", "180.00", "25.34")]


def test_revenue_breaks_down_per_store_by_revenue(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/revenue", RANGE).json()

    assert [(row["id"], row["name"], row["revenue"], row["profit"]) for row in body["breakdown"]] == [
        (shop.ebay.pk, "A on eBay", "140.00", "8.80"),
        (shop.shop.pk, "A on Shopify", "40.00", "16.54"),
    ]
    assert body["totals"] == CURRENT


def test_profit_breaks_down_per_listing_by_profit(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/profit", {**RANGE, "group_by": "listing"}).json()

    assert [(row["id"], row["profit"], row["margin_percent"]) for row in body["breakdown"]] == [
        (shop.l2.pk, "16.54", "41.35"),
        (shop.l3.pk, "5.50", "11.00"),
        (shop.l1.pk, "3.30", "3.67"),
    ]


def test_filters_narrow_to_a_store_a_listing_and_a_product(auth_client, shop):
    def revenue(**params: object) -> str:
        return auth_client.get("/api/v1/analytics/trends", {**RANGE, **params}).json()["series"][1]["revenue"]

    assert revenue(store=shop.shop.pk) == "0.00"
    assert revenue(store=shop.ebay.pk) == "90.00"
    assert revenue(listing=shop.l2.pk) == "0.00"
    assert revenue(product=shop.p1.pk) == "90.00"
    assert revenue(product=shop.p2.pk) == "0.00"


def test_other_currencies_are_reported_apart(auth_client, shop):
    body = auth_client.get("/api/v1/analytics/dashboard", {**RANGE, "currency": "EUR"}).json()

    assert (body["currency"], body["totals"]["revenue"], body["totals"]["orders"]) == ("EUR", "70.00", 2)


def test_top_and_bottom_products_with_a_limit(auth_client, shop):
    url = "/api/v1/analytics/top-products"

    top = auth_client.get(url, {**RANGE, "limit": 1}).json()["products"]
    bottom = auth_client.get(url, {**RANGE, "order": "bottom"}).json()["products"]

    assert [row["id"] for row in top] == [shop.p1.pk]
    assert [row["id"] for row in bottom] == [shop.p2.pk, shop.p1.pk]


def test_default_range_is_the_last_30_days(auth_client, shop):
    from django.utils import timezone

    body = auth_client.get("/api/v1/analytics/trends").json()

    today = timezone.localdate()
    assert body["to"] == today.isoformat()
    assert len(body["series"]) == 30
