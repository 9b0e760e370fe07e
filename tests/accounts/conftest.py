import pytest

from accounts.services import user_email_verify
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture
def verified_user(db):
    user = UserFactory(email="verified@example.com")
    user_email_verify(user=user)
    return user
