"""`/api/v1/analytics/research/…`: signed-in users only, validated parameters, JSON and CSV, a clean schema."""

import pytest
from django.urls import include, path
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
