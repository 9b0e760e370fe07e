import hashlib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.http import Http404
from django.utils import timezone

from accounts.models import ApiKey
from accounts.selectors import api_keys_for_user
from accounts.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    quota_check,
    user_can_obtain_token,
    user_email_verify,
    user_signup,
    user_update,
)
from accounts.tenancy import get_owned_or_404
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "plum-kettle-orbit-42"


# --- sign-up ----------------------------------------------------------------------------------


def test_signup_creates_user_with_unverified_primary_address():
    user = user_signup(email="New@Example.com", password=STRONG_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (user.email, address.email, address.primary, address.verified) == (
        "new@example.com",
        "new@example.com",
        True,
        False,
    )


def test_signup_sends_a_verification_email_with_a_confirm_link():
    user_signup(email="new@example.com", password=STRONG_PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.com"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_sends_no_email_when_verification_is_off(settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    user_signup(email="new@example.com", password=STRONG_PASSWORD)
    assert mail.outbox == []


def test_signup_refuses_an_existing_email_in_any_case(user):
    with pytest.raises(ServiceError) as exc:
        user_signup(email=user.email.upper(), password=STRONG_PASSWORD)
    assert exc.value.code == "email_taken"


def test_signup_refuses_a_weak_password():
    with pytest.raises(ServiceError) as exc:
        user_signup(email="new@example.com", password="password")
    assert exc.value.code == "invalid_password"
    assert exc.value.details["password"]


def test_signup_is_audited():
    user = user_signup(email="new@example.com", password=STRONG_PASSWORD)
    entry = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_id=str(user.pk))
    assert entry.actor == user
    assert entry.changes["email"] == [None, "new@example.com"]


def test_signup_never_stores_the_raw_password():
    user = user_signup(email="new@example.com", password=STRONG_PASSWORD)
    assert STRONG_PASSWORD not in user.password
    assert user.check_password(STRONG_PASSWORD)


# --- token eligibility ------------------------------------------------------------------------


def test_unverified_user_cannot_obtain_token_when_verification_is_mandatory(user):
    with pytest.raises(ServiceError) as exc:
        user_can_obtain_token(user=user)
    assert exc.value.code == "email_not_verified"


def test_verified_user_can_obtain_token(user):
    user_email_verify(user=user)
    assert user_can_obtain_token(user=user) is None


def test_unverified_user_can_obtain_token_when_verification_is_optional(settings, user):
    settings.ACCOUNT_EMAIL_VERIFICATION = "optional"
    assert user_can_obtain_token(user=user) is None


# --- profile ----------------------------------------------------------------------------------


def test_user_update_changes_editable_fields(user):
    user_update(user=user, data={"company": "Acme Ltd", "default_currency": "EUR"})
    user.refresh_from_db()
    assert (user.company, user.default_currency) == ("Acme Ltd", "EUR")


def test_user_update_audits_old_and_new_values(user):
    user_update(user=user, data={"company": "Acme Ltd"})
    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(user.pk))
    assert entry.changes == {"company": ["", "Acme Ltd"]}


def test_user_update_without_changes_records_nothing(user):
    user_update(user=user, data={"company": user.company})
    assert not AuditLog.objects.filter(action=AuditLog.Action.UPDATE).exists()


def test_user_update_refuses_tier_and_email(user):
    with pytest.raises(ServiceError) as exc:
        user_update(user=user, data={"tier": "enterprise", "email": "x@example.com"})
    assert exc.value.code == "read_only_fields"
    user.refresh_from_db()
    assert user.tier == "pro"


# --- API keys ---------------------------------------------------------------------------------


def test_api_key_create_returns_the_raw_key_once_and_stores_its_hash(user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    assert raw_key.startswith(f"dc_{api_key.prefix}_")
    assert api_key.hashed_key == hashlib.sha256(raw_key.encode()).hexdigest()
    assert raw_key not in ApiKey.objects.values_list("name", "prefix", "hashed_key").get()


def test_api_key_create_refuses_an_expiry_in_the_past(user):
    with pytest.raises(ServiceError) as exc:
        api_key_create(user=user, name="ci", expires_at=timezone.now() - timedelta(minutes=1))
    assert exc.value.code == "invalid_expiry"


def test_api_key_create_is_audited_without_the_secret(user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    entry = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_id=str(api_key.pk))
    assert entry.changes["name"] == [None, "ci"]
    assert raw_key not in str(entry.changes)
    assert api_key.hashed_key not in str(entry.changes)


def test_api_key_authenticate_accepts_the_raw_key(user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    assert api_key_authenticate(raw_key=raw_key) == api_key


@pytest.mark.parametrize("mangle", [lambda k: k + "x", lambda k: k[:-1], lambda k: "nope", lambda k: "dc__"])
def test_api_key_authenticate_refuses_a_wrong_or_malformed_key(user, mangle):
    _, raw_key = api_key_create(user=user, name="ci")
    assert api_key_authenticate(raw_key=mangle(raw_key)) is None


def test_api_key_authenticate_refuses_a_revoked_key(user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    api_key_revoke(user=user, api_key=api_key)
    assert api_key_authenticate(raw_key=raw_key) is None


def test_api_key_authenticate_refuses_an_expired_key(user):
    api_key, raw_key = api_key_create(user=user, name="ci", expires_at=timezone.now() + timedelta(hours=1))
    now = timezone.now()
    ApiKey.objects.filter(pk=api_key.pk).update(
        created_at=now - timedelta(hours=2), expires_at=now - timedelta(seconds=1)
    )
    assert api_key_authenticate(raw_key=raw_key) is None


def test_api_key_authenticate_refuses_an_inactive_user(user):
    _, raw_key = api_key_create(user=user, name="ci")
    user.is_active = False
    user.save()
    assert api_key_authenticate(raw_key=raw_key) is None


def test_api_key_authenticate_records_last_use(user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    api_key_authenticate(raw_key=raw_key)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_api_key_authenticate_writes_last_use_at_most_once_a_minute(user, django_assert_num_queries):
    _, raw_key = api_key_create(user=user, name="ci")
    api_key_authenticate(raw_key=raw_key)
    with django_assert_num_queries(1):
        api_key_authenticate(raw_key=raw_key)


def test_api_key_revoke_sets_revoked_at_and_audits(user):
    api_key, _ = api_key_create(user=user, name="ci")
    api_key_revoke(user=user, api_key=api_key)
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditLog.objects.filter(action=AuditLog.Action.DELETE, object_id=str(api_key.pk)).count() == 1


def test_api_key_revoke_twice_keeps_the_first_revocation(user):
    api_key, _ = api_key_create(user=user, name="ci")
    first = api_key_revoke(user=user, api_key=api_key).revoked_at
    second = api_key_revoke(user=user, api_key=ApiKey.objects.get(pk=api_key.pk)).revoked_at
    assert first == second
    assert AuditLog.objects.filter(action=AuditLog.Action.DELETE).count() == 1


def test_api_key_revoke_refuses_another_users_key(user, other_user):
    api_key, raw_key = api_key_create(user=user, name="ci")
    with pytest.raises(ServiceError) as exc:
        api_key_revoke(user=other_user, api_key=api_key)
    assert exc.value.status_code == 404
    assert api_key_authenticate(raw_key=raw_key) == api_key


# --- selectors, tenancy, quotas -----------------------------------------------------------------


def test_api_keys_for_user_lists_only_own_active_keys(user, other_user):
    mine, _ = api_key_create(user=user, name="mine")
    revoked, _ = api_key_create(user=user, name="revoked")
    api_key_revoke(user=user, api_key=revoked)
    api_key_create(user=other_user, name="theirs")
    assert list(api_keys_for_user(user=user)) == [mine]


def test_api_keys_for_user_can_include_revoked_keys(user):
    api_key, _ = api_key_create(user=user, name="revoked")
    api_key_revoke(user=user, api_key=api_key)
    assert list(api_keys_for_user(user=user, include_revoked=True)) == [api_key]


def test_get_owned_or_404_returns_own_object(user):
    api_key, _ = api_key_create(user=user, name="ci")
    assert get_owned_or_404(api_keys_for_user, user=user, pk=api_key.pk) == api_key


def test_get_owned_or_404_hides_another_users_object(user, other_user):
    api_key, _ = api_key_create(user=user, name="ci")
    with pytest.raises(Http404):
        get_owned_or_404(api_keys_for_user, user=other_user, pk=api_key.pk)


def test_quota_check_refuses_past_the_tier_limit():
    free_user = UserFactory(tier="free")
    with pytest.raises(ServiceError) as exc:
        quota_check(user=free_user, resource="store_accounts", current=1)
    assert (exc.value.code, exc.value.status_code) == ("quota_exceeded", 403)


def test_quota_check_allows_within_the_tier_limit():
    free_user = UserFactory(tier="free")
    assert quota_check(user=free_user, resource="store_accounts", current=0) is None


def test_api_key_create_retries_once_on_a_prefix_collision(user, monkeypatch):
    taken, _ = api_key_create(user=user, name="first")
    prefixes = iter([taken.prefix, "0123456789"])
    monkeypatch.setattr("accounts.services.secrets.token_hex", lambda nbytes: next(prefixes))
    api_key, raw_key = api_key_create(user=user, name="second")
    assert api_key.prefix == "0123456789"
    assert api_key_authenticate(raw_key=raw_key) == api_key
