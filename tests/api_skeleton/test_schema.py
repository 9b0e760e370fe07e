import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db

ACCOUNT_PATHS = {
    "/api/v1/auth/signup",
    "/api/v1/auth/token",
    "/api/v1/auth/token/refresh",
    "/api/v1/auth/logout",
    "/api/v1/me",
    "/api/v1/api-keys",
    "/api/v1/api-keys/{id}",
}


@pytest.fixture
def accounts_schema():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("accounts.api.urls"))])
    schema = generator.get_schema(request=None, public=True)
    yield schema
    GENERATOR_STATS.reset()


def test_accounts_endpoints_generate_without_warnings_or_errors(accounts_schema):
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache


def test_accounts_schema_is_valid_openapi(accounts_schema):
    validate_schema(accounts_schema)


def test_accounts_schema_lists_every_endpoint(accounts_schema):
    assert set(accounts_schema["paths"]) == ACCOUNT_PATHS


def test_api_key_authentication_is_documented(accounts_schema):
    scheme = accounts_schema["components"]["securitySchemes"]["ApiKeyAuth"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")


def test_created_api_key_response_documents_the_key(accounts_schema):
    assert "key" in accounts_schema["components"]["schemas"]["ApiKeyCreated"]["properties"]


def test_schema_endpoint_answers_openapi_3(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_interactive_docs_answer_200(api_client):
    response = api_client.get("/api/docs/")
    assert response.status_code == 200
    assert b"swagger" in response.content.lower()
