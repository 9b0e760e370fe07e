"""A stand-in app `cron` module: proves an app adds periodic jobs without touching core."""

from rq import cron

from tests.core_jobs.jobfuncs import add


def register_cron_jobs() -> None:
    cron.register(add, "default", kwargs={"a": 1, "b": 2}, interval=300)
