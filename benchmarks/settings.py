"""Settings for benchmarks: production-like (DEBUG off), on a PostgreSQL database of their own.

The runner creates `BENCH_DATABASE_NAME` (default `dc_bench`) on the server of `DATABASE_URL` through Django's
test-database utilities and drops it afterwards, so the development database is never touched.
"""

from dropship_central.logging_config import build_logging
from dropship_central.settings.base import *  # noqa: F403  (everything else as in base)
from dropship_central.settings.base import JOB_QUEUES, database_config, env

DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost"]
DATABASES = {
    "default": database_config(
        "BENCH_DATABASE_URL", default=env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/dropship_central")
    )
}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env("BENCH_DATABASE_NAME", default="dc_bench")}
# Jobs that services enqueue go to a Redis database of their own; the runner empties these queues after a run.
REDIS_URL = env("BENCH_REDIS_URL", default="redis://127.0.0.1:6379/15")
JOBS_INLINE = False
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in JOB_QUEUES}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = build_logging(level="ERROR", json=True)
