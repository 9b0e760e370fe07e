"""Quarantined proxies come back through an RQ cron job that re-checks them."""

from datetime import timedelta

import django_rq
import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from django_rq.cron import DjangoCronScheduler
from rq import Queue, SimpleWorker

from suppliers import cron, jobs, services
from suppliers.models import Proxy
from tests.factories import ProxyFactory
from tests.loopback import Reply

pytestmark = pytest.mark.django_db


def _quarantined(port: int, **fields: object) -> Proxy:
    return ProxyFactory(
        host="127.0.0.1", port=port, health_score=0, quarantined_until=timezone.now() - timedelta(seconds=1), **fields
    )


@pytest.fixture
def check_url(loopback, settings) -> str:
    loopback.route("/robots.txt", Reply(body="User-agent: *"))
    settings.PROXY_CHECK_URL = f"{loopback.url}/robots.txt"
    return settings.PROXY_CHECK_URL


def test_the_cron_schedule_rechecks_proxies_every_five_minutes():
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("dropship_central.cron")
    [recheck] = [job for job in scheduler.get_jobs() if job.func is jobs.proxies_recheck]
    assert recheck.interval == cron.PROXY_RECHECK_EVERY_SECONDS == 300
    assert recheck.queue_name == "default"


def test_the_cron_job_run_by_a_worker_returns_a_working_proxy_to_the_pool(check_url, loopback_proxy, redis_conn):
    proxy = _quarantined(loopback_proxy.port)
    queue = Queue("default", connection=django_rq.get_connection("default"))  # as the cron scheduler enqueues
    rq_job = queue.enqueue(jobs.proxies_recheck)
    SimpleWorker([queue], connection=queue.connection).work(burst=True)

    assert rq_job.return_value() == {"released": 1, "kept": 0}
    proxy.refresh_from_db()
    assert proxy.quarantined_until is None
    assert proxy.health_score == django_settings.PROXY_QUARANTINE_BELOW + 20
    assert loopback_proxy.relayed == [check_url]


def test_a_proxy_that_still_fails_stays_out_longer_with_the_reason(check_url, loopback_proxy):
    loopback_proxy.fail_with = 502
    proxy = _quarantined(loopback_proxy.port)
    assert jobs.proxies_recheck() == {"released": 0, "kept": 1}
    proxy.refresh_from_db()
    assert proxy.quarantined_until > timezone.now() + timedelta(seconds=django_settings.PROXY_QUARANTINE_SECONDS)
    assert proxy.last_failure_reason.startswith("recheck: ")
    assert "502" in proxy.last_failure_reason


def test_proxies_still_in_quarantine_or_switched_off_are_not_checked(check_url, loopback_proxy):
    ProxyFactory(host="127.0.0.1", port=loopback_proxy.port, quarantined_until=timezone.now() + timedelta(minutes=5))
    _quarantined(loopback_proxy.port, username="off", is_active=False)
    assert jobs.proxies_recheck() == {"released": 0, "kept": 0}
    assert loopback_proxy.relayed == []


def test_a_claimed_proxy_is_not_claimed_again_by_an_overlapping_run():
    proxy = _quarantined(8080)
    assert services.proxies_claim_for_recheck() == [proxy.pk]
    assert services.proxies_claim_for_recheck() == []


def test_many_due_proxies_are_checked_in_one_run(check_url, loopback_proxy):
    for username in ("a", "b", "c"):
        _quarantined(loopback_proxy.port, username=username)
    assert jobs.proxies_recheck() == {"released": 3, "kept": 0}
    assert not Proxy.objects.filter(quarantined_until__isnull=False).exists()
