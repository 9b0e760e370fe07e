"""Periodic jobs of the alerts app, registered by `dropship_central.cron` through `register_cron_jobs()`."""

from rq import cron

from alerts.jobs import digests_enqueue

DIGEST_CRON = "0 7 * * *"  # daily at 07:00 UTC


def register_cron_jobs() -> None:
    cron.register(digests_enqueue, "notify", cron=DIGEST_CRON, job_timeout=600, result_ttl=86400)
