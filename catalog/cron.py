"""Periodic jobs of the catalog app, loaded by `dropship_central.cron` (see its docstring)."""

from __future__ import annotations

from rq import cron

from catalog.jobs import tracking_enqueue_due

TRACKING_TICK_SECONDS = 60


def register_cron_jobs() -> None:
    cron.register(tracking_enqueue_due, "default", interval=TRACKING_TICK_SECONDS, job_timeout=300, result_ttl=3600)
