import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alerts.models import Notification
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


def ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def test_list_shows_only_own_notifications(auth_client, user, other_user):
    own = NotificationFactory(user=user)
    NotificationFactory(user=other_user)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert ids(response) == [own.id]


def test_list_filters_by_channel(auth_client, user):
    webhook = NotificationFactory(user=user, channel=Notification.Channel.WEBHOOK, destination="https://hooks.test/x")
    NotificationFactory(user=user, channel=Notification.Channel.EMAIL)

    assert ids(auth_client.get(URL, {"channel": "webhook"})) == [webhook.id]


def test_list_filters_by_status(auth_client, user):
    failed = NotificationFactory(user=user, status=Notification.Status.FAILED, last_error="HTTP 500")
    NotificationFactory(user=user, status=Notification.Status.SENT)

    assert ids(auth_client.get(URL, {"status": "failed"})) == [failed.id]


def test_list_filters_by_alert(auth_client, user):
    notification = NotificationFactory(user=user)
    NotificationFactory(user=user)

    assert ids(auth_client.get(URL, {"alert": notification.alert_id})) == [notification.id]


def test_retrieve_shows_delivery_state(auth_client, user):
    notification = NotificationFactory(user=user, status=Notification.Status.FAILED, attempts=3, last_status_code=502)

    body = auth_client.get(f"{URL}/{notification.id}").json()

    assert (body["status"], body["attempts"], body["last_status_code"]) == ("failed", 3, 502)
    assert body["alert"] == notification.alert_id


def test_other_users_notification_is_not_found(other_client, user):
    notification = NotificationFactory(user=user)

    assert other_client.get(f"{URL}/{notification.id}").status_code == 404


def test_notifications_are_read_only(auth_client, user):
    notification = NotificationFactory(user=user)

    assert auth_client.delete(f"{URL}/{notification.id}").status_code == 405


def test_list_query_count_does_not_grow_with_rows(auth_client, user):
    NotificationFactory(user=user)
    with CaptureQueriesContext(connection) as one:
        auth_client.get(URL)
    NotificationFactory.create_batch(9, user=user)
    with CaptureQueriesContext(connection) as ten:
        response = auth_client.get(URL)

    assert len(response.json()["results"]) == 10
    assert len(ten) == len(one)
