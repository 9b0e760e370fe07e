"""`/api/v1/analytics/research/…`: signed-in users only, validated parameters, JSON and CSV, a clean schema."""

from datetime import timedelta

import pytest
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/research/"
ENDPOINTS = ["sellers", "categories", "price-comparison", "best-deals", "stats"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_users_get_401(api_client, endpoint):
    response = api_client.get(BASE + endpoint)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_signed_in_user_sees_the_same_marketplace_facts(auth_client, other_client, market, endpoint):
    first = auth_client.get(BASE + endpoint, {"supplier": "uzum"})
    second = other_client.get(BASE + endpoint, {"supplier": "uzum"})

    assert first.status_code == second.status_code == 200
    assert _without_period(first.json()) == _without_period(second.json())


def _without_period(body: dict) -> dict:
    return {key: value for key, value in body.items() if key not in ("since", "until")}


def test_sellers_answer_the_period_and_figures_as_strings(auth_client, market):
    body = auth_client.get(BASE + "sellers", {"supplier": "uzum", "days": 30}).json()

    assert set(body) == {"since", "until", "results"}
    alpha = body["results"][0]
    assert (alpha["name"], alpha["units"], alpha["revenue"], alpha["growth_pct"]) == ("Alpha", 3, "300.00", "50.00")


def test_categories_carry_top_sellers(auth_client, market):
    body = auth_client.get(BASE + "categories", {"supplier": "uzum", "parent": market["root"].pk, "top": 1}).json()

    assert [(row["name"], row["top_sellers"][0]["share_pct"]) for row in body["results"]] == [
        ("Cables", "100.00"),
        ("Chargers", "100.00"),
    ]


def test_stats_answer_counts(auth_client, market):
    body = auth_client.get(BASE + "stats", {"supplier": "uzum"}).json()

    assert (body["products"], body["sellers"], body["categories"], body["skus"]) == (3, 2, 3, 2)


def test_sellers_export_as_csv(auth_client, market):
    response = auth_client.get(BASE + "sellers", {"supplier": "uzum", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith(
        "id,external_id,name,rating,products_rating,review_count,orders_count,assortment,skus,units,"
    )
    assert [line.split(",")[2] for line in lines[1:]] == ["Alpha", "Beta"]


@pytest.mark.parametrize(
    ("endpoint", "params"),
    [
        ("sellers", {"days": 0}),
        ("categories", {"top": 99}),
        ("best-deals", {"min_discount": "-1"}),
        ("price-comparison", {"limit": "x"}),
    ],
)
def test_invalid_parameters_answer_400(auth_client, endpoint, params):
    response = auth_client.get(BASE + endpoint, params)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


@pytest.fixture
def research_schema():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path(BASE.lstrip("/"), include("analytics.api.research_urls"))])
    schema = generator.get_schema(request=None, public=True)
    yield schema
    GENERATOR_STATS.reset()


def test_the_research_schema_has_no_warnings_and_is_valid(research_schema):
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    validate_schema(research_schema)
    assert set(research_schema["paths"]) == {BASE + endpoint for endpoint in ENDPOINTS}


def test_a_from_to_range_of_the_last_30_days_equals_days_30(auth_client, market):

    today = timezone.localdate()
    by_days = auth_client.get(BASE + "sellers", {"supplier": "uzum", "days": 30}).json()
    by_range = auth_client.get(
        BASE + "sellers", {"supplier": "uzum", "from": (today - timedelta(days=29)).isoformat(), "to": today}
    ).json()

    assert by_range["since"] == by_days["since"]
    assert by_range["results"] == by_days["results"]


def test_a_past_range_reads_those_days_and_compares_the_days_before(auth_client, market):

    today = timezone.localdate()
    first, last = today - timedelta(days=59), today - timedelta(days=30)

    body = auth_client.get(BASE + "sellers", {"supplier": "uzum", "from": first, "to": last}).json()

    alpha = next(row for row in body["results"] if row["name"] == "Alpha")
    assert (alpha["units"], alpha["revenue"], alpha["previous_revenue"]) == (2, "200.00", "0.00")
    assert body["until"].startswith((last + timedelta(days=1)).isoformat())


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"days": 7, "from": "2026-01-01"}, "days", "not both"),
        ({"to": "2999-01-01"}, "to", "after today"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "from", "after `to`"),
        ({"from": "2024-01-01", "to": "2025-06-01"}, "from", "at most 365 days"),
    ],
)
def test_a_bad_range_is_a_400_naming_the_field(auth_client, params, field, message):
    response = auth_client.get(BASE + "categories", params)

    assert response.status_code == 400
    assert message in str(response.json()["error"]["details"][field])
