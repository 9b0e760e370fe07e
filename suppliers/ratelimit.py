"""Requests-per-minute limits per supplier, shared by every worker through Redis (the `limits` library)."""

from __future__ import annotations

import asyncio
import time
from functools import lru_cache

from django.conf import settings
from limits import RateLimitItemPerMinute
from limits import storage as sync_storage
from limits import strategies as sync_strategies
from limits.aio import strategies as async_strategies

MAX_WAIT_SECONDS = 0.5


def _storage_uri(*, asynchronous: bool) -> str:
    if settings.REDIS_URL:
        return ("async+" if asynchronous else "") + settings.REDIS_URL
    return "async+memory://" if asynchronous else "memory://"


@lru_cache(maxsize=2)
def _sync_limiter(uri: str) -> sync_strategies.MovingWindowRateLimiter:
    return sync_strategies.MovingWindowRateLimiter(sync_storage.storage_from_string(uri))


class SupplierRateLimiter:
    """Blocks until one more request to the supplier fits in its per-minute budget."""

    def __init__(self, *, supplier_slug: str, requests_per_minute: int) -> None:
        self.key = f"supplier:{supplier_slug}"
        self.item = RateLimitItemPerMinute(requests_per_minute)
        self.limiter = _sync_limiter(_storage_uri(asynchronous=False))

    def acquire(self) -> None:
        while not self.limiter.hit(self.item, self.key):
            reset_at = self.limiter.get_window_stats(self.item, self.key).reset_time
            time.sleep(min(max(reset_at - time.time(), 0.01), MAX_WAIT_SECONDS))


class AsyncSupplierRateLimiter:
    """The asynchronous twin of `SupplierRateLimiter`, for the concurrent fetchers."""

    def __init__(self, *, supplier_slug: str, requests_per_minute: int) -> None:
        self.key = f"supplier:{supplier_slug}"
        self.item = RateLimitItemPerMinute(requests_per_minute)
        uri = _storage_uri(asynchronous=True)
        options = {"implementation": "redispy"} if uri.startswith("async+redis") else {}
        self.limiter = async_strategies.MovingWindowRateLimiter(sync_storage.storage_from_string(uri, **options))

    async def acquire(self) -> None:
        while not await self.limiter.hit(self.item, self.key):
            stats = await self.limiter.get_window_stats(self.item, self.key)
            await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.01), MAX_WAIT_SECONDS))
