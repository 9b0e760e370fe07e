import pytest
from django.core import mail
from rest_framework.test import APIClient

from dropship_central.models import AuditLog
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-kettle-orbit-42"


def obtain(client: APIClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", {"email": email, "password": password}, format="json")


def test_signup_creates_account_and_sends_verification_email(api_client):
    response = api_client.post("/api/v1/auth/signup", {"email": "new@example.com", "password": STRONG_PASSWORD})
    assert response.status_code == 201
    assert response.json()["email"] == "new@example.com"
    assert response.json()["email_verification"] == "mandatory"
    assert mail.outbox[0].to == ["new@example.com"]


def test_signup_with_taken_email_answers_400_with_code(api_client, user):
    response = api_client.post("/api/v1/auth/signup", {"email": user.email, "password": STRONG_PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "email_taken"


def test_signup_with_invalid_body_answers_validation_error(api_client):
    response = api_client.post("/api/v1/auth/signup", {"email": "not-an-email"})
    body = response.json()["error"]
    assert response.status_code == 400
    assert body["code"] == "validation_error"
    assert set(body["details"]) == {"email", "password"}


def test_signup_response_never_contains_the_password(api_client):
    response = api_client.post("/api/v1/auth/signup", {"email": "new@example.com", "password": STRONG_PASSWORD})
    assert STRONG_PASSWORD not in response.content.decode()


def test_unverified_email_cannot_obtain_token(api_client, user):
    response = obtain(api_client, user.email)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "email_not_verified"


def test_freshly_signed_up_user_cannot_obtain_token_before_verifying(api_client):
    api_client.post("/api/v1/auth/signup", {"email": "new@example.com", "password": STRONG_PASSWORD})
    response = obtain(api_client, "new@example.com", STRONG_PASSWORD)
    assert response.json()["error"]["code"] == "email_not_verified"


def test_verified_user_obtains_access_and_refresh_tokens(api_client, verified_user):
    response = obtain(api_client, verified_user.email)
    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_token_login_is_case_insensitive_on_email(api_client, verified_user):
    response = obtain(api_client, verified_user.email.upper())
    assert response.status_code == 200


def test_wrong_password_answers_401_without_saying_whether_the_account_exists(api_client, verified_user):
    wrong = obtain(api_client, verified_user.email, "wrong-password")
    unknown = obtain(api_client, "nobody@example.com", "wrong-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error"]["code"] == "no_active_account"


def test_token_login_is_audited(api_client, verified_user):
    obtain(api_client, verified_user.email)
    entry = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert (entry.actor, entry.message) == (verified_user, "login via jwt")


def test_access_token_authenticates_requests(api_client, verified_user):
    access = obtain(api_client, verified_user.email).json()["access"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api_client.get("/api/v1/me").json()["email"] == verified_user.email


def test_refresh_returns_a_new_access_token(api_client, verified_user):
    refresh = obtain(api_client, verified_user.email).json()["refresh"]
    response = api_client.post("/api/v1/auth/token/refresh", {"refresh": refresh})
    assert response.status_code == 200
    assert "access" in response.json()


def test_logout_answers_204(api_client, verified_user):
    refresh = obtain(api_client, verified_user.email).json()["refresh"]
    assert api_client.post("/api/v1/auth/logout", {"refresh": refresh}).status_code == 204


def test_refresh_token_is_refused_after_logout(api_client, verified_user):
    refresh = obtain(api_client, verified_user.email).json()["refresh"]
    api_client.post("/api/v1/auth/logout", {"refresh": refresh})
    response = api_client.post("/api/v1/auth/token/refresh", {"refresh": refresh})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"


def test_logout_twice_is_refused(api_client, verified_user):
    refresh = obtain(api_client, verified_user.email).json()["refresh"]
    api_client.post("/api/v1/auth/logout", {"refresh": refresh})
    assert api_client.post("/api/v1/auth/logout", {"refresh": refresh}).status_code == 401


def test_rotated_refresh_token_cannot_be_reused(api_client, verified_user):
    refresh = obtain(api_client, verified_user.email).json()["refresh"]
    api_client.post("/api/v1/auth/token/refresh", {"refresh": refresh})
    assert api_client.post("/api/v1/auth/token/refresh", {"refresh": refresh}).status_code == 401


def test_garbage_bearer_token_answers_401_error_body(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-jwt")
    response = api_client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert response.json()["error"]["message"]
