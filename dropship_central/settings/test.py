"""The test suite: real PostgreSQL and Redis, overridable through DATABASE_URL and REDIS_URL."""

from .base import *
from .base import JOB_QUEUES, database_config, env

DATABASES = {"default": database_config(default="postgres://postgres@127.0.0.1:5432/dropship_central")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/9")
JOBS_INLINE = False
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in JOB_QUEUES}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
FIELD_ENCRYPTION_KEYS = ["dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=", "b2xkLWtleS1vbGQta2V5LW9sZC1rZXktb2xkLWtleTI="]
LOG_JSON = True
LOGGING = build_logging(level="WARNING", json=True)
# Static files are served by the runserver finders in tests; whitenoise has no collected folder to watch.
WHITENOISE_AUTOREFRESH = True
# Webhook tests deliver to a plain-HTTP loopback server; the URL checks are tested with this turned off.
WEBHOOKS_ALLOW_PRIVATE = True
