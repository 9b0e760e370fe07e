"""Per-supplier request budgets live in Redis, so every worker shares them."""

import asyncio

from limits import RateLimitItemPerMinute

from suppliers.ratelimit import AsyncSupplierRateLimiter, SupplierRateLimiter


def test_budget_is_shared_between_limiter_instances(redis_conn):
    first = SupplierRateLimiter(supplier_slug="amazon", requests_per_minute=3)
    second = SupplierRateLimiter(supplier_slug="amazon", requests_per_minute=3)
    first.acquire()
    first.acquire()
    second.acquire()
    assert not second.limiter.test(RateLimitItemPerMinute(3), "supplier:amazon")


def test_budgets_are_per_supplier(redis_conn):
    amazon = SupplierRateLimiter(supplier_slug="amazon", requests_per_minute=1)
    uzum = SupplierRateLimiter(supplier_slug="uzum", requests_per_minute=1)
    amazon.acquire()
    uzum.acquire()
    assert not amazon.limiter.test(amazon.item, amazon.key)
    assert not uzum.limiter.test(uzum.item, uzum.key)


def test_the_budget_is_kept_in_redis(redis_conn):
    SupplierRateLimiter(supplier_slug="aliexpress", requests_per_minute=10).acquire()
    assert any(b"supplier:aliexpress" in key for key in redis_conn.keys("*"))


def test_async_limiter_shares_the_same_redis_budget(redis_conn):
    sync = SupplierRateLimiter(supplier_slug="amazon", requests_per_minute=2)

    async def take_one() -> None:
        await AsyncSupplierRateLimiter(supplier_slug="amazon", requests_per_minute=2).acquire()

    asyncio.run(take_one())
    sync.acquire()
    assert not sync.limiter.test(sync.item, sync.key)


def test_the_async_limiter_serves_more_concurrent_fetches_than_redis_py_default_pool(redis_conn):
    limiter = AsyncSupplierRateLimiter(supplier_slug="amazon", requests_per_minute=10_000)

    async def many() -> int:
        await asyncio.gather(*(limiter.acquire() for _ in range(300)))
        return (await limiter.limiter.get_window_stats(limiter.item, limiter.key)).remaining

    assert asyncio.run(many()) == 10_000 - 300
