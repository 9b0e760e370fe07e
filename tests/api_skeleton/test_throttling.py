import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_rates(settings):
    rates = {"anon": "100/min", "free": "2/min", "pro": "4/min", "enterprise": "6/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    return rates


def client_for(tier):
    client = APIClient()
    client.force_authenticate(UserFactory(tier=tier))
    return client


def statuses(client, count):
    return [client.get("/api/v1/me").status_code for _ in range(count)]


def test_free_user_is_throttled_at_the_free_rate(small_rates):
    assert statuses(client_for("free"), 3) == [200, 200, 429]


def test_pro_user_gets_the_pro_rate(small_rates):
    assert statuses(client_for("pro"), 5) == [200, 200, 200, 200, 429]


def test_enterprise_user_gets_the_enterprise_rate(small_rates):
    assert statuses(client_for("enterprise"), 7)[-2:] == [200, 429]


def test_throttle_counts_each_user_separately(small_rates):
    first, second = client_for("free"), client_for("free")
    statuses(first, 3)
    assert statuses(second, 1) == [200]


def test_throttled_response_has_error_body_with_retry_after(small_rates):
    client = client_for("free")
    statuses(client, 2)
    response = client.get("/api/v1/me")
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert isinstance(error["details"]["retry_after"], int)
    assert 0 < error["details"]["retry_after"] <= 60
    assert int(response["Retry-After"]) == error["details"]["retry_after"]
