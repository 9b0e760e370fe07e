import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from dropship_central.models import AuditLog
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-kettle-orbit-42"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")


def web_signup(client, email="web@example.com"):
    return client.post(
        "/accounts/signup/", {"email": email, "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )


def test_web_signup_creates_the_user_and_sends_a_verification_email(client):
    response = web_signup(client)
    assert response.status_code == 302
    assert User.objects.filter(email="web@example.com").exists()
    assert mail.outbox[0].to == ["web@example.com"]
    assert CONFIRM_LINK.search(mail.outbox[0].body)


def test_web_signup_leaves_the_email_unverified(client):
    web_signup(client)
    assert EmailAddress.objects.get(email="web@example.com").verified is False


def test_confirm_link_verifies_the_email(client):
    web_signup(client)
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="web@example.com").verified is True


def test_api_signup_link_verifies_the_email_too(client, api_client):
    api_client.post("/api/v1/auth/signup", {"email": "api@example.com", "password": STRONG_PASSWORD})
    path = CONFIRM_LINK.search(mail.outbox[0].body).group(1)
    client.post(path)
    token = api_client.post("/api/v1/auth/token", {"email": "api@example.com", "password": STRONG_PASSWORD})
    assert token.status_code == 200


def test_web_login_by_email_signs_the_user_in(client, verified_user):
    response = client.post("/accounts/login/", {"login": verified_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(verified_user.pk)


def test_web_login_is_audited(client, verified_user):
    client.post("/accounts/login/", {"login": verified_user.email, "password": PASSWORD})
    entry = AuditLog.objects.get(action=AuditLog.Action.LOGIN)
    assert (entry.actor, entry.message) == (verified_user, "login via session")


def test_web_login_with_unverified_email_does_not_sign_in(client, user):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_web_session_authenticates_the_api(client, verified_user):
    client.post("/accounts/login/", {"login": verified_user.email, "password": PASSWORD})
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == verified_user.email
