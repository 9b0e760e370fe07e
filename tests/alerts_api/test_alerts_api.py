import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert
from dropship_central.models import AuditLog
from tests.factories import AlertFactory, ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts"


def ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def test_list_shows_only_own_alerts(auth_client, user, other_user):
    own = AlertFactory(user=user)
    AlertFactory(user=other_user)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert ids(response) == [own.id]


def test_list_filters_unread(auth_client, user):
    unread = AlertFactory(user=user)
    AlertFactory(user=user, read_at=timezone.now())

    assert ids(auth_client.get(URL, {"unread": "true"})) == [unread.id]


def test_list_filters_read_with_unread_false(auth_client, user):
    AlertFactory(user=user)
    read = AlertFactory(user=user, read_at=timezone.now())

    assert ids(auth_client.get(URL, {"unread": "false"})) == [read.id]


def test_list_filters_unacknowledged(auth_client, user):
    open_alert = AlertFactory(user=user)
    AlertFactory(user=user, acknowledged_at=timezone.now(), read_at=timezone.now())

    assert ids(auth_client.get(URL, {"unacknowledged": "true"})) == [open_alert.id]


def test_list_filters_severity(auth_client, user):
    critical = AlertFactory(user=user, severity="critical")
    AlertFactory(user=user, severity="info")

    assert ids(auth_client.get(URL, {"severity": "critical"})) == [critical.id]


def test_list_filters_type(auth_client, user):
    drop = AlertFactory(user=user, type="price_drop")
    AlertFactory(user=user, type="low_stock")

    assert ids(auth_client.get(URL, {"type": "price_drop"})) == [drop.id]


def test_retrieve_shows_state(auth_client, user):
    alert = AlertFactory(user=user, severity="critical")

    body = auth_client.get(f"{URL}/{alert.id}").json()

    assert (body["severity"], body["is_read"], body["is_acknowledged"]) == ("critical", False, False)


def test_read_marks_the_alert_read(auth_client, user):
    alert = AlertFactory(user=user)

    response = auth_client.post(f"{URL}/{alert.id}/read")

    assert response.status_code == 200
    assert response.json()["is_read"] is True
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert alert.acknowledged_at is None


def test_read_twice_keeps_the_first_read_time(auth_client, user):
    alert = AlertFactory(user=user)
    first = auth_client.post(f"{URL}/{alert.id}/read").json()["read_at"]

    second = auth_client.post(f"{URL}/{alert.id}/read")

    assert second.status_code == 200
    assert second.json()["read_at"] == first
    assert AuditLog.objects.filter(object_id=str(alert.id), action=AuditLog.Action.UPDATE).count() == 1


def test_acknowledge_also_marks_read(auth_client, user):
    alert = AlertFactory(user=user)

    response = auth_client.post(f"{URL}/{alert.id}/acknowledge")

    assert response.status_code == 200
    body = response.json()
    assert body["is_acknowledged"] is True
    assert body["is_read"] is True


def test_acknowledge_keeps_an_earlier_read_time(auth_client, user):
    read_at = timezone.now() - timezone.timedelta(days=1)
    alert = AlertFactory(user=user, read_at=read_at)

    auth_client.post(f"{URL}/{alert.id}/acknowledge")

    alert.refresh_from_db()
    assert alert.read_at == read_at
    assert alert.acknowledged_at > read_at


def test_acknowledge_is_idempotent(auth_client, user):
    alert = AlertFactory(user=user)
    first = auth_client.post(f"{URL}/{alert.id}/acknowledge").json()["acknowledged_at"]

    second = auth_client.post(f"{URL}/{alert.id}/acknowledge")

    assert second.status_code == 200
    assert second.json()["acknowledged_at"] == first
    assert AuditLog.objects.filter(object_id=str(alert.id), action=AuditLog.Action.UPDATE).count() == 1


def test_acknowledge_is_audited(auth_client, user):
    alert = AlertFactory(user=user)

    auth_client.post(f"{URL}/{alert.id}/acknowledge")

    entry = AuditLog.objects.get(object_id=str(alert.id))
    assert entry.actor == user
    assert entry.changes["acknowledged_at"][0] is None


def test_read_all_marks_only_own_unread_alerts(auth_client, user, other_user):
    AlertFactory.create_batch(2, user=user)
    AlertFactory(user=user, read_at=timezone.now())
    foreign = AlertFactory(user=other_user)

    response = auth_client.post(f"{URL}/read-all")

    assert response.status_code == 200
    assert response.json() == {"marked_read": 2}
    assert not Alert.objects.filter(user=user, read_at__isnull=True).exists()
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_read_all_with_nothing_unread_changes_nothing(auth_client, user):
    AlertFactory(user=user, read_at=timezone.now())

    response = auth_client.post(f"{URL}/read-all")

    assert response.json() == {"marked_read": 0}
    assert not AuditLog.objects.filter(actor=user).exists()


def test_other_users_alert_is_not_found(other_client, user):
    alert = AlertFactory(user=user)

    assert other_client.get(f"{URL}/{alert.id}").status_code == 404


@pytest.mark.parametrize("verb", ["read", "acknowledge"])
def test_other_user_cannot_change_an_alert(other_client, user, verb):
    alert = AlertFactory(user=user)

    response = other_client.post(f"{URL}/{alert.id}/{verb}")

    assert response.status_code == 404
    alert.refresh_from_db()
    assert (alert.read_at, alert.acknowledged_at) == (None, None)


def test_list_query_count_does_not_grow_with_rows(auth_client, user):
    AlertFactory(user=user, product=ProductFactory(), listing=ListingFactory(user=user))
    with CaptureQueriesContext(connection) as one:
        auth_client.get(URL)
    for _ in range(9):
        AlertFactory(user=user, product=ProductFactory(), listing=ListingFactory(user=user))
    with CaptureQueriesContext(connection) as ten:
        response = auth_client.get(URL)

    assert len(response.json()["results"]) == 10
    assert len(ten) == len(one)
