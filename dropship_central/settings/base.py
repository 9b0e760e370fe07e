"""Settings shared by every environment. Values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-secret-key-change-me-0123456789abcdef")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "django_rq",
    "django_prometheus",
    "allauth",
    "allauth.account",
]
LOCAL_APPS = [
    "dropship_central.apps.CoreConfig",
    "accounts",
    "suppliers",
    "catalog",
    "marketplaces",
    "listings",
    "alerts",
    "analytics",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dropship_central.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "dropship_central.urls"
WSGI_APPLICATION = "dropship_central.wsgi.application"
SITE_ID = 1

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "dropship_central" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_config(var: str = "DATABASE_URL", **default: str) -> dict[str, Any]:
    """The database URL in `var` as Django settings. On PostgreSQL, JIT compilation is off unless DATABASE_JIT is
    set: the planner costs the analytics statements high enough to compile them, and compiling took longer than
    running (85 ms of a 160 ms statement)."""
    config: dict[str, Any] = env.db(var, **default)
    if config["ENGINE"] == "django.db.backends.postgresql" and not env.bool("DATABASE_JIT", default=False):
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return config


DATABASES = {"default": database_config(default="postgres://postgres@127.0.0.1:5432/dropship_central")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

# django-allauth: email is the login, verified before the account is trusted.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = BASE_DIR / "media"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Dropship Central <noreply@localhost>")

# --- Encryption at rest (store-account secrets, proxy credentials) ---------------------------
# A comma-separated list of Fernet keys; the first encrypts, all decrypt, so keys can rotate.
FIELD_ENCRYPTION_KEYS: list[str] = env.list(
    "FIELD_ENCRYPTION_KEYS", default=["ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtaW4tcHJvZCE="]
)

# --- Redis, RQ and background jobs ------------------------------------------------------------
REDIS_URL: str | None = env("REDIS_URL", default=None)
# Without Redis, jobs run in-process right after the transaction commits (the embedded default).
JOBS_INLINE: bool = env.bool("JOBS_INLINE", default=REDIS_URL is None)
JOB_QUEUES = ("default", "scrape", "sync", "notify")
RQ_QUEUES = {name: {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600} for name in JOB_QUEUES}
RQ = {"COMMIT_MODE": "on_db_commit", "WORKER_CLASS": "dropship_central.worker.JobWorker"}
RQ_SHOW_ADMIN_LINK = True
# How fast a dead worker's job is noticed (see dropship_central/worker.py): its execution expires
# RQ_JOB_MONITORING_INTERVAL + 60 s after the last heartbeat, and abandoned executions are swept every
# RQ_MAINTENANCE_INTERVAL s by workers and every minute by the reconciler, so it is retried or failed within 3 min.
RQ_WORKER_TTL = env.int("RQ_WORKER_TTL", default=60)
RQ_JOB_MONITORING_INTERVAL = env.int("RQ_JOB_MONITORING_INTERVAL", default=15)
RQ_MAINTENANCE_INTERVAL = env.int("RQ_MAINTENANCE_INTERVAL", default=60)
JOB_MAX_RETRIES = env.int("JOB_MAX_RETRIES", default=3)
JOB_RETRY_INTERVALS: list[int] = [10, 60, 300]
# A job recorded but not started after this many seconds is enqueued again by the reconciler.
JOB_RECONCILE_AFTER_SECONDS = env.int("JOB_RECONCILE_AFTER_SECONDS", default=120)
# Waiting product imports of one supplier that one import job claims and fetches concurrently.
IMPORT_BATCH_SIZE = env.int("IMPORT_BATCH_SIZE", default=64)

# --- Tracking (catalog/schedule.py, catalog/tracking.py) ----------------------------------------
# Check intervals in seconds by the best tier among a product's trackers: `base` for a new product, then
# halved on every change and stretched by TRACKING_QUIET_FACTOR while it stays the same, within min..max.
TRACKING_TIERS: dict[str, dict[str, int]] = {
    "free": {"base": 6 * 3600, "min": 3600, "max": 24 * 3600},
    "pro": {"base": 3600, "min": 15 * 60, "max": 6 * 3600},
    "enterprise": {"base": 15 * 60, "min": 5 * 60, "max": 2 * 3600},
}
TRACKING_CHANGED_FACTOR = 0.5
TRACKING_QUIET_FACTOR = 1.25
# A product with an open listing is never checked less often than this share of its tier's base interval.
TRACKING_LISTED_MAX_FACTOR = 0.5
# Every next check lands at interval x (1 +/- jitter), so products imported together drift apart.
TRACKING_JITTER = 0.2
# Products one tracking job claims and fetches concurrently, and how long its claim holds them.
TRACKING_BATCH_SIZE = env.int("TRACKING_BATCH_SIZE", default=500)
TRACKING_CLAIM_SECONDS = env.int("TRACKING_CLAIM_SECONDS", default=240)
# Tracking jobs of one supplier waiting or running at once (the cron tick tops the queue up to this).
TRACKING_MAX_PENDING_BATCHES = env.int("TRACKING_MAX_PENDING_BATCHES", default=8)
# Data-quality guard: readings this implausible are held and re-checked through another proxy.
TRACKING_SUSPECT_PRICE_DROP = 0.9
TRACKING_SUSPECT_PRICE_RISE = 10
TRACKING_SUSPECT_RECHECK_SECONDS = 300
# Tests only: lets webhooks go to plain-http, private and loopback addresses (a loopback test receiver).
WEBHOOKS_ALLOW_PRIVATE = False

# --- Marketplace sync (listings/sync.py) -------------------------------------------------------
# Price moves under max(percent of the pushed price, min) are not pushed; quantity moves of at most
# SYNC_QUANTITY_DEADBAND units are not pushed unless they cross 0.
SYNC_PRICE_DEADBAND_PERCENT = env.float("SYNC_PRICE_DEADBAND_PERCENT", default=0.5)
SYNC_PRICE_DEADBAND_MIN = env.float("SYNC_PRICE_DEADBAND_MIN", default=0.01)
SYNC_QUANTITY_DEADBAND = env.int("SYNC_QUANTITY_DEADBAND", default=0)
# Consecutive push failures before a listing is flagged and left alone until a forced sync.
SYNC_MAX_FAILURES = env.int("SYNC_MAX_FAILURES", default=5)
# eBay revisions left today below which price drops and quantity changes wait for tomorrow.
SYNC_REVISION_RESERVE = env.int("SYNC_REVISION_RESERVE", default=20)
# Listings one sync worker claims at a time, and how long its claim holds them.
SYNC_CLAIM_BATCH = env.int("SYNC_CLAIM_BATCH", default=500)
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", default=300)

# --- Plugins ----------------------------------------------------------------------------------
SCRAPER_ENTRY_POINT_GROUP = "dropship_central.scrapers"
MARKETPLACE_ENTRY_POINT_GROUP = "dropship_central.marketplaces"
PLUGINS_EXCLUDE: list[str] = env.list("PLUGINS_EXCLUDE", default=[])
# Dotted class paths loaded instead of the entry points when set (tests swap the registries this way).
SCRAPER_PLUGINS: list[str] | None = None
MARKETPLACE_PLUGINS: list[str] | None = None

# --- Outbound base URLs (every supplier and marketplace is reachable only through these) ------
AMAZON_BASE_URL = env("AMAZON_BASE_URL", default="https://www.amazon.com")
ALIEXPRESS_BASE_URL = env("ALIEXPRESS_BASE_URL", default="https://www.aliexpress.com")
UZUM_BASE_URL = env("UZUM_BASE_URL", default="https://api.uzum.uz/api")
UZUM_GRAPHQL_URL = env("UZUM_GRAPHQL_URL", default="https://graphql.uzum.uz")
# The product API carries no currency; a Supplier row's config {"currency": "RUB"} overrides this (KazanExpress).
UZUM_CURRENCY = env("UZUM_CURRENCY", default="UZS")
# Marketplace research collection, comma-separated: `<supplier>:tree:<minutes>`, `<supplier>:category:<id>:<minutes>`,
# `<supplier>:shop:<id>:<minutes>` (see analytics.collection).
COLLECT_SCHEDULE: list[str] = env.list("COLLECT_SCHEDULE", default=[])
# At most this many products per listing per run (unset: the whole listing).
COLLECT_LISTING_LIMIT: int | None = env.int("COLLECT_LISTING_LIMIT", default=None)
EBAY_BASE_URL = env("EBAY_BASE_URL", default="https://api.ebay.com")
EBAY_AUTH_BASE_URL = env("EBAY_AUTH_BASE_URL", default="https://auth.ebay.com")
EBAY_SANDBOX_BASE_URL = env("EBAY_SANDBOX_BASE_URL", default="https://api.sandbox.ebay.com")
EBAY_SANDBOX_AUTH_BASE_URL = env("EBAY_SANDBOX_AUTH_BASE_URL", default="https://auth.sandbox.ebay.com")
# eBay OAuth: how long a consent link's signed `state` stays valid, and how early an access token is refreshed.
EBAY_OAUTH_STATE_MAX_AGE = env.int("EBAY_OAUTH_STATE_MAX_AGE", default=600)
EBAY_TOKEN_REFRESH_MARGIN = env.int("EBAY_TOKEN_REFRESH_MARGIN", default=300)
# Outbound client options for eBay (dropship_central.http.ClientConfig fields).
EBAY_HTTP: dict[str, float] = {"connect_timeout": 5.0, "read_timeout": 20.0, "max_attempts": 3, "backoff_initial": 0.5}
SHOPIFY_BASE_URL = env("SHOPIFY_BASE_URL", default="https://{shop}")
SHOPIFY_API_VERSION = env("SHOPIFY_API_VERSION", default="2025-01")
# Shopify OAuth install (the platform's Shopify app). Empty: only custom-app access tokens connect.
SHOPIFY_CLIENT_ID = env("SHOPIFY_CLIENT_ID", default="")
SHOPIFY_CLIENT_SECRET = env("SHOPIFY_CLIENT_SECRET", default="")
SHOPIFY_SCOPES = env(
    "SHOPIFY_SCOPES",
    default="read_products,write_products,read_inventory,write_inventory,read_locations,read_orders",
)
SHOPIFY_REDIRECT_URI = env("SHOPIFY_REDIRECT_URI", default="")
# Outbound client options for Shopify's OAuth endpoints (dropship_central.http.ClientConfig fields).
SHOPIFY_HTTP: dict[str, float] = {
    "connect_timeout": 5.0,
    "read_timeout": 20.0,
    "max_attempts": 3,
    "backoff_initial": 0.5,
}

# --- Tiers and quotas -------------------------------------------------------------------------
TIER_QUOTAS: dict[str, dict[str, int]] = {
    "free": {"tracked_products": 25, "listings": 10, "store_accounts": 1},
    "pro": {"tracked_products": 1000, "listings": 500, "store_accounts": 5},
    "enterprise": {"tracked_products": 100000, "listings": 50000, "store_accounts": 50},
}

# --- Pricing (listings/pricing.py) -------------------------------------------------------------
# "SRC/TGT": units of TGT per 1 SRC, as a decimal string; the inverse pair is used when only it is set.
# A cost in a currency with no configured rate is refused, never priced at a guessed rate.
FX_RATES: dict[str, str] = env.dict("FX_RATES", default={})
# A new price more than this % below the current one is held for a human instead of applied.
PRICING_MAX_DROP_PERCENT = env("PRICING_MAX_DROP_PERCENT", default="30")
# Applying a rule to more listings than this runs as a background job.
PRICING_APPLY_INLINE_LIMIT = env.int("PRICING_APPLY_INLINE_LIMIT", default=100)
# On-demand policy evaluations over more products than this run as a job (202) instead of in the request.
POLICY_EVALUATE_INLINE_LIMIT = env.int("POLICY_EVALUATE_INLINE_LIMIT", default=200)
# Seconds a computed analytics dashboard is reused (new marketplace data replaces it sooner; 0: no cache).
ANALYTICS_CACHE_TTL_SECONDS = env.int("ANALYTICS_CACHE_TTL_SECONDS", default=300)

# --- REST API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
        "accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dropship_central.api.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dropship_central.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "dropship_central.api.throttling.TierRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("THROTTLE_ANON", default="60/min"),
        "free": env("THROTTLE_FREE", default="120/min"),
        "pro": env("THROTTLE_PRO", default="600/min"),
        "enterprise": env("THROTTLE_ENTERPRISE", default="3000/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "SIGNING_KEY": env("JWT_SIGNING_KEY", default=SECRET_KEY),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dropship Central API",
    "DESCRIPTION": "Import supplier products, track them, list them on marketplaces and act on changes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status` (and two a severity) field: name each choice set once.
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "dropship_central.models.Job.Status",
        "StoreAccountStatusEnum": "marketplaces.models.StoreAccount.Status",
        "ListingStatusEnum": "listings.models.Listing.Status",
        "NotificationStatusEnum": "alerts.models.Notification.Status",
        "SeverityEnum": "alerts.models.Severity",
    },
}

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

PROMETHEUS_EXPORT_MIGRATIONS = False

from dropship_central.logging_config import build_logging

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOG_JSON = env.bool("LOG_JSON", default=True)
LOGGING = build_logging(level=LOG_LEVEL, json=LOG_JSON)

# --- Proxy pool -----------------------------------------------------------------------------------
PROXIES_REQUIRED = env.bool("PROXIES_REQUIRED", default=False)
PROXY_QUARANTINE_BELOW = env.int("PROXY_QUARANTINE_BELOW", default=30)
PROXY_QUARANTINE_SECONDS = env.int("PROXY_QUARANTINE_SECONDS", default=900)
PROXY_CHECK_URL = env("PROXY_CHECK_URL", default="https://www.amazon.com/robots.txt")
