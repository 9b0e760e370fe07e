"""Periodic jobs of the analytics app, loaded by `dropship_central.cron` (see its docstring)."""

from __future__ import annotations

from rq import cron

from analytics.jobs import collect_enqueue_due

COLLECT_TICK_SECONDS = 60


def register_cron_jobs() -> None:
    cron.register(collect_enqueue_due, "default", interval=COLLECT_TICK_SECONDS, job_timeout=300, result_ttl=3600)
