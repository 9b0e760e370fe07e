"""Per-supplier limits shared by every worker through Redis.

Requests per minute: a moving window (the `limits` library). Concurrency: a semaphore whose slots are leases
in a Redis sorted set (member = a random token, score = when the lease runs out). Taking a slot first drops
expired leases, so a worker that crashed while holding one blocks nobody for longer than the lease; a lease
is as long as the longest request the client allows (connect + read timeout, which curl enforces as a total)
plus a margin, so a live request never outlives its lease.

Within one process a local semaphore of the same size sits in front of Redis: at most `limit` callers poll
Redis for a slot, the rest wait without cost, and a slot freed here goes straight to a waiter here.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import lru_cache
from uuid import uuid4

from django.conf import settings
from limits import RateLimitItemPerMinute
from limits import storage as sync_storage
from limits import strategies as sync_strategies
from limits.aio import strategies as async_strategies
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from dropship_central.http import TransientHttpError

MAX_WAIT_SECONDS = 0.5
ASYNC_REDIS_MAX_CONNECTIONS = 1024
SLOT_POLL_SECONDS = (0.01, 0.05)
SLOT_MAX_WAIT_SECONDS = 120.0
# KEYS[1] the slot set; ARGV: limit, lease seconds, token. Redis's own clock, so workers' clocks may differ.
TAKE_SLOT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
return 1
"""
COUNT_SLOTS = """
local now = redis.call('TIME')
return redis.call('ZCOUNT', KEYS[1], '(' .. (tonumber(now[1]) + tonumber(now[2]) / 1000000), '+inf')
"""


class SlotWaitTimeoutError(TransientHttpError):
    """Every concurrency slot of the supplier stayed taken for the whole wait."""


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
        # redis-py's async pool holds 100 connections unless told otherwise, and every concurrent fetch takes one here.
        options = (
            {"implementation": "redispy", "max_connections": ASYNC_REDIS_MAX_CONNECTIONS}
            if uri.startswith("async+redis")
            else {}
        )
        self.limiter = async_strategies.MovingWindowRateLimiter(sync_storage.storage_from_string(uri, **options))

    async def acquire(self) -> None:
        while not await self.limiter.hit(self.item, self.key):
            stats = await self.limiter.get_window_stats(self.item, self.key)
            await asyncio.sleep(min(max(stats.reset_time - time.time(), 0.01), MAX_WAIT_SECONDS))


def slots_key(supplier_slug: str) -> str:
    return f"supplier:{supplier_slug}:in_flight"


@lru_cache(maxsize=4)
def _redis(url: str) -> Redis:
    return Redis.from_url(url)


class SupplierConcurrency:
    """At most `limit` requests in flight to one supplier across every worker; `slot()` waits for one."""

    def __init__(
        self,
        *,
        supplier_slug: str,
        limit: int,
        lease_seconds: float,
        max_wait: float = SLOT_MAX_WAIT_SECONDS,
        redis_url: str | None = None,
    ) -> None:
        self.key = slots_key(supplier_slug)
        self.limit = limit
        self.lease_seconds = lease_seconds
        self.max_wait = max_wait
        self.redis = _redis(redis_url or settings.REDIS_URL)
        self._take = self.redis.register_script(TAKE_SLOT)
        self._count = self.redis.register_script(COUNT_SLOTS)
        self._gate = threading.BoundedSemaphore(limit)

    def try_acquire(self) -> str | None:
        """A slot's token, or None when every slot is taken."""
        token = uuid4().hex
        return token if self._take(keys=[self.key], args=[self.limit, self.lease_seconds, token]) else None

    def release(self, token: str) -> None:
        self.redis.zrem(self.key, token)

    def in_flight(self) -> int:
        return int(self._count(keys=[self.key]))

    @contextmanager
    def slot(self) -> Iterator[str]:
        with self._gate:
            token = self._wait_for_token()
            try:
                yield token
            finally:
                self.release(token)

    def _wait_for_token(self) -> str:
        deadline = time.monotonic() + self.max_wait
        while (token := self.try_acquire()) is None:
            if time.monotonic() >= deadline:
                raise SlotWaitTimeoutError(f"No free slot among {self.limit} for {self.key} in {self.max_wait:.0f}s")
            time.sleep(random.uniform(*SLOT_POLL_SECONDS))  # noqa: S311  (jitter)
        return token


class AsyncSupplierConcurrency:
    """The asynchronous twin of `SupplierConcurrency` (same Redis keys): one per event loop; `aclose()` it."""

    def __init__(
        self,
        *,
        supplier_slug: str,
        limit: int,
        lease_seconds: float,
        max_wait: float = SLOT_MAX_WAIT_SECONDS,
        redis_url: str | None = None,
    ) -> None:
        self.key = slots_key(supplier_slug)
        self.limit = limit
        self.lease_seconds = lease_seconds
        self.max_wait = max_wait
        # Every caller past the local gate may hold one connection, and releases run beside new takes.
        self.redis = AsyncRedis.from_url(redis_url or settings.REDIS_URL, max_connections=2 * limit + 8)
        self._take = self.redis.register_script(TAKE_SLOT)
        self._gate = asyncio.Semaphore(limit)

    async def try_acquire(self) -> str | None:
        token = uuid4().hex
        return token if await self._take(keys=[self.key], args=[self.limit, self.lease_seconds, token]) else None

    async def release(self, token: str) -> None:
        await self.redis.zrem(self.key, token)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[str]:
        async with self._gate:
            token = await self._wait_for_token()
            try:
                yield token
            finally:
                await self.release(token)

    async def _wait_for_token(self) -> str:
        deadline = time.monotonic() + self.max_wait
        while (token := await self.try_acquire()) is None:
            if time.monotonic() >= deadline:
                raise SlotWaitTimeoutError(f"No free slot among {self.limit} for {self.key} in {self.max_wait:.0f}s")
            await asyncio.sleep(random.uniform(*SLOT_POLL_SECONDS))  # noqa: S311  (jitter)
        return token

    async def aclose(self) -> None:
        await self.redis.aclose()
