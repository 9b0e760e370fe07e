from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from accounts.models import ApiKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_regardless_of_case():
    UserFactory(email="Ann@Example.com")
    with pytest.raises(IntegrityError):
        UserFactory(email="ann@example.com")


def test_manager_stores_email_lowercased(django_user_model):
    user = django_user_model.objects.create_user(email="Bob@Example.COM", password="x")
    assert user.email == "bob@example.com"


def test_default_currency_must_be_three_uppercase_letters():
    with pytest.raises(IntegrityError):
        UserFactory(default_currency="us")


def test_tier_must_be_known():
    with pytest.raises(IntegrityError):
        UserFactory(tier="platinum")


def test_api_key_prefix_is_unique(user):
    ApiKey.objects.create(user=user, name="a", prefix="abc", hashed_key="1" * 64)
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(user=user, name="b", prefix="abc", hashed_key="2" * 64)


def test_api_key_hash_is_unique(user):
    ApiKey.objects.create(user=user, name="a", prefix="abc", hashed_key="1" * 64)
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(user=user, name="b", prefix="abd", hashed_key="1" * 64)


def test_api_key_cannot_expire_before_it_was_created(user):
    with pytest.raises(IntegrityError):
        ApiKey.objects.create(
            user=user, name="a", prefix="abc", hashed_key="1" * 64, expires_at=timezone.now() - timedelta(days=1)
        )


def test_api_key_is_inactive_once_expired(user):
    key = ApiKey.objects.create(user=user, name="a", prefix="abc", hashed_key="1" * 64)
    key.expires_at = timezone.now() - timedelta(seconds=1)
    assert key.is_active is False
