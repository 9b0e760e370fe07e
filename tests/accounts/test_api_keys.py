import pytest
from rest_framework.test import APIClient

from accounts.models import ApiKey
from accounts.services import api_key_create

pytestmark = pytest.mark.django_db


def key_client(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw_key}")
    return client


def test_create_returns_the_key_once(auth_client):
    response = auth_client.post("/api/v1/api-keys", {"name": "ci"})
    assert response.status_code == 201
    assert response.json()["key"].startswith("dc_")
    listed = auth_client.get("/api/v1/api-keys").json()["results"]
    assert [item["name"] for item in listed] == ["ci"]
    assert "key" not in listed[0]


def test_create_requires_a_name(auth_client):
    response = auth_client.post("/api/v1/api-keys", {})
    assert response.status_code == 400
    assert "name" in response.json()["error"]["details"]


def test_create_refuses_a_past_expiry(auth_client):
    response = auth_client.post("/api/v1/api-keys", {"name": "ci", "expires_at": "2000-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_expiry"


def test_api_key_header_authenticates_end_to_end(auth_client, user):
    raw_key = auth_client.post("/api/v1/api-keys", {"name": "ci"}).json()["key"]
    response = key_client(raw_key).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email


def test_unknown_api_key_answers_401_error_body():
    response = key_client("dc_0000000000_nope").get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"
    assert response["WWW-Authenticate"]


def test_delete_revokes_the_key(auth_client, user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    assert auth_client.delete(f"/api/v1/api-keys/{api_key.pk}").status_code == 204
    assert key_client(raw_key).get("/api/v1/me").status_code == 401
    assert auth_client.get("/api/v1/api-keys").json()["results"] == []
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_revoked_key_answers_404_on_second_delete(auth_client, user):
    api_key, _ = api_key_create(user=user, name="ci")
    auth_client.delete(f"/api/v1/api-keys/{api_key.pk}")
    response = auth_client.delete(f"/api/v1/api-keys/{api_key.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_never_shows_another_users_keys(auth_client, other_user):
    api_key_create(user=other_user, name="theirs")
    assert auth_client.get("/api/v1/api-keys").json()["results"] == []


def test_another_users_key_answers_404_on_retrieve(auth_client, other_user):
    api_key, _ = api_key_create(user=other_user, name="theirs")
    assert auth_client.get(f"/api/v1/api-keys/{api_key.pk}").status_code == 404


def test_another_users_key_answers_404_on_revoke_and_stays_active(auth_client, other_user):
    api_key, raw_key = api_key_create(user=other_user, name="theirs")
    assert auth_client.delete(f"/api/v1/api-keys/{api_key.pk}").status_code == 404
    assert key_client(raw_key).get("/api/v1/me").status_code == 200


def test_list_is_cursor_paginated(auth_client, user):
    for name in ("a", "b", "c"):
        api_key_create(user=user, name=name)
    first = auth_client.get("/api/v1/api-keys?page_size=2").json()
    second = auth_client.get(first["next"]).json()
    assert [k["name"] for k in first["results"]] == ["c", "b"]
    assert [k["name"] for k in second["results"]] == ["a"]
    assert "cursor=" in first["next"]


def test_list_filters_by_name(auth_client, user):
    api_key_create(user=user, name="ci")
    api_key_create(user=user, name="zapier")
    results = auth_client.get("/api/v1/api-keys?name=zapier").json()["results"]
    assert [k["name"] for k in results] == ["zapier"]
