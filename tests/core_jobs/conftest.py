from collections.abc import Callable

import django_rq
import pytest
from django.conf import settings
from rq import SimpleWorker

from dropship_central.models import Job


def run_worker() -> None:
    """A real RQ worker over every job queue, in this process, until the queues are empty."""
    queues = [django_rq.get_queue(name) for name in settings.JOB_QUEUES]
    SimpleWorker(queues, connection=queues[0].connection).work(burst=True)


def rq_job_ids(name: str = "default") -> list[str]:
    return django_rq.get_queue(name).get_job_ids()


@pytest.fixture
def jobs_env(redis_conn, settings):
    """Real Redis (emptied), RQ delivery, retries without waiting."""
    settings.JOBS_INLINE = False
    settings.JOB_RETRY_INTERVALS = [0]
    return redis_conn


@pytest.fixture
def enqueue(db, django_capture_on_commit_callbacks) -> Callable[..., Job]:
    """`job_enqueue` inside the test transaction, with its on-commit dispatch run as a commit would."""
    from dropship_central.jobs import job_enqueue

    def _enqueue(**kwargs) -> Job:
        with django_capture_on_commit_callbacks(execute=True):
            job = job_enqueue(**kwargs)
        job.refresh_from_db()
        return job

    return _enqueue
