import pytest
from django.db import transaction
from prometheus_client import REGISTRY
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from rq.job import Job as RQJob
from rq.job import JobStatus

from dropship_central.jobs import job_enqueue, job_run
from dropship_central.models import Job
from tests.core_jobs.conftest import rq_job_ids, run_worker

ADD = "tests.core_jobs.jobfuncs.add"
FAIL = "tests.core_jobs.jobfuncs.fail"


@pytest.mark.django_db(transaction=True)
def test_rq_job_is_enqueued_only_after_the_transaction_commits(jobs_env):
    with transaction.atomic():
        job = job_enqueue(func=ADD, payload={"a": 1, "b": 2})
        assert rq_job_ids() == []
    assert rq_job_ids() == [str(job.pk)]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_enqueues_nothing(jobs_env):
    def enqueue_then_fail() -> None:
        with transaction.atomic():
            job_enqueue(func=ADD, payload={"a": 1, "b": 2}, queue="scrape")
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert not Job.objects.exists()
    assert rq_job_ids("scrape") == []


def test_job_goes_to_its_queue(jobs_env, enqueue, user):
    job = enqueue(func=ADD, payload={"a": 1, "b": 2}, user=user, queue="sync")
    assert rq_job_ids("sync") == [str(job.pk)]
    assert job.status == Job.Status.QUEUED
    assert job.enqueued_at is not None


def test_unknown_queue_is_refused(db):
    with pytest.raises(ValueError, match="Unknown job queue"):
        job_enqueue(func=ADD, payload={}, queue="nope")


def test_unimportable_function_is_refused(db):
    with pytest.raises(ImportError):
        job_enqueue(func="tests.core_jobs.jobfuncs.missing", payload={})


def test_success_records_result_and_attempt(jobs_env, enqueue, user):
    job = enqueue(func=ADD, payload={"a": 2, "b": 3}, user=user)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.result == {"sum": 5, "price": "1.50"}
    assert job.attempts == 1
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.error == ""


def test_failure_is_retried_by_rq_then_recorded_failed_with_error(jobs_env, enqueue, user):
    job = enqueue(func=FAIL, payload={"message": "supplier timed out"}, user=user, max_attempts=3)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 3
    assert job.error == "RuntimeError: supplier timed out"
    assert "jobfuncs.py" in job.error_traceback
    assert job.finished_at is not None
    assert RQJob.fetch(str(job.pk), connection=jobs_env).get_status() == JobStatus.FAILED


def test_transient_failure_succeeds_on_a_later_attempt(jobs_env, enqueue, user):
    job = enqueue(func="tests.core_jobs.jobfuncs.fail_times", payload={"key": "t:flaky", "times": 2}, user=user)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCESS
    assert job.attempts == 3
    assert job.result == {"calls": 3}
    assert job.error == ""


def test_job_waiting_for_its_retry_shows_retrying_and_keeps_the_error(jobs_env, enqueue, user, settings):
    settings.JOB_RETRY_INTERVALS = [60]
    job = enqueue(func=FAIL, payload={"message": "captcha"}, user=user)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.RETRYING
    assert job.error == "RuntimeError: captcha"
    assert job.attempts == 1
    assert RQJob.fetch(str(job.pk), connection=jobs_env).get_status() == JobStatus.SCHEDULED


def test_permanent_error_is_not_retried(jobs_env, enqueue, user):
    job = enqueue(func="tests.core_jobs.jobfuncs.fail_permanently", payload={"message": "product gone"}, user=user)
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
    assert job.error == "PermanentError: product gone"
    assert RQJob.fetch(str(job.pk), connection=jobs_env).get_status() == JobStatus.FAILED


def test_same_idempotency_key_returns_the_same_job(jobs_env, enqueue, user):
    first = enqueue(func=ADD, payload={"a": 1, "b": 1}, user=user, idempotency_key="import:B0001")
    second = enqueue(func=ADD, payload={"a": 1, "b": 1}, user=user, idempotency_key="import:B0001")
    assert second.pk == first.pk
    assert Job.objects.count() == 1
    assert rq_job_ids() == [str(first.pk)]


def test_idempotency_key_is_per_user(jobs_env, enqueue, user, other_user):
    first = enqueue(func=ADD, payload={"a": 1, "b": 1}, user=user, idempotency_key="import:B0001")
    second = enqueue(func=ADD, payload={"a": 1, "b": 1}, user=other_user, idempotency_key="import:B0001")
    assert second.pk != first.pk


def test_system_jobs_share_idempotency_keys(jobs_env, enqueue):
    first = enqueue(func=ADD, payload={"a": 1, "b": 1}, idempotency_key="refresh:2026-11-23T09")
    second = enqueue(func=ADD, payload={"a": 1, "b": 1}, idempotency_key="refresh:2026-11-23T09")
    assert second.pk == first.pk


def test_job_stays_queued_for_the_reconciler_when_redis_refuses(jobs_env, enqueue, monkeypatch):
    def refuse(*args, **kwargs):
        raise RedisConnectionError("redis is down")

    monkeypatch.setattr(Queue, "enqueue_call", refuse)
    job = enqueue(func=ADD, payload={"a": 1, "b": 1})
    assert job.status == Job.Status.QUEUED
    assert job.enqueued_at is None


def test_inline_mode_runs_the_job_right_after_commit(db, enqueue, user, settings):
    settings.JOBS_INLINE = True
    job = enqueue(func=ADD, payload={"a": 4, "b": 5}, user=user)
    assert job.status == Job.Status.SUCCESS
    assert job.result["sum"] == 9


def test_inline_mode_records_failure_without_raising(db, enqueue, user, settings):
    settings.JOBS_INLINE = True
    job = enqueue(func=FAIL, payload={"message": "boom"}, user=user)
    assert job.status == Job.Status.FAILED
    assert job.error == "RuntimeError: boom"


def test_counter_counts_jobs_by_type_and_outcome(jobs_env, enqueue):
    labels = {"type": ADD, "outcome": "success"}
    before = REGISTRY.get_sample_value("dropship_jobs_total", labels) or 0
    enqueue(func=ADD, payload={"a": 1, "b": 1})
    run_worker()
    assert REGISTRY.get_sample_value("dropship_jobs_total", labels) == before + 1


def test_job_whose_function_disappeared_fails_without_retrying(jobs_env, db):
    job = Job.objects.create(type="tests.core_jobs.jobfuncs.renamed_since", payload={})
    job_run(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
    assert job.error.startswith("JobFunctionMissing: Cannot import job function")


def test_unserializable_result_fails_without_retrying(jobs_env, enqueue):
    job = enqueue(func="tests.core_jobs.jobfuncs.returns_object", payload={})
    run_worker()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
    assert job.error.startswith("UnserializableResult")


def test_finished_job_delivered_again_is_skipped(jobs_env, enqueue):
    job = enqueue(func=ADD, payload={"a": 1, "b": 1})
    run_worker()
    assert job_run(str(job.pk)) == {"job_id": str(job.pk), "status": "skipped"}
    job.refresh_from_db()
    assert job.attempts == 1
