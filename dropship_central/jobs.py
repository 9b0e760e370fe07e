"""Background work: the `Job` ledger in PostgreSQL, delivered by RQ.

How to run work in the background: call `job_enqueue(func="app.jobs.some_function", payload={...})` from a
service. The job function is a plain function `f(**payload) -> JSON-able result`; it takes ids, loads,
calls one service. Raise an exception carrying `permanent = True` for failures that retrying cannot fix
(bad credentials, product gone); any other exception is retried with RQ's `Retry` and backoff.

Delivery is at least once: a worker may die after the work but before recording it, and the reconciler
enqueues again whatever Redis lost. So every job function MUST be idempotent.

Nothing is lost between the database and Redis: the `Job` row is committed first, the RQ job is enqueued
after commit, and `jobs_reconcile` (every minute through RQ cron) enqueues again any job that PostgreSQL
says is waiting but Redis does not hold, and recovers running jobs whose worker died.
"""

import json
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import django_rq
import structlog
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from prometheus_client import Counter
from redis import Redis
from redis.exceptions import RedisError
from rq import Callback, Queue, Retry, get_current_job
from rq.exceptions import AbandonedJobError, NoSuchJobError
from rq.executions import Execution
from rq.job import Job as RQJob
from rq.job import JobStatus

from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record
from dropship_central.models import AuditLog, Job

logger = structlog.get_logger("dropship_central.jobs")

JOBS_TOTAL = Counter("dropship_jobs", "Background job attempts finished, by job type and outcome.", ["type", "outcome"])

WAITING = (Job.Status.QUEUED, Job.Status.RETRYING)
# RQ states in which a delivery of the job is still pending or in progress.
RQ_PENDING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.STARTED})
TRACEBACK_LIMIT = 8000
RECONCILE_BATCH = 500
WORKER_LOST = "Worker lost while running the job."
# `rq_job_id` of a job claimed by another job's batch: its own RQ delivery must not take it back.
BATCH_PREFIX = "batch:"

_current_job: ContextVar[Job | None] = ContextVar("current_job", default=None)


class JobFunctionMissing(ImportError):
    """The job's function cannot be imported (renamed or removed since it was enqueued)."""

    permanent = True


class UnserializableResult(TypeError):
    """The job function returned something JSON cannot hold; running it again would not change that."""

    permanent = True


# --- Services ------------------------------------------------------------------------------------


def job_enqueue(
    *,
    func: str,
    payload: dict[str, Any] | None = None,
    user: Any = None,
    queue: str = "default",
    idempotency_key: str | None = None,
    max_attempts: int | None = None,
) -> Job:
    """Record a job and enqueue it once the surrounding transaction commits (never if it rolls back).

    The same `(user, idempotency_key)` returns the job already recorded instead of a new one.
    """
    _validate(func=func, queue=queue)
    attempts = settings.JOB_MAX_RETRIES + 1 if max_attempts is None else max_attempts
    if attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    with transaction.atomic():
        try:
            with transaction.atomic():
                job = Job.objects.create(
                    user=user,
                    type=func,
                    queue=queue,
                    payload=payload or {},
                    idempotency_key=idempotency_key,
                    max_attempts=attempts,
                )
        except IntegrityError:
            if idempotency_key is None:
                raise
            return Job.objects.get(user=user, idempotency_key=idempotency_key)
        _dispatch_on_commit(job.pk)
    return job


def job_retry(*, job: Job, actor: Any = None, request: HttpRequest | None = None) -> Job:
    """Run a FAILED job again with a fresh attempt budget; its last error stays until the next outcome."""
    with transaction.atomic():
        reset = Job.objects.filter(pk=job.pk, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED,
            attempts=0,
            started_at=None,
            finished_at=None,
            enqueued_at=None,
            updated_at=timezone.now(),
        )
        if not reset:
            raise ServiceError("Only a failed job can be retried.", code="job_not_retryable", status_code=409)
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=job,
            changes={"status": [Job.Status.FAILED.value, Job.Status.QUEUED.value]},
            request=request,
            message="job retried",
        )
        _dispatch_on_commit(job.pk)
    job.refresh_from_db()
    return job


def jobs_reconcile(*, at: datetime | None = None) -> dict[str, int]:
    """Make Redis agree with the ledger. Runs every minute through RQ cron; safe to run concurrently.

    1. Sweeps every queue's `StartedJobRegistry`, so executions of dead workers are retried or failed
       (the failure callback below records that on the `Job`).
    2. Enqueues again jobs waiting longer than JOB_RECONCILE_AFTER_SECONDS that Redis does not hold.
    3. Re-queues (or fails, when out of attempts) running jobs that no live RQ execution backs.

    `at` is the moment to reconcile as of (tests pass a later time instead of sleeping).
    """
    now = at or timezone.now()
    for name in settings.JOB_QUEUES:
        _queue(name).started_job_registry.cleanup(timestamp=now.timestamp())
    cutoff = now - timedelta(seconds=settings.JOB_RECONCILE_AFTER_SECONDS)
    counts = {"requeued": _requeue_lost(cutoff=cutoff, now=now), "recovered": _recover_running(cutoff=cutoff, now=now)}
    if any(counts.values()):
        logger.warning("jobs_reconciled", **counts)
    return counts


# --- Worker side ---------------------------------------------------------------------------------


def job_run(job_id: str) -> dict[str, Any]:
    """The RQ callable for every `Job`: claim it, run its function, record the outcome.

    Re-raises the job's error under RQ, so RQ's `Retry` schedules the next attempt (or fails the RQ job);
    the ledger decides first and tells RQ not to retry permanent errors or exhausted jobs.
    """
    rq_job = get_current_job()
    job = _claim(job_id, rq_job)
    if job is None:
        logger.info("job_skipped", job_id=job_id, reason="not claimable")
        return {"job_id": job_id, "status": "skipped"}
    with structlog.contextvars.bound_contextvars(job_id=job_id, job_type=job.type, user_id=job.user_id):
        logger.info("job_started", attempt=job.attempts, max_attempts=job.max_attempts)
        started = time.perf_counter()
        try:
            with _running(job):
                result = _json_safe(_resolve(job.type)(**job.payload))
        except Exception as exc:
            status = _record_failure(job, exc, rq_job, started=started)
            if rq_job is None:
                return {"job_id": job_id, "status": status}
            raise
        _record_success(job, result, started=started)
    return {"job_id": job_id, "status": Job.Status.SUCCESS.value}


def job_failure_callback(
    rq_job: RQJob, connection: Redis, exc_type: type[BaseException] | None, exc_value: Any, tb: Any
) -> None:
    """RQ failure callback. `job_run` records the errors it sees; this records a worker's death."""
    if exc_type is None or not issubclass(exc_type, AbandonedJobError):
        return
    try:
        _record_abandoned(rq_job)
    finally:
        # Called in the worker's main process during registry cleanup: never hand an open
        # database connection down to the work horses it forks next.
        if not db_connection.in_atomic_block:
            db_connection.close()


def job_current() -> Job | None:
    """The `Job` whose function is running in this context (None outside `job_run`)."""
    return _current_job.get()


def jobs_claim_batch(*, holder: Job, payload_match: dict[str, Any], limit: int) -> list[Job]:
    """Claim up to `limit` QUEUED jobs of `holder`'s type whose payload contains `payload_match`, for `holder`
    to run in one batch (oldest first). Safe with many workers: each job goes to exactly one batch.

    The claimed jobs are RUNNING with one more attempt, and their pending RQ deliveries are dropped (a delivery
    that was already started finds them held by the batch and does nothing). The holder records each one's
    outcome with `job_record_outcome`; if the holder dies, the reconciler recovers them like any lost job.
    """
    if limit < 1:
        return []
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(
                type=holder.type,
                status=Job.Status.QUEUED,
                attempts__lt=F("max_attempts"),
                payload__contains=payload_match,
            )
            .exclude(pk=holder.pk)
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Job.objects.filter(pk__in=ids).update(
            status=Job.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=now,
            finished_at=None,
            updated_at=now,
            rq_job_id=f"{BATCH_PREFIX}{holder.pk}",
        )
        claimed = list(Job.objects.filter(pk__in=ids).order_by("created_at"))
    _drop_deliveries(claimed)
    return claimed


def job_record_outcome(*, job: Job, result: Any = None, error: Exception | None = None) -> str:
    """Record the outcome of a job claimed by `jobs_claim_batch`, as `job_run` would for its own job.

    A transient error with attempts left makes the job RETRYING and delivers it again after the retry
    interval (once the surrounding transaction commits); a permanent one, or the last attempt, fails it.
    Returns the recorded status, or "" when another attempt took the job over meanwhile.
    """
    if error is None:
        recorded = _finish_attempt(
            job,
            status=Job.Status.SUCCESS,
            result=_json_safe(result),
            error="",
            error_traceback="",
            finished_at=timezone.now(),
        )
        JOBS_TOTAL.labels(type=job.type, outcome="success").inc()
        return Job.Status.SUCCESS.value if recorded else ""
    permanent = getattr(error, "permanent", False) is True
    will_retry = not permanent and job.attempts < job.max_attempts and not settings.JOBS_INLINE
    status = Job.Status.RETRYING if will_retry else Job.Status.FAILED
    recorded = _finish_attempt(
        job,
        status=status,
        error=f"{type(error).__name__}: {error}"[:TRACEBACK_LIMIT],
        error_traceback="".join(traceback.format_exception(error, limit=-8))[-TRACEBACK_LIMIT:],
        finished_at=None if will_retry else timezone.now(),
    )
    JOBS_TOTAL.labels(type=job.type, outcome="retrying" if will_retry else "failed").inc()
    logger.warning(
        "job_failed", job_id=str(job.pk), attempt=job.attempts, error=str(error), will_retry=will_retry, batch=True
    )
    if not recorded:
        return ""
    if will_retry:
        delay = _retry_interval(job.attempts)
        transaction.on_commit(partial(_redeliver, job.pk, delay))
    return status.value


# --- Internals -----------------------------------------------------------------------------------


@contextmanager
def _running(job: Job) -> Iterator[None]:
    token = _current_job.set(job)
    try:
        yield
    finally:
        _current_job.reset(token)


def _drop_deliveries(jobs: list[Job]) -> None:
    """Delete the RQ deliveries still waiting in a queue for jobs a batch took over."""
    if settings.JOBS_INLINE or not jobs:
        return
    queue = _queue(jobs[0].queue)
    try:
        for rq_job in RQJob.fetch_many([str(job.pk) for job in jobs], connection=queue.connection):
            if rq_job is not None and rq_job.get_status(refresh=False) == JobStatus.QUEUED:
                rq_job.delete(remove_from_queue=True)
    except RedisError:
        # Left behind, such a delivery finds its job held by the batch (or finished) and does nothing.
        logger.exception("job_batch_drop_failed", count=len(jobs))


def _retry_interval(attempt: int) -> int:
    intervals = settings.JOB_RETRY_INTERVALS
    return int(intervals[min(attempt, len(intervals)) - 1]) if intervals else 0


def _redeliver(job_id: UUID, delay: int) -> None:
    job = Job.objects.filter(pk=job_id, status=Job.Status.RETRYING).first()
    if job is None:
        return
    try:
        _enqueue_rq(job, delay=delay)
    except RedisError:
        logger.exception("job_enqueue_failed", job_id=str(job_id), job_type=job.type)


def _validate(*, func: str, queue: str) -> None:
    if queue not in settings.JOB_QUEUES:
        raise ValueError(f"Unknown job queue {queue!r}; use one of {settings.JOB_QUEUES}")
    if not callable(import_string(func)):
        raise ValueError(f"{func} is not callable")


def _resolve(func: str) -> Any:
    try:
        return import_string(func)
    except ImportError as exc:
        raise JobFunctionMissing(f"Cannot import job function {func}: {exc}") from exc


def _dispatch_on_commit(job_id: UUID) -> None:
    transaction.on_commit(partial(_dispatch, job_id))


def _dispatch(job_id: UUID) -> None:
    if settings.JOBS_INLINE:
        job_run(str(job_id))
        return
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        _enqueue_rq(job)
    except RedisError:
        # The row stays QUEUED; the reconciler enqueues it once Redis answers again.
        logger.exception("job_enqueue_failed", job_id=str(job_id), job_type=job.type)


_QUEUES: dict[tuple[str, str], Queue] = {}


def _queue(name: str) -> Queue:
    """The RQ queue, one per process and configuration: `django_rq.get_queue` opens a new Redis connection pool
    on every call, which cost a connection per enqueue."""
    key = (name, json.dumps(settings.RQ_QUEUES.get(name), sort_keys=True, default=str))
    queue = _QUEUES.get(key)
    if queue is None:
        queue = _QUEUES[key] = django_rq.get_queue(name, commit_mode="auto")
    return queue


def _enqueue_rq(job: Job, *, delay: int = 0) -> None:
    """Enqueue a fresh RQ job (id = the Job's id) carrying the job's remaining retry budget."""
    queue = _queue(job.queue)
    stale = _fetch_rq_job(str(job.pk), queue.connection)
    if stale is not None:
        stale.delete()
    retries = job.max_attempts - job.attempts - 1
    options: dict[str, Any] = {
        "job_id": str(job.pk),
        "description": job.type,
        "retry": Retry(max=retries, interval=settings.JOB_RETRY_INTERVALS) if retries > 0 else None,
        "on_failure": Callback(job_failure_callback),
    }
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), job_run, str(job.pk), **options)
    else:
        queue.enqueue_call(func=job_run, args=(str(job.pk),), **options)
    Job.objects.filter(pk=job.pk).update(rq_job_id=str(job.pk), enqueued_at=timezone.now())


def _fetch_rq_job(rq_job_id: str, connection: Redis) -> RQJob | None:
    try:
        return RQJob.fetch(rq_job_id, connection=connection)
    except NoSuchJobError:
        return None


def _claim(job_id: str, rq_job: RQJob | None) -> Job | None:
    """Atomically move the job to RUNNING: from QUEUED or RETRYING, or from RUNNING when the attempt
    that claimed it is dead (no execution of this RQ job other than the current one is alive)."""
    claimable = Q(status__in=WAITING)
    if rq_job is not None and _live_executions(rq_job) <= 1:
        claimable |= Q(status=Job.Status.RUNNING) & ~Q(rq_job_id__startswith=BATCH_PREFIX)
    now = timezone.now()
    claimed = Job.objects.filter(claimable, pk=job_id, attempts__lt=F("max_attempts")).update(
        status=Job.Status.RUNNING, attempts=F("attempts") + 1, started_at=now, finished_at=None, updated_at=now
    )
    return Job.objects.get(pk=job_id) if claimed else None


def _live_executions(rq_job: RQJob) -> int:
    """Executions of this RQ job whose worker still heartbeats. A dead worker's execution hash expires
    before its registry entry does, so ids alone over-count (and fetching them raises)."""
    ids = rq_job.execution_registry.get_execution_ids()
    return sum(
        bool(rq_job.connection.exists(Execution(execution_id, rq_job.id, rq_job.connection).key))
        for execution_id in ids
    )


def _record_success(job: Job, result: Any, *, started: float) -> None:
    duration_ms = _elapsed_ms(started)
    recorded = _finish_attempt(
        job, status=Job.Status.SUCCESS, result=result, error="", error_traceback="", finished_at=timezone.now()
    )
    JOBS_TOTAL.labels(type=job.type, outcome="success").inc()
    logger.info("job_succeeded", attempt=job.attempts, duration_ms=duration_ms, recorded=recorded)


def _record_failure(job: Job, exc: Exception, rq_job: RQJob | None, *, started: float) -> str:
    duration_ms = _elapsed_ms(started)
    permanent = getattr(exc, "permanent", False) is True
    will_retry = _rq_will_retry(job, rq_job, permanent=permanent)
    status = Job.Status.RETRYING if will_retry else Job.Status.FAILED
    _finish_attempt(
        job,
        status=status,
        error=f"{type(exc).__name__}: {exc}"[:TRACEBACK_LIMIT],
        error_traceback="".join(traceback.format_exception(exc, limit=-8))[-TRACEBACK_LIMIT:],
        finished_at=None if will_retry else timezone.now(),
    )
    outcome = "retrying" if will_retry else "failed"
    JOBS_TOTAL.labels(type=job.type, outcome=outcome).inc()
    logger.warning(
        "job_failed",
        attempt=job.attempts,
        duration_ms=duration_ms,
        error=f"{type(exc).__name__}: {exc}",
        permanent=permanent,
        will_retry=will_retry,
    )
    return status.value


def _record_abandoned(rq_job: RQJob) -> None:
    job = Job.objects.filter(pk=rq_job.id, status=Job.Status.RUNNING).first()
    if job is None:
        return
    will_retry = _rq_will_retry(job, rq_job)
    status = Job.Status.RETRYING if will_retry else Job.Status.FAILED
    _finish_attempt(
        job,
        status=status,
        error=f"AbandonedJobError: {WORKER_LOST}",
        error_traceback="",
        finished_at=None if will_retry else timezone.now(),
    )
    JOBS_TOTAL.labels(type=job.type, outcome="retrying" if will_retry else "failed").inc()
    logger.warning("job_abandoned", job_id=str(job.pk), job_type=job.type, attempt=job.attempts, will_retry=will_retry)


def _rq_will_retry(job: Job, rq_job: RQJob | None, *, permanent: bool = False) -> bool:
    """Whether RQ delivers this job again; when the ledger says no, RQ's own Retry is switched off."""
    will_retry = not permanent and rq_job is not None and bool(rq_job.retries_left) and job.attempts < job.max_attempts
    if rq_job is not None and not will_retry:
        rq_job.retries_left = 0
    return will_retry


def _finish_attempt(job: Job, **fields: Any) -> bool:
    """Record the outcome of the attempt `job` holds, unless another attempt took the job over since."""
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(
            updated_at=timezone.now(), **fields
        )
    )


def _requeue_lost(*, cutoff: datetime, now: datetime) -> int:
    waiting = (
        Job.objects.filter(status__in=WAITING)
        .annotate(waiting_since=Coalesce("enqueued_at", "created_at"))
        .filter(waiting_since__lt=cutoff)
        .order_by("waiting_since")[:RECONCILE_BATCH]
    )
    requeued = 0
    for job in waiting:
        if _rq_pending(job):
            continue
        # Claim the re-enqueue so concurrent reconcilers enqueue it once.
        if Job.objects.filter(pk=job.pk, status=job.status, enqueued_at=job.enqueued_at).update(enqueued_at=now):
            requeued += _safe_enqueue(job)
    return requeued


def _recover_running(*, cutoff: datetime, now: datetime) -> int:
    recovered = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=cutoff)[:RECONCILE_BATCH]:
        if _rq_pending(job, now=now):
            continue
        out_of_attempts = job.attempts >= job.max_attempts
        if not _finish_attempt(
            job,
            status=Job.Status.FAILED if out_of_attempts else Job.Status.QUEUED,
            error=WORKER_LOST,
            error_traceback="",
            finished_at=now if out_of_attempts else None,
            enqueued_at=now,
        ):
            continue
        recovered += 1
        JOBS_TOTAL.labels(type=job.type, outcome="failed" if out_of_attempts else "requeued").inc()
        logger.warning("job_recovered", job_id=str(job.pk), job_type=job.type, failed=out_of_attempts)
        if not out_of_attempts:
            _safe_enqueue(job)
    return recovered


def _rq_pending(job: Job, *, now: datetime | None = None) -> bool:
    """Whether Redis still holds a delivery of this job that will run, or is running it within its timeout."""
    queue = _queue(job.queue)
    rq_job = _fetch_rq_job(str(job.pk), queue.connection)
    if rq_job is None or rq_job.get_status(refresh=False) not in RQ_PENDING:
        return False
    if rq_job.get_status(refresh=False) != JobStatus.STARTED or now is None or job.started_at is None:
        return True
    # RQ's worker kills a job at its timeout; one "running" well past it has no live worker.
    timeout = rq_job.timeout or queue.DEFAULT_TIMEOUT
    return job.started_at > now - timedelta(seconds=timeout + 120)


def _safe_enqueue(job: Job) -> int:
    job.refresh_from_db()
    try:
        _enqueue_rq(job)
    except RedisError:
        logger.exception("job_enqueue_failed", job_id=str(job.pk), job_type=job.type)
        return 0
    return 1


def _json_safe(result: Any) -> Any:
    try:
        return json.loads(json.dumps(result, cls=DjangoJSONEncoder))
    except (TypeError, ValueError) as exc:
        raise UnserializableResult(f"The job's result is not JSON-serializable: {exc}") from exc


def _elapsed_ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
