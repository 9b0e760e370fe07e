from io import StringIO

import django_rq
import rq.cron
from django.core.management import call_command
from django_rq.cron import DjangoCronScheduler

from dropship_central import cron
from dropship_central.jobs import jobs_reconcile
from dropship_central.selectors import jobs_for_user
from dropship_central.worker import JobWorker
from tests.core_jobs.jobfuncs import add
from tests.factories import JobFactory


def test_cron_config_schedules_the_reconciler_every_minute(db):
    scheduler = DjangoCronScheduler()
    scheduler.load_config_from_file("dropship_central.cron")
    [reconciler] = [job for job in scheduler.get_jobs() if job.func is jobs_reconcile]
    assert reconciler.interval == 60
    assert reconciler.queue_name == "default"


def test_an_app_adds_cron_jobs_through_its_cron_module(monkeypatch):
    class StandInApp:
        name = "tests.core_jobs"

    registered = []
    monkeypatch.setattr(cron.apps, "get_app_configs", lambda: [StandInApp()])
    monkeypatch.setattr(rq.cron, "register", lambda func, queue_name, **options: registered.append(func))
    assert cron.register_app_jobs() == ["tests.core_jobs"]
    assert registered == [add]


def test_worker_uses_short_ttl_and_heartbeat(settings, redis_conn):
    queue = django_rq.get_queue("default")
    worker = JobWorker([queue], connection=queue.connection, worker_ttl=420)
    assert worker.worker_ttl == settings.RQ_WORKER_TTL == 60
    assert worker.job_monitoring_interval == settings.RQ_JOB_MONITORING_INTERVAL
    assert worker.maintenance_interval == settings.RQ_MAINTENANCE_INTERVAL


def test_rqworker_builds_the_job_worker(redis_conn):
    assert isinstance(django_rq.get_worker("default", "scrape"), JobWorker)


def test_jobs_for_user_returns_only_that_users_jobs(user, other_user):
    mine = JobFactory(user=user)
    JobFactory(user=other_user)
    assert list(jobs_for_user(user=user)) == [mine]


def test_reconcile_jobs_command_reports_what_it_did(jobs_env, db):
    out = StringIO()
    call_command("reconcile_jobs", stdout=out)
    assert out.getvalue().strip() == "requeued=0 recovered=0"
