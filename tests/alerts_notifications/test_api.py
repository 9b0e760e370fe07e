import pytest

from alerts.models import Delivery, NotificationSettings
from dropship_central.audit import SECRET_MASK
from dropship_central.models import AuditLog
from tests.alerts_notifications.conftest import SECRET
from tests.alerts_notifications.factories import NotificationAttemptFactory, NotificationSettingsFactory
from tests.factories import AlertFactory, NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notification-settings"


def test_get_shows_the_defaults_before_any_change(auth_client):
    body = auth_client.get(URL).json()

    assert body["email_enabled"] is True
    assert (body["webhook_url"], body["webhook_secret_set"], body["digest_enabled"]) == ("", False, False)
    assert (body["min_severity"], body["max_alerts_per_hour"]) == ("info", 20)
    assert "webhook_secret" not in body


def test_patch_sets_a_webhook_and_never_returns_the_secret(auth_client, user):
    response = auth_client.patch(
        URL, {"webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": SECRET, "digest_enabled": True}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["webhook_secret_set"] is True
    assert SECRET not in response.content.decode()
    prefs = NotificationSettings.objects.get(user=user)
    assert (prefs.webhook_secret, prefs.digest_enabled) == (SECRET, True)
    entry = AuditLog.objects.get(object_id=str(prefs.pk))
    assert entry.changes["webhook_secret"] == ["", SECRET_MASK]


def test_a_webhook_needs_a_long_enough_secret(auth_client):
    response = auth_client.patch(
        URL, {"webhook_url": "http://127.0.0.1:9/hook", "webhook_secret": "short"}, format="json"
    )

    assert response.status_code == 400
    assert "webhook_secret" in response.json()["error"]["details"]


def test_an_http_or_private_webhook_url_is_refused_outside_tests(auth_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    plain = auth_client.patch(
        URL, {"webhook_url": "http://hooks.example.com/x", "webhook_secret": SECRET}, format="json"
    )
    private = auth_client.patch(URL, {"webhook_url": "https://10.0.0.1/x", "webhook_secret": SECRET}, format="json")

    assert [plain.status_code, private.status_code] == [400, 400]
    assert "webhook_url" in private.json()["error"]["details"]


def test_patch_validates_the_minimum_severity(auth_client):
    response = auth_client.patch(URL, {"min_severity": "loud"}, format="json")

    assert response.status_code == 400


def test_each_user_sees_and_changes_only_their_own_settings(auth_client, other_client, user, other_user):
    NotificationSettingsFactory(user=other_user, max_alerts_per_hour=3)

    auth_client.patch(URL, {"max_alerts_per_hour": 7}, format="json")

    assert auth_client.get(URL).json()["max_alerts_per_hour"] == 7
    assert other_client.get(URL).json()["max_alerts_per_hour"] == 3


def test_notification_detail_lists_its_delivery_attempts(auth_client, user):
    notification = NotificationFactory(user=user, channel="webhook", destination="https://hooks.test/x")
    NotificationAttemptFactory(notification=notification, status_code=500, ok=False)
    NotificationAttemptFactory(notification=notification, status_code=200, ok=True, error="")

    body = auth_client.get(f"/api/v1/notifications/{notification.pk}").json()

    assert [(a["status_code"], a["ok"]) for a in body["delivery_attempts"]] == [(500, False), (200, True)]
    assert {"attempted_at", "error", "duration_ms"} <= set(body["delivery_attempts"][0])


def test_notification_list_stays_without_attempts(auth_client, user):
    NotificationAttemptFactory(notification=NotificationFactory(user=user))

    row = auth_client.get("/api/v1/notifications").json()["results"][0]

    assert "delivery_attempts" not in row


def test_alerts_filter_by_delivery(auth_client, user):
    limited = AlertFactory(user=user, delivery=Delivery.RATE_LIMITED)
    AlertFactory(user=user, delivery=Delivery.IMMEDIATE)

    rows = auth_client.get("/api/v1/alerts", {"delivery": "rate_limited"}).json()["results"]

    assert [(r["id"], r["delivery"]) for r in rows] == [(limited.pk, "rate_limited")]
