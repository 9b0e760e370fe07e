"""Expensive business results kept in `AnalyticsCache` per user and parameters, with a TTL.

Invalidation happens in the writer's transaction: the trigger on `listings_marketplacedata` (analytics migration
0002) deletes the user's cached rows and bumps their `BusinessDataVersion` whenever any of their marketplace rows
is inserted, updated or deleted. The results' other inputs (price decisions, the listings' audited pauses and zeroed
quantities, rule names) bump it too, one statement per write, from the receivers in `analytics.receivers`; their
stale rows go when a newer result is stored or expire. The version is also part of the key, so a result computed
while new data was being committed is stored under the old version and never served. `ANALYTICS_CACHE_TTL_SECONDS`
bounds how long a result lives even when nothing changes; expired rows are purged in batches whenever a result is
stored.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from analytics.models import AnalyticsCache, BusinessDataVersion
from analytics.services import analytics_cache_store

DEFAULT_TTL_SECONDS = 300

# One upsert of a user's version row, spelt alike on PostgreSQL and SQLite (`WHERE` keeps SQLite's parser sure
# that `ON CONFLICT` belongs to the INSERT).
_BUMP_USER_SQL = "INSERT INTO analytics_businessdataversion (user_id, version, changed_at) SELECT %s, 1, %s WHERE 1 = 1"
_BUMP_LISTING_SQL = (
    "INSERT INTO analytics_businessdataversion (user_id, version, changed_at) "
    "SELECT user_id, 1, %s FROM listings_listing WHERE id = %s"
)
_BUMP_UPSERT_SQL = (
    " ON CONFLICT (user_id) DO UPDATE SET version = analytics_businessdataversion.version + 1,"
    " changed_at = excluded.changed_at"
)


def cache_ttl_seconds() -> int:
    return int(getattr(settings, "ANALYTICS_CACHE_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def business_data_version(*, user: User) -> str:
    """Changes, in the same transaction, whenever any of the user's `MarketplaceData` rows, price decisions, listing
    pauses or zeroed quantities, or pricing rules do."""
    version = BusinessDataVersion.objects.filter(user=user).values_list("version", flat=True).first()
    return str(version or 0)


def business_data_version_bump(*, user_id: int) -> None:
    """Invalidate the user's cached results, in the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_USER_SQL + _BUMP_UPSERT_SQL, [user_id, _now()])


def business_data_version_bump_for_listing(*, listing_id: int) -> None:
    """Invalidate the cached results of the listing's owner, in the current transaction (nothing if it is gone)."""
    with connection.cursor() as cursor:
        cursor.execute(_BUMP_LISTING_SQL + _BUMP_UPSERT_SQL, [_now(), listing_id])


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


def analytics_cache_key(*, user: User, kind: str, params: dict[str, Any], version: str) -> str:
    digest = hashlib.sha256(json.dumps([params, version], sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:u{user.pk}:{digest[:40]}"


def analytics_cached(
    *, user: User, kind: str, params: dict[str, Any], compute: Callable[[], dict[str, Any]]
) -> tuple[dict[str, Any], bool]:
    """The cached result for the user's current data, else `compute()` stored; and whether it was a hit."""
    version = business_data_version(user=user)
    key = analytics_cache_key(user=user, kind=kind, params=params, version=version)
    hit = AnalyticsCache.objects.filter(key=key, expires_at__gt=timezone.now()).values_list("data", flat=True)
    for data in hit:
        return data, True
    data = compute()
    ttl = cache_ttl_seconds()
    if ttl > 0:
        analytics_cache_store(user=user, kind=kind, key=key, params=params, version=version, data=data, ttl=ttl)
    return data, False
