import pytest

from dropship_central.models import AuditLog

pytestmark = pytest.mark.django_db


def test_me_shows_the_profile(auth_client, user):
    body = auth_client.get("/api/v1/me").json()
    assert body["email"] == user.email
    assert body["tier"] == "pro"
    assert "password" not in body


def test_me_requires_authentication(api_client):
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_patch_me_updates_company_and_currency(auth_client, user):
    response = auth_client.patch("/api/v1/me", {"company": "Acme Ltd", "default_currency": "eur"})
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.company, user.default_currency) == ("Acme Ltd", "EUR")
    assert response.json()["default_currency"] == "EUR"


def test_patch_me_is_audited(auth_client, user):
    auth_client.patch("/api/v1/me", {"company": "Acme Ltd"})
    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE)
    assert entry.changes == {"company": ["", "Acme Ltd"]}


def test_patch_me_ignores_email_and_tier(auth_client, user):
    auth_client.patch("/api/v1/me", {"email": "evil@example.com", "tier": "enterprise"})
    user.refresh_from_db()
    assert (user.email, user.tier) != ("evil@example.com", "enterprise")
    assert user.tier == "pro"


def test_patch_me_refuses_an_invalid_currency(auth_client):
    response = auth_client.patch("/api/v1/me", {"default_currency": "dollars"})
    assert response.status_code == 400
    assert "default_currency" in response.json()["error"]["details"]


def test_put_me_is_not_allowed(auth_client):
    response = auth_client.put("/api/v1/me", {"company": "x"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
