"""How a new alert reaches the user: per alert, in a daily digest, or not at all (severity, rate limit)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Alert, Delivery, Notification, NotificationAttempt, NotificationSettings
from alerts.services import digest_send
from dropship_central.models import Job
from tests.alerts_notifications.factories import NotificationSettingsFactory
from tests.core_jobs.conftest import rq_job_ids, run_worker
from tests.factories import AlertFactory
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


def test_an_alert_is_emailed_by_a_notify_job(jobs_env, user, dispatch):
    alert = dispatch(user, message="Keep stock (Low stock): stock 2 is below 5", context={"reading": "2"})

    notification = Notification.objects.get(alert=alert)
    assert alert.delivery == Delivery.IMMEDIATE
    assert (notification.channel, notification.destination) == ("email", user.email)
    assert rq_job_ids("notify") == [str(Job.objects.get(type="alerts.jobs.notification_deliver").pk)]
    run_worker()

    [email] = mail.outbox
    assert email.to == [user.email]
    assert "stock 2 is below 5" in email.subject
    assert "Reading: 2" in email.body
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)
    assert NotificationAttempt.objects.get(notification=notification).ok


def test_an_alert_below_the_minimum_severity_is_recorded_only(user, dispatch):
    NotificationSettingsFactory(user=user, min_severity="critical")

    alert = dispatch(user, severity="warning")

    assert alert.delivery == Delivery.NONE
    assert not Notification.objects.exists()


def test_with_no_channel_on_an_alert_is_recorded_only(user, dispatch):
    NotificationSettingsFactory(user=user, email_enabled=False)

    alert = dispatch(user)

    assert alert.delivery == Delivery.NONE
    assert not Notification.objects.exists()


def test_email_and_webhook_each_get_a_notification(webhook_user, dispatch):
    webhook_user.notification_settings.email_enabled = True
    webhook_user.notification_settings.save()

    alert = dispatch(webhook_user)

    assert sorted(alert.notifications.values_list("channel", flat=True)) == ["email", "webhook"]


def test_alerts_past_the_hourly_limit_are_recorded_but_not_notified(user, dispatch):
    NotificationSettingsFactory(user=user, max_alerts_per_hour=2)

    alerts = [dispatch(user) for _ in range(3)]

    assert [a.delivery for a in alerts] == [Delivery.IMMEDIATE, Delivery.IMMEDIATE, Delivery.RATE_LIMITED]
    assert Notification.objects.count() == 2
    assert Alert.objects.count() == 3


def test_the_hourly_limit_counts_only_the_last_hour(user, dispatch):
    NotificationSettingsFactory(user=user, max_alerts_per_hour=1)
    old = dispatch(user)
    Alert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))

    assert dispatch(user).delivery == Delivery.IMMEDIATE


def test_the_hourly_limit_is_per_user(user, other_user, dispatch):
    NotificationSettingsFactory(user=user, max_alerts_per_hour=1)
    NotificationSettingsFactory(user=other_user, max_alerts_per_hour=1)
    dispatch(user)

    assert dispatch(other_user).delivery == Delivery.IMMEDIATE
    assert dispatch(user).delivery == Delivery.RATE_LIMITED


def test_with_the_digest_on_alerts_wait_for_the_digest(user, dispatch):
    NotificationSettingsFactory(user=user, digest_enabled=True)

    alert = dispatch(user)

    assert alert.delivery == Delivery.DIGEST_PENDING
    assert not Notification.objects.exists()


def test_the_digest_sends_one_email_with_every_waiting_alert(
    jobs_env, user, dispatch, django_capture_on_commit_callbacks
):
    NotificationSettingsFactory(user=user, digest_enabled=True)
    first, second = dispatch(user, message="first"), dispatch(user, message="second")

    with django_capture_on_commit_callbacks(execute=True):
        notification = digest_send(user=user)
    run_worker()

    assert notification.payload["count"] == 2
    assert [row["id"] for row in notification.payload["alerts"]] == [first.pk, second.pk]
    [email] = mail.outbox
    assert "Daily digest: 2 alerts" in email.subject
    assert "first" in email.body
    assert "second" in email.body
    assert set(Alert.objects.values_list("delivery", flat=True)) == {Delivery.DIGEST_SENT}


def test_a_second_digest_run_sends_nothing_again(user, dispatch):
    NotificationSettingsFactory(user=user, digest_enabled=True)
    dispatch(user)
    digest_send(user=user)

    assert digest_send(user=user) is None
    assert Notification.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_daily_cron_job_sends_each_users_digest(jobs_env, user, other_user, dispatch):
    from alerts.jobs import digests_enqueue

    NotificationSettingsFactory(user=user, digest_enabled=True)
    NotificationSettingsFactory(user=other_user, digest_enabled=True)
    dispatch(user)
    dispatch(other_user)

    assert digests_enqueue() == {"users": 2}
    run_worker()

    assert sorted(email.to[0] for email in mail.outbox) == sorted([user.email, other_user.email])


def test_the_digest_job_is_registered_daily_on_the_notify_queue(monkeypatch):
    from rq import cron

    from alerts import cron as alerts_cron
    from alerts.jobs import digests_enqueue

    calls = []
    monkeypatch.setattr(cron, "register", lambda func, queue, **kwargs: calls.append((func, queue, kwargs)))

    alerts_cron.register_cron_jobs()

    [(func, queue, kwargs)] = calls
    assert (func, queue, kwargs["cron"]) == (digests_enqueue, "notify", "0 7 * * *")


def test_alerts_of_another_user_are_never_in_a_digest(user, other_user):
    NotificationSettingsFactory(user=user, digest_enabled=True)
    AlertFactory(user=other_user, delivery=Delivery.DIGEST_PENDING)

    assert digest_send(user=user) is None
    assert Alert.objects.get().delivery == Delivery.DIGEST_PENDING


def test_the_digest_holds_email_only_so_a_webhook_is_still_delivered(jobs_env, webhook_user, dispatch, loopback):
    loopback.route("/hook", Reply(status=204))
    NotificationSettings.objects.filter(user=webhook_user).update(digest_enabled=True, email_enabled=False)

    alert = dispatch(webhook_user)
    run_worker()

    assert alert.delivery == Delivery.IMMEDIATE
    assert alert.notifications.get().status == Notification.Status.SENT
    assert loopback.hits["/hook"] == 1


def test_with_the_digest_and_a_webhook_the_email_waits_and_the_webhook_goes_now(webhook_user, dispatch):
    NotificationSettings.objects.filter(user=webhook_user).update(digest_enabled=True, email_enabled=True)

    alert = dispatch(webhook_user)

    assert alert.delivery == Delivery.DIGEST_PENDING
    assert list(alert.notifications.values_list("channel", flat=True)) == ["webhook"]
    assert digest_send(user=webhook_user).channel == Notification.Channel.EMAIL


def test_a_webhook_under_the_digest_still_obeys_the_hourly_limit(webhook_user, dispatch):
    NotificationSettings.objects.filter(user=webhook_user).update(
        digest_enabled=True, email_enabled=True, max_alerts_per_hour=1
    )

    first, second = dispatch(webhook_user), dispatch(webhook_user)

    assert (first.delivery, second.delivery) == (Delivery.DIGEST_PENDING, Delivery.DIGEST_PENDING)
    assert Notification.objects.filter(channel="webhook").count() == 1
