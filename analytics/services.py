"""Analytics writes: the results cache."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from analytics.models import AnalyticsCache


@transaction.atomic
def analytics_cache_store(
    *, user: User, kind: str, key: str, params: dict[str, Any], version: str, data: dict[str, Any], ttl: int
) -> AnalyticsCache:
    """Keep `data` under `key` for `ttl` seconds; drop the user's results of this kind that are stale or expired."""
    now = timezone.now()
    AnalyticsCache.objects.filter(user=user, kind=kind).exclude(key=key).filter(
        ~Q(params__data_version=version) | Q(expires_at__lte=now)
    ).delete()
    entry, _ = AnalyticsCache.objects.update_or_create(
        key=key,
        defaults={
            "user": user,
            "scope": f"user:{user.pk}",
            "kind": kind,
            "params": {**params, "data_version": version},
            "data": data,
            "expires_at": now + timedelta(seconds=ttl),
        },
    )
    return entry
