import pytest

pytestmark = pytest.mark.django_db


def error(response) -> dict:
    assert response.status_code == 400
    body = response.json()["error"]
    assert (body["code"], body["message"]) == ("validation_error", "The request is invalid.")
    return body["details"]


def test_a_malformed_date_is_400(auth_client):
    details = error(auth_client.get("/api/v1/analytics/dashboard", {"from": "2026-13-01"}))

    assert list(details) == ["from"]


def test_from_after_to_is_400(auth_client):
    details = error(auth_client.get("/api/v1/analytics/revenue", {"from": "2026-03-10", "to": "2026-03-01"}))

    assert details == {"from": ["Must not be after `to`."]}


def test_a_range_over_two_years_is_400(auth_client):
    details = error(auth_client.get("/api/v1/analytics/trends", {"from": "2024-01-01", "to": "2026-03-01"}))

    assert details == {"from": ["The range may span at most 731 days."]}


def test_an_unknown_interval_is_400(auth_client):
    assert list(error(auth_client.get("/api/v1/analytics/trends", {"interval": "year"}))) == ["interval"]


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_a_limit_outside_1_to_100_is_400(auth_client, limit):
    assert list(error(auth_client.get("/api/v1/analytics/top-products", {"limit": limit}))) == ["limit"]


def test_an_unknown_order_or_grouping_is_400(auth_client):
    assert list(error(auth_client.get("/api/v1/analytics/top-products", {"order": "middle"}))) == ["order"]
    assert list(error(auth_client.get("/api/v1/analytics/profit", {"group_by": "brand"}))) == ["group_by"]


def test_a_lowercase_currency_is_400(auth_client):
    assert list(error(auth_client.get("/api/v1/analytics/dashboard", {"currency": "usd"}))) == ["currency"]


def test_history_needs_a_product_and_a_known_resolution(auth_client):
    assert list(error(auth_client.get("/api/v1/analytics/history"))) == ["product"]
    details = error(auth_client.get("/api/v1/analytics/history", {"product": 1, "resolution": "minute"}))
    assert list(details) == ["resolution"]


def test_hourly_history_over_more_than_92_days_is_400(auth_client):
    params = {"product": 1, "resolution": "hourly", "from": "2026-01-01", "to": "2026-06-01"}

    assert list(error(auth_client.get("/api/v1/analytics/history", params))) == ["resolution"]
