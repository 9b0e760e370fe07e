"""The RQ cron schedule, loaded by `manage.py rqcron dropship_central.cron` (Makefile `cron`).

Extension point: an installed app adds periodic jobs by shipping a `cron.py` module that defines
`register_cron_jobs() -> None`, which calls `rq.cron.register(func, queue_name, interval=... | cron=...)`.
This module finds those through INSTALLED_APPS when the scheduler loads it, so core never imports the
apps that build on it. For example, in `catalog/cron.py`:

    from rq import cron

    from catalog.jobs import products_refresh_due

    def register_cron_jobs() -> None:
        cron.register(products_refresh_due, "scrape", cron="*/5 * * * *")

A registered function runs as a plain RQ job (no `Job` row); to get the ledger, retries and the jobs
API, let it call `job_enqueue`. Every registered function runs at least once per tick: keep it idempotent.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from rq import cron

from dropship_central.jobs import jobs_reconcile

CRON_MODULE = "cron"
CRON_HOOK = "register_cron_jobs"
RECONCILE_EVERY_SECONDS = 60


def register_core_jobs() -> None:
    cron.register(jobs_reconcile, "default", interval=RECONCILE_EVERY_SECONDS, job_timeout=300, result_ttl=3600)


def register_app_jobs() -> list[str]:
    """Call `register_cron_jobs()` of every installed app's `cron` module; return the apps that have one."""
    registered = []
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.{CRON_MODULE}"
        if module_name == __name__ or find_spec(module_name) is None:
            continue
        hook = getattr(import_module(module_name), CRON_HOOK, None)
        if callable(hook):
            hook()
            registered.append(app_config.name)
    return registered


register_core_jobs()
register_app_jobs()
