import multiprocessing
import os
import signal
import time
from datetime import timedelta

import django_rq
import pytest
from django.db import connections
from django.utils import timezone
from rq.job import Job as RQJob
from rq.job import JobStatus

from dropship_central.jobs import job_enqueue, jobs_reconcile
from dropship_central.models import Job
from dropship_central.worker import JobWorker
from tests.core_jobs.conftest import rq_job_ids, run_worker

ADD = "tests.core_jobs.jobfuncs.add"
LATER = timedelta(minutes=3)


def test_reconciler_enqueues_again_a_job_redis_lost(jobs_env, enqueue):
    job = enqueue(func=ADD, payload={"a": 1, "b": 2})
    jobs_env.flushdb()
    counts = jobs_reconcile(at=timezone.now() + LATER)
    assert counts["requeued"] == 1
    assert rq_job_ids() == [str(job.pk)]
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS


def test_reconciler_enqueues_a_job_recorded_but_never_enqueued(jobs_env, db):
    job = Job.objects.create(type=ADD, payload={"a": 1, "b": 1})
    jobs_reconcile(at=timezone.now() + LATER)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS


def test_reconciler_leaves_recently_queued_jobs_alone(jobs_env, db):
    Job.objects.create(type=ADD, payload={"a": 1, "b": 1})
    assert jobs_reconcile()["requeued"] == 0
    assert rq_job_ids() == []


def test_reconciler_leaves_jobs_redis_still_holds(jobs_env, enqueue):
    job = enqueue(func=ADD, payload={"a": 1, "b": 2})
    assert jobs_reconcile(at=timezone.now() + LATER)["requeued"] == 0
    assert rq_job_ids() == [str(job.pk)]


def test_reconciler_requeues_running_job_whose_redis_side_vanished(jobs_env, db):
    job = Job.objects.create(
        type=ADD, payload={"a": 2, "b": 2}, status=Job.Status.RUNNING, attempts=1, started_at=timezone.now()
    )
    assert jobs_reconcile(at=timezone.now() + LATER)["recovered"] == 1
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.attempts == 2


def test_reconciler_fails_running_job_that_is_out_of_attempts(jobs_env, db):
    job = Job.objects.create(
        type=ADD, payload={}, status=Job.Status.RUNNING, attempts=2, max_attempts=2, started_at=timezone.now()
    )
    jobs_reconcile(at=timezone.now() + LATER)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error == "Worker lost while running the job."
    assert rq_job_ids() == []


def _work_then_get_killed() -> None:
    run_worker()


def _kill_worker_while_it_runs(job: Job, redis_conn, key: str) -> None:
    """Start a real worker process, let it claim `job` and enter its function, then SIGKILL it."""
    connections.close_all()
    worker = multiprocessing.get_context("fork").Process(target=_work_then_get_killed)
    worker.start()
    deadline = time.monotonic() + 30
    while redis_conn.get(key) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    # Minutes pass: the dead worker's execution hash expires (its registry entries outlive it).
    for key in redis_conn.scan_iter("rq:execution:*"):
        redis_conn.delete(key)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


@pytest.mark.django_db(transaction=True)
def test_job_of_a_killed_worker_is_retried_and_completes(jobs_env):
    job = job_enqueue(func="tests.core_jobs.jobfuncs.hang_first_time", payload={"key": "t:hang"}, max_attempts=3)
    _kill_worker_while_it_runs(job, jobs_env, "t:hang")

    jobs_reconcile(at=timezone.now() + LATER)

    job.refresh_from_db()
    assert job.status == Job.Status.RETRYING
    assert job.error.startswith("AbandonedJobError")
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.attempts == 2
    assert job.result == {"recovered": True}


@pytest.mark.django_db(transaction=True)
def test_job_of_a_killed_worker_out_of_attempts_is_failed(jobs_env):
    job = job_enqueue(func="tests.core_jobs.jobfuncs.hang_first_time", payload={"key": "t:hang1"}, max_attempts=1)
    _kill_worker_while_it_runs(job, jobs_env, "t:hang1")

    jobs_reconcile(at=timezone.now() + LATER)

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error.startswith("AbandonedJobError")
    assert RQJob.fetch(str(job.pk), connection=jobs_env).get_status() == JobStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_job_whose_work_horse_died_is_run_again_by_rq(jobs_env, settings):
    job = job_enqueue(func="tests.core_jobs.jobfuncs.die_first_time", payload={"key": "t:die"})
    connections.close_all()
    queue = django_rq.get_queue("default")
    JobWorker([queue], connection=queue.connection).work(burst=True)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.attempts == 2
