import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

MY_VIEWS = ("PolicyRuleViewSet", "NotificationSettingsView", "NotificationViewSet", "AlertViewSet")
OPERATIONS = {
    "/api/v1/policy-rules": {"get", "post"},
    "/api/v1/policy-rules/{id}": {"get", "patch", "delete"},
    "/api/v1/policy-rules/{id}/evaluate": {"post"},
    "/api/v1/policy-rules/{id}/import-terms": {"post"},
    "/api/v1/policy-rules/evaluate": {"post"},
    "/api/v1/notification-settings": {"get", "patch"},
}


@pytest.fixture(scope="module")
def schema_and_warnings() -> tuple[dict, list[str]]:
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = [message for message in GENERATOR_STATS._warn_cache if any(view in message for view in MY_VIEWS)]
    return schema, warnings


def test_schema_has_the_policy_and_settings_operations(schema_and_warnings):
    paths = schema_and_warnings[0]["paths"]

    assert {path: set(paths[path]) - {"parameters"} for path in OPERATIONS} == OPERATIONS


def test_schema_of_these_views_generates_without_warnings(schema_and_warnings):
    assert schema_and_warnings[1] == []


def test_schema_never_returns_the_webhook_secret(schema_and_warnings):
    components = schema_and_warnings[0]["components"]["schemas"]

    assert "webhook_secret" not in components["NotificationSettings"]["properties"]
    assert components["PatchedNotificationSettingsRequest"]["properties"]["webhook_secret"]["writeOnly"] is True
