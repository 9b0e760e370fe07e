from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from dropship_central.models import AuditLog
from listings.models import Listing
from tests.analytics_business.conftest import RANGE, Shop, at

pytestmark = pytest.mark.django_db

ENDPOINTS = ["dashboard", "revenue", "profit", "trends", "top-products", "stock-outs", "rules", "history"]
A_ONLY = ["listing", "product"]  # filters by A's l1 and by p2, a product only A lists


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


def a_filter(shop: Shop, name: str) -> dict[str, Any]:
    return {**RANGE, name: shop.l1.pk if name == "listing" else shop.p2.pk}


@pytest.mark.parametrize("name", A_ONLY)
def test_filtering_by_as_listing_or_product_shows_b_nothing_on_the_dashboard(other_client, shop, name):
    body = other_client.get("/api/v1/analytics/dashboard", a_filter(shop, name)).json()

    assert (body["totals"]["revenue"], body["previous"]["revenue"], body["totals"]["orders"]) == ("0.00", "0.00", 0)
    assert body["top_products"] == []
    assert {point["revenue"] for point in body["series"]} == {"0.00"}


@pytest.mark.parametrize("name", A_ONLY)
@pytest.mark.parametrize("endpoint", ["revenue", "profit"])
@pytest.mark.parametrize("group_by", ["store", "listing", "product"])
def test_filtering_by_as_listing_or_product_shows_b_no_breakdown(other_client, shop, name, endpoint, group_by):
    body = other_client.get(f"/api/v1/analytics/{endpoint}", {**a_filter(shop, name), "group_by": group_by}).json()

    assert (body["totals"]["revenue"], body["totals"]["refunds"], body["previous"]["revenue"]) == ("0.00",) * 3
    assert body["breakdown"] == []
    assert {point["revenue"] for point in body["series"]} == {"0.00"}


@pytest.mark.parametrize("name", A_ONLY)
def test_filtering_by_as_listing_or_product_shows_b_no_top_products_or_trends(other_client, shop, name):
    for order in ("top", "bottom"):
        top = other_client.get("/api/v1/analytics/top-products", {**a_filter(shop, name), "order": order}).json()
        assert top["products"] == []
    trends = other_client.get("/api/v1/analytics/trends", a_filter(shop, name)).json()
    points = {(point["revenue"], point["refunds"], point["orders"]) for point in trends["series"]}
    assert points == {("0.00", "0.00", 0)}


@pytest.mark.parametrize("name", A_ONLY)
def test_filtering_by_as_listing_or_product_shows_b_none_of_as_rules_figures(other_client, shop, name):
    for listing in (shop.l1, shop.l3):  # A's pauses: l1 sells p1, l3 sells p2
        AuditLog.objects.create(
            action=AuditLog.Action.UPDATE,
            content_type=ContentType.objects.get_for_model(Listing),
            object_id=str(listing.pk),
            changes={"status": ["active", "paused"], "status_reason": [None, "low_margin"]},
        )
        AuditLog.objects.filter(object_id=str(listing.pk)).update(created_at=at("03-03"))

    body = other_client.get("/api/v1/analytics/rules", a_filter(shop, name)).json()

    assert body["policies"] == []
    assert body["guardrails"] == []
    # The rules table is not narrowed by listing or product; whatever it shows is B's own 500.00, never A's.
    assert sum(Decimal(row["revenue"]) for row in body["rules"]) in (Decimal(0), Decimal("500.00"))


def test_filtering_by_a_shared_product_shows_b_only_their_own_listing(other_client, shop):
    body = other_client.get("/api/v1/analytics/revenue", {**RANGE, "product": shop.p1.pk, "group_by": "listing"}).json()

    assert body["totals"]["revenue"] == "500.00"
    assert [row["revenue"] for row in body["breakdown"]] == ["500.00"]


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
