import pytest

from tests.analytics_business.conftest import RANGE

pytestmark = pytest.mark.django_db

ENDPOINTS = ["dashboard", "revenue", "profit", "trends", "top-products", "stock-outs"]


def test_user_b_sees_only_their_own_sale(other_client, auth_client, shop):
    auth_client.get("/api/v1/analytics/dashboard", RANGE)

    body = other_client.get("/api/v1/analytics/dashboard", RANGE).json()

    assert (body["totals"]["revenue"], body["totals"]["profit"], body["totals"]["orders"]) == ("500.00", "400.00", 5)
    assert [row["revenue"] for row in body["top_products"]] == ["500.00"]


def test_filtering_by_a_store_of_a_never_shows_its_figures_to_b(other_client, shop):
    for endpoint in ("revenue", "profit"):
        body = other_client.get(f"/api/v1/analytics/{endpoint}", {**RANGE, "store": shop.ebay.pk}).json()
        assert body["totals"]["revenue"] == "0.00"
        assert body["breakdown"] == []


def test_b_stock_outs_count_only_b_listings_and_b_revenue(other_client, shop):
    products = other_client.get("/api/v1/analytics/stock-outs", RANGE).json()["products"]

    assert [(row["product_id"], row["average_daily_revenue"], row["estimated_lost_revenue"]) for row in products] == [
        (shop.p1.pk, "71.43", "214.29")
    ]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_requires_authentication(api_client, endpoint):
    response = api_client.get(f"/api/v1/analytics/{endpoint}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
