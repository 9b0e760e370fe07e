"""The RQ worker class every `rqworker` uses (settings `RQ["WORKER_CLASS"]`).

rq 3 notices a dead worker through its executions: each running job has an entry in the queue's
`StartedJobRegistry` that the worker's heartbeat pushes forward every `job_monitoring_interval` seconds
(to now + interval + 60). When the worker is killed the entry expires, and the next
`StartedJobRegistry.cleanup()` (run by any worker's maintenance and by the job reconciler) calls the job's
failure callback with `AbandonedJobError`, then retries it through its `Retry` or moves it to the failed
registry. These settings keep that whole path under three minutes.
"""

from typing import Any

from django.conf import settings
from rq import Worker


class JobWorker(Worker):
    """rq's forking worker with short heartbeats. A `--worker-ttl` above `RQ_WORKER_TTL` is capped to it."""

    def __init__(self, *args: Any, worker_ttl: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("job_monitoring_interval", settings.RQ_JOB_MONITORING_INTERVAL)
        kwargs.setdefault("maintenance_interval", settings.RQ_MAINTENANCE_INTERVAL)
        ttl = min(worker_ttl or settings.RQ_WORKER_TTL, settings.RQ_WORKER_TTL)
        super().__init__(*args, worker_ttl=ttl, **kwargs)
