import json

import pytest

from dropship_central.api.exceptions import server_error

pytestmark = pytest.mark.django_db


def assert_error_body(response, status_code, code):
    assert response.status_code == status_code
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_validation_error_body_lists_fields(auth_client):
    response = auth_client.post("/api/v1/api-keys", {"name": ""})
    assert_error_body(response, 400, "validation_error")
    assert "name" in response.json()["error"]["details"]


def test_malformed_json_body(auth_client):
    response = auth_client.generic("POST", "/api/v1/api-keys", "{not json", content_type="application/json")
    assert_error_body(response, 400, "parse_error")


def test_missing_credentials_body(api_client):
    assert_error_body(api_client.get("/api/v1/api-keys"), 401, "not_authenticated")


def test_invalid_token_body(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer abc.def.ghi")
    assert_error_body(api_client.get("/api/v1/me"), 401, "token_not_valid")


def test_not_found_body_for_a_missing_object(auth_client):
    assert_error_body(auth_client.get("/api/v1/api-keys/999999"), 404, "not_found")


def test_not_found_body_for_an_unknown_api_url(auth_client):
    response = auth_client.get("/api/v1/no-such-endpoint")
    assert_error_body(response, 404, "not_found")


def test_unknown_page_outside_the_api_is_not_json(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


def test_method_not_allowed_body(auth_client):
    assert_error_body(auth_client.put("/api/v1/api-keys", {}), 405, "method_not_allowed")


def test_service_error_body_carries_code_and_details(auth_client):
    response = auth_client.post("/api/v1/api-keys", {"name": "ci", "expires_at": "2001-01-01T00:00:00Z"})
    assert_error_body(response, 400, "invalid_expiry")
    assert response.json()["error"]["details"] == {"expires_at": ["Must be in the future."]}


def test_error_responses_carry_a_request_id(auth_client):
    response = auth_client.get("/api/v1/api-keys/999999")
    assert response["X-Request-ID"]


def test_server_error_under_the_api_answers_the_error_body(rf):
    response = server_error(rf.get("/api/v1/anything"))
    assert response.status_code == 500
    assert json.loads(response.content) == {
        "error": {"code": "server_error", "message": "A server error occurred.", "details": {}}
    }


def test_server_error_outside_the_api_is_not_json(rf):
    response = server_error(rf.get("/admin/"))
    assert response.status_code == 500
    assert not response["Content-Type"].startswith("application/json")
