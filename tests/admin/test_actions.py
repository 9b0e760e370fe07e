from datetime import timedelta

from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from dropship_central import admin as core_admin
from dropship_central.models import AuditLog, Job
from tests.factories import JobFactory, ProxyFactory
from tests.loopback import Reply

PROXIES_URL = reverse("admin:suppliers_proxy_changelist")
JOBS_URL = reverse("admin:core_job_changelist")


def _run(client, url, action, objects):
    return client.post(url, {"action": action, helpers.ACTION_CHECKBOX_NAME: [o.pk for o in objects]})


def test_test_proxy_action_scores_a_working_proxy_up(admin_client, loopback, loopback_proxy, settings):
    loopback.route("/robots.txt", Reply(body="User-agent: *"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    proxy = ProxyFactory(host="127.0.0.1", port=loopback_proxy.port, health_score=50)

    response = _run(admin_client, PROXIES_URL, "test_proxy", [proxy])

    assert response.status_code == 302
    proxy.refresh_from_db()
    assert (proxy.successes, proxy.health_score) == (1, 55)
    assert len(loopback_proxy.relayed) == 1


def test_test_proxy_action_records_a_failure_with_its_reason(admin_client, loopback, loopback_proxy, settings):
    loopback.route("/robots.txt", Reply(body="ok"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    loopback_proxy.fail_with = 502
    proxy = ProxyFactory(host="127.0.0.1", port=loopback_proxy.port, health_score=100)

    _run(admin_client, PROXIES_URL, "test_proxy", [proxy])

    proxy.refresh_from_db()
    assert proxy.failures == 1
    assert proxy.health_score < 100
    assert proxy.last_failure_reason.startswith("proxy_error: ")
    assert "502" in proxy.last_failure_reason


def test_test_proxy_action_lifts_the_quarantine_of_a_proxy_that_works(admin_client, loopback, loopback_proxy, settings):
    loopback.route("/robots.txt", Reply(body="ok"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    proxy = ProxyFactory(
        host="127.0.0.1", port=loopback_proxy.port, health_score=0, quarantined_until=timezone.now() + timedelta(1)
    )

    _run(admin_client, PROXIES_URL, "test_proxy", [proxy])

    proxy.refresh_from_db()
    assert proxy.quarantined_until is None


def test_test_proxy_action_is_audited_per_proxy(admin_client, superuser, loopback, loopback_proxy, settings):
    loopback.route("/robots.txt", Reply(body="ok"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    proxies = [ProxyFactory(host="127.0.0.1", port=loopback_proxy.port, username=f"u{i}") for i in range(2)]

    _run(admin_client, PROXIES_URL, "test_proxy", proxies)

    entries = AuditLog.objects.filter(action=AuditLog.Action.ADMIN_ACTION, message="admin action: test_proxy")
    assert sorted(e.object_id for e in entries) == sorted(str(p.pk) for p in proxies)
    assert {e.actor for e in entries} == {superuser}


def test_retry_action_queues_failed_jobs_again_and_skips_others(admin_client, superuser):
    failed = JobFactory(status=Job.Status.FAILED, attempts=4, error="boom")
    succeeded = JobFactory(status=Job.Status.SUCCESS)

    response = _run(admin_client, JOBS_URL, "retry_failed", [failed, succeeded])

    assert response.status_code == 302
    failed.refresh_from_db()
    succeeded.refresh_from_db()
    assert (failed.status, failed.attempts) == (Job.Status.QUEUED, 0)
    assert succeeded.status == Job.Status.SUCCESS
    audited = AuditLog.objects.filter(action=AuditLog.Action.ADMIN_ACTION, actor=superuser)
    assert sorted(e.object_id for e in audited) == sorted([str(failed.pk), str(succeeded.pk)])


def test_retry_action_is_not_offered_without_the_retry_service(admin_client, monkeypatch):
    monkeypatch.setattr(core_admin, "JOB_RETRY_SERVICE", "dropship_central.jobs.no_such_service")
    JobFactory(status=Job.Status.FAILED)

    response = admin_client.get(JOBS_URL)

    assert response.status_code == 200
    assert "retry_failed" not in response.content.decode()


def test_retry_action_is_offered_with_the_retry_service(admin_client):
    JobFactory(status=Job.Status.FAILED)

    response = admin_client.get(JOBS_URL)

    assert "retry_failed" in response.content.decode()
