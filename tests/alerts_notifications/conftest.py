from typing import Any

import pytest

from alerts.models import Alert
from alerts.services import alert_dispatch
from tests.alerts_notifications.factories import NotificationSettingsFactory
from tests.core_jobs.conftest import jobs_env  # noqa: F401  (shared fixture)
from tests.factories import AlertFactory

SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def dispatch(django_capture_on_commit_callbacks):
    """Create an alert for `user` and dispatch it as the policy engine does, running the on-commit enqueues."""

    def _dispatch(user: Any, **fields: Any) -> Alert:
        with django_capture_on_commit_callbacks(execute=True):
            alert = alert_dispatch(alert=AlertFactory(user=user, **fields))
        alert.refresh_from_db()
        return alert

    return _dispatch


@pytest.fixture
def webhook_user(user, loopback):
    NotificationSettingsFactory(
        user=user, email_enabled=False, webhook_url=f"{loopback.url}/hook", webhook_secret=SECRET
    )
    return user
