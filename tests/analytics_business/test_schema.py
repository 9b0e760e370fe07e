import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

PATHS = {
    f"/api/v1/analytics/{name}"
    for name in ("dashboard", "revenue", "profit", "top-products", "trends", "stock-outs", "history", "rules")
}


@pytest.fixture
def analytics_schema():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/analytics/", include("analytics.api.urls"))])
    yield generator.get_schema(request=None, public=True)
    GENERATOR_STATS.reset()


def test_business_endpoints_generate_without_warnings(analytics_schema):
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    validate_schema(analytics_schema)
    assert set(analytics_schema["paths"]) >= PATHS


def test_query_parameters_are_documented_as_from_and_to(analytics_schema):
    parameters = analytics_schema["paths"]["/api/v1/analytics/trends"]["get"]["parameters"]

    assert {"from", "to", "interval", "store", "listing", "product", "currency", "format"} <= {
        parameter["name"] for parameter in parameters
    }


def test_csv_is_documented_beside_json(analytics_schema):
    content = analytics_schema["paths"]["/api/v1/analytics/dashboard"]["get"]["responses"]["200"]["content"]

    assert set(content) == {"application/json", "text/csv"}
