"""Signed webhooks: the documented recipe verifies them; failures are retried with backoff, each attempt recorded."""

import hashlib
import hmac
import json
import socket
import time

import pytest

from alerts.delivery import webhook_signature, webhook_signature_verify, webhook_url_check
from alerts.models import Notification, NotificationAttempt
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import Job
from tests.alerts_notifications.conftest import SECRET
from tests.core_jobs.conftest import run_worker
from tests.loopback import Reply

pytestmark = pytest.mark.django_db

DELIVER = "alerts.jobs.notification_deliver"


def recipe_verifies(secret: str, body: bytes, headers: dict[str, str], tolerance: int = 300) -> bool:
    """The receiver's recipe from alerts/delivery.py, written out independently."""
    timestamp = headers["x-dropship-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"v1={expected}", headers["x-dropship-signature"])


def test_a_webhook_is_signed_so_the_documented_recipe_verifies_it(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=204))
    alert = dispatch(webhook_user, message="stock 2 is below 5")

    run_worker()

    [seen] = loopback.requests
    assert seen.method == "POST"
    assert recipe_verifies(SECRET, seen.body, seen.headers)
    assert webhook_signature_verify(
        secret=SECRET,
        body=seen.body,
        timestamp=seen.headers["x-dropship-timestamp"],
        signature=seen.headers["x-dropship-signature"],
    )
    payload = json.loads(seen.body)
    assert (payload["event"], payload["alert"]["id"], payload["alert"]["message"]) == (
        "alert",
        alert.pk,
        "stock 2 is below 5",
    )
    assert seen.headers["x-dropship-delivery"] == str(alert.notifications.get().pk)
    assert seen.headers["content-type"] == "application/json"


def test_a_wrong_secret_does_not_verify(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=200))
    dispatch(webhook_user)

    run_worker()

    [seen] = loopback.requests
    assert not recipe_verifies("whsec-not-the-right-one", seen.body, seen.headers)
    assert not webhook_signature_verify(
        secret="whsec-not-the-right-one",
        body=seen.body,
        timestamp=seen.headers["x-dropship-timestamp"],
        signature=seen.headers["x-dropship-signature"],
    )


def test_a_tampered_body_does_not_verify():
    timestamp = str(int(time.time()))
    signature = webhook_signature(secret=SECRET, timestamp=timestamp, body=b'{"a":1}')

    assert webhook_signature_verify(secret=SECRET, body=b'{"a":1}', timestamp=timestamp, signature=signature)
    assert not webhook_signature_verify(secret=SECRET, body=b'{"a":2}', timestamp=timestamp, signature=signature)


def test_a_stale_timestamp_is_refused_by_the_tolerance_window():
    old = str(int(time.time()) - 301)
    signature = webhook_signature(secret=SECRET, timestamp=old, body=b"{}")

    assert not webhook_signature_verify(secret=SECRET, body=b"{}", timestamp=old, signature=signature)


def test_a_500_is_retried_and_the_second_attempt_succeeds(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=500, body="boom"), Reply(status=200))
    alert = dispatch(webhook_user)

    run_worker()

    notification = alert.notifications.get()
    assert (notification.status, notification.attempts, notification.last_status_code) == ("sent", 2, 200)
    attempts = list(NotificationAttempt.objects.filter(notification=notification).values_list("ok", "status_code"))
    assert attempts == [(False, 500), (True, 200)]
    assert loopback.hits["/hook"] == 2
    assert Job.objects.get(type=DELIVER).status == Job.Status.SUCCESS
    # Each retry is signed anew and still verifies.
    assert all(recipe_verifies(SECRET, seen.body, seen.headers) for seen in loopback.requests)


def test_a_429_is_retried(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=429), Reply(status=200))
    alert = dispatch(webhook_user)

    run_worker()

    assert alert.notifications.get().status == "sent"
    assert loopback.hits["/hook"] == 2


def test_a_dropped_connection_is_retried_and_recorded(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(drop=True), Reply(status=200))
    alert = dispatch(webhook_user)

    run_worker()

    [failed, ok] = NotificationAttempt.objects.filter(notification__alert=alert).order_by("id")
    assert (failed.ok, failed.status_code, ok.ok) == (False, None, True)
    assert failed.error


def test_a_4xx_fails_at_once_without_retrying(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=410, body="gone"))
    alert = dispatch(webhook_user)

    run_worker()

    notification = alert.notifications.get()
    assert (notification.status, notification.attempts, notification.last_status_code) == ("failed", 1, 410)
    assert loopback.hits["/hook"] == 1
    job = Job.objects.get(type=DELIVER)
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)


def test_delivery_gives_up_after_the_last_attempt(jobs_env, webhook_user, dispatch, loopback):
    from alerts.services import NOTIFY_MAX_ATTEMPTS

    loopback.route("/hook", Reply(status=503))
    alert = dispatch(webhook_user)

    run_worker()

    notification = alert.notifications.get()
    assert (notification.status, notification.attempts) == ("failed", NOTIFY_MAX_ATTEMPTS)
    assert NotificationAttempt.objects.filter(notification=notification, ok=False).count() == NOTIFY_MAX_ATTEMPTS


def test_a_sent_notification_is_not_sent_again(jobs_env, webhook_user, dispatch, loopback):
    from alerts.jobs import notification_deliver

    loopback.route("/hook", Reply(status=200))
    alert = dispatch(webhook_user)
    run_worker()

    result = notification_deliver(alert.notifications.get().pk)

    assert result["status"] == "sent"
    assert loopback.hits["/hook"] == 1


# --- URL validation ------------------------------------------------------------------------------


@pytest.fixture
def strict(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


def refused(url: str) -> str:
    with pytest.raises(ServiceError) as info:
        webhook_url_check(url)
    return info.value.details["webhook_url"][0]


def test_plain_http_is_refused(strict):
    assert refused("http://hooks.example.com/x") == "Use an https URL."


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://192.168.0.10:8443/hook",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
    ],
)
def test_private_loopback_and_link_local_hosts_are_refused(strict, url):
    assert "private, loopback, link-local or reserved" in refused(url)


def test_a_name_resolving_to_a_private_address_is_refused(strict, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("10.0.0.7", 443))])

    assert "private" in refused("https://hooks.example.com/x")


def test_a_public_https_url_is_accepted(strict, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 443))])

    webhook_url_check("https://hooks.example.com/x")


def test_an_unresolvable_host_is_refused(strict, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", fail)

    assert refused("https://nowhere.invalid/x") == "The host does not resolve."


def test_credentials_in_the_url_are_refused(strict):
    assert "credentials" in refused("https://user:pw@hooks.example.com/x")


def test_delivery_rechecks_the_url_and_fails_a_private_one_permanently(
    jobs_env, webhook_user, dispatch, loopback, settings
):
    loopback.route("/hook", Reply(status=200))
    alert = dispatch(webhook_user)
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    run_worker()

    notification = alert.notifications.get()
    assert (notification.status, notification.last_error) == ("failed", "Use an https URL.")
    assert loopback.hits["/hook"] == 0
    assert Notification.objects.filter(status="sent").count() == 0


def test_a_redirect_is_not_followed_so_it_cannot_lead_past_the_address_check(
    jobs_env, webhook_user, dispatch, loopback
):
    loopback.route("/hook", Reply(status=302, headers={"Location": "/internal"}))
    loopback.route("/internal", Reply(status=200))
    alert = dispatch(webhook_user)

    run_worker()

    assert loopback.hits["/internal"] == 0
    assert alert.notifications.get().status == Notification.Status.FAILED


def test_a_webhook_says_who_sends_it_not_a_browser(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=204))
    dispatch(webhook_user)

    run_worker()

    [seen] = loopback.requests
    assert seen.headers["user-agent"] == "DropshipCentral-Webhooks/1"
    assert "sec-ch-ua" not in seen.headers


def test_delivery_connects_to_the_address_it_checked(strict, monkeypatch):
    """Resolved once and pinned: a DNS answer that changes after the check cannot redirect the connection."""
    from alerts.delivery import webhook_destination

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(2, 1, 6, "", ("93.184.216.34", 8443))])
    assert webhook_destination("https://hooks.example.com:8443/x") == (None, "hooks.example.com:8443:93.184.216.34")

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(10, 1, 6, "", ("2606:2800:220:1::1", 443, 0, 0))])
    assert webhook_destination("https://hooks.example.com/x") == (None, "hooks.example.com:443:[2606:2800:220:1::1]")


def test_a_pinned_client_reaches_the_pinned_address_whatever_the_name_resolves_to(loopback):
    """The curl RESOLVE option the delivery uses: a name that resolves nowhere still reaches the pinned address."""
    from curl_cffi import CurlOpt

    from dropship_central.http import ClientConfig, OutboundClient

    loopback.route("/hook", Reply(status=204))
    port = loopback.url.rsplit(":", 1)[1]
    config = ClientConfig(
        target="webhook",
        max_attempts=1,
        impersonate=False,
        curl_options={CurlOpt.RESOLVE: [f"pinned.invalid:{port}:127.0.0.1"]},
    )
    client = OutboundClient(config)
    try:
        assert client.fetch("POST", f"http://pinned.invalid:{port}/hook", data=b"{}").status == 204
    finally:
        client.close()
    assert loopback.hits["/hook"] == 1
