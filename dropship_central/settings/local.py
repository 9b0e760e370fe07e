"""The embedded default for `make run`: SQLite, in-process jobs unless REDIS_URL is set."""

from .base import *
from .base import BASE_DIR, database_config, env

DEBUG = env.bool("DEBUG", default=True)
DATABASES = {"default": database_config(default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="optional")
LOG_JSON = env.bool("LOG_JSON", default=False)
LOGGING = build_logging(level=LOG_LEVEL, json=LOG_JSON)
