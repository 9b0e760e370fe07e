"""Expensive business results kept in `AnalyticsCache` per user and parameters.

No signal announces new `MarketplaceData`, so the key carries the user's data version (the newest `updated_at` of
their marketplace rows and their count, see `business_data_version`): a reconciliation that writes a row changes
the key, the old result is never read again and is dropped at the next store. `ANALYTICS_CACHE_TTL_SECONDS` bounds
how long a result lives even when nothing changes.
"""

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from analytics.business import business_data_version
from analytics.models import AnalyticsCache
from analytics.services import analytics_cache_store

DEFAULT_TTL_SECONDS = 300


def cache_ttl_seconds() -> int:
    return int(getattr(settings, "ANALYTICS_CACHE_TTL_SECONDS", DEFAULT_TTL_SECONDS))


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
