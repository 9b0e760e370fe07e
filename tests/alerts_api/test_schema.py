import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

MY_VIEWS = ("StoreAccountViewSet", "ListingViewSet", "AlertViewSet", "NotificationViewSet")
OPERATIONS = {
    "/api/v1/store-accounts": {"get", "post"},
    "/api/v1/store-accounts/{id}": {"get", "delete"},
    "/api/v1/listings": {"get", "post"},
    "/api/v1/listings/{id}": {"get", "patch"},
    "/api/v1/alerts": {"get"},
    "/api/v1/alerts/{id}": {"get"},
    "/api/v1/alerts/{id}/read": {"post"},
    "/api/v1/alerts/{id}/acknowledge": {"post"},
    "/api/v1/alerts/read-all": {"post"},
    "/api/v1/notifications": {"get"},
    "/api/v1/notifications/{id}": {"get"},
}


@pytest.fixture(scope="module")
def schema_and_warnings() -> tuple[dict, list[str]]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = [message for message in GENERATOR_STATS._warn_cache if any(view in message for view in MY_VIEWS)]
    return schema, warnings


def test_schema_has_every_operation_without_trailing_slashes(schema_and_warnings):
    paths = schema_and_warnings[0]["paths"]

    assert {path: set(paths[path]) - {"parameters"} for path in OPERATIONS} == OPERATIONS


def test_schema_of_these_views_generates_without_warnings(schema_and_warnings):
    assert schema_and_warnings[1] == []


def test_schema_never_exposes_store_secrets_in_responses(schema_and_warnings):
    components = schema_and_warnings[0]["components"]["schemas"]

    assert not {"credentials", "access_token", "refresh_token"} & set(components["StoreAccount"]["properties"])
    assert components["StoreAccountCreateRequest"]["properties"]["credentials"]["writeOnly"] is True


def test_schema_lists_filters_on_listings(schema_and_warnings):
    parameters = schema_and_warnings[0]["paths"]["/api/v1/listings"]["get"]["parameters"]

    assert {"status", "store_account", "product", "search", "cursor"} <= {p["name"] for p in parameters}
