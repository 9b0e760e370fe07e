"""Periodic jobs of the listings app, registered by `dropship_central.cron` through `register_cron_jobs()`."""

from rq import cron

from listings.jobs import listings_sync_sweep_run
from listings.reconcile_jobs import stores_reconcile_run

SYNC_SWEEP_EVERY_SECONDS = 300
RECONCILE_EVERY_SECONDS = 3600


def register_cron_jobs() -> None:
    cron.register(listings_sync_sweep_run, "sync", interval=SYNC_SWEEP_EVERY_SECONDS, job_timeout=600, result_ttl=3600)
    cron.register(stores_reconcile_run, "sync", interval=RECONCILE_EVERY_SECONDS, job_timeout=600, result_ttl=3600)
