"""Periodic jobs of the suppliers app, loaded by `dropship_central.cron` (see its docstring)."""

from __future__ import annotations

from rq import cron

from suppliers.jobs import proxies_recheck

PROXY_RECHECK_EVERY_SECONDS = 300


def register_cron_jobs() -> None:
    cron.register(proxies_recheck, "default", interval=PROXY_RECHECK_EVERY_SECONDS, job_timeout=600, result_ttl=3600)
