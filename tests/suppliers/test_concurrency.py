"""Per-supplier concurrency: a Redis semaphore with expiring leases, shared by every client of the supplier."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dropship_central.http import ClientConfig, OutboundClient, TransientHttpError
from suppliers.ratelimit import AsyncSupplierConcurrency, SlotWaitTimeoutError, SupplierConcurrency
from suppliers.scraping import SupplierHttp
from tests.factories import SupplierFactory
from tests.loopback import Reply


def _workers(supplier, count: int) -> list[SupplierHttp]:
    """`count` independent clients of one supplier, as separate worker processes would build them."""
    https = [SupplierHttp.for_supplier(supplier) for _ in range(count)]
    for http in https:
        http.pool.acquire()  # loads the (empty) proxy list here, not from the threads below
    return https


@pytest.mark.django_db
def test_async_fetches_from_two_clients_never_exceed_the_suppliers_concurrency(loopback, redis_conn):
    supplier = SupplierFactory(concurrency=3, requests_per_minute=10_000)
    loopback.route("/slow", Reply(delay=0.3, body="x"))
    https = _workers(supplier, 2)

    async def fetch_all() -> list[str]:
        clients = [http.async_client() for http in https]
        try:
            fetches = [clients[i % 2].get(f"{loopback.url}/slow") for i in range(12)]
            return [result.text for result in await asyncio.gather(*fetches)]
        finally:
            await asyncio.gather(*(client.close() for client in clients))

    assert asyncio.run(fetch_all()) == ["x"] * 12
    assert 1 < loopback.max_in_flight <= 3


@pytest.mark.django_db
def test_sync_clients_in_many_threads_share_the_same_limit(loopback, redis_conn):
    supplier = SupplierFactory(concurrency=2, requests_per_minute=10_000)
    loopback.route("/slow", Reply(delay=0.2, body="x"))
    https = _workers(supplier, 2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        texts = list(pool.map(lambda i: https[i % 2].client.get(f"{loopback.url}/slow").text, range(8)))
    assert texts == ["x"] * 8
    assert 1 < loopback.max_in_flight <= 2


def test_a_crashed_workers_slot_frees_itself_when_its_lease_runs_out(redis_conn):
    limiter = SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=0.3)
    assert limiter.try_acquire() is not None  # never released: the worker died
    assert limiter.try_acquire() is None
    time.sleep(0.4)
    assert limiter.try_acquire() is not None


def test_waiting_for_a_slot_gives_up_with_a_transient_error(redis_conn):
    holder = SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=30)
    waiter = SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=30, max_wait=0.2)
    with holder.slot(), pytest.raises(SlotWaitTimeoutError), waiter.slot():
        pass
    assert isinstance(SlotWaitTimeoutError("x"), TransientHttpError)


def test_sync_and_async_limiters_count_the_same_slots(redis_conn):
    sync = SupplierConcurrency(supplier_slug="uzum", limit=1, lease_seconds=30)

    async def async_try() -> str | None:
        limiter = AsyncSupplierConcurrency(supplier_slug="uzum", limit=1, lease_seconds=30)
        try:
            return await limiter.try_acquire()
        finally:
            await limiter.aclose()

    with sync.slot():
        assert asyncio.run(async_try()) is None
    assert asyncio.run(async_try()) is not None


def test_slots_are_per_supplier(redis_conn):
    SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=30).try_acquire()
    assert SupplierConcurrency(supplier_slug="aliexpress", limit=1, lease_seconds=30).try_acquire() is not None


def test_a_failed_request_gives_its_slot_back(loopback, redis_conn):
    loopback.route("/", Reply(status=500, body="boom"))
    limiter = SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=30)
    config = ClientConfig(target="t", max_attempts=2, backoff_initial=0.01, backoff_max=0.02)
    client = OutboundClient(config, concurrency=limiter)
    with pytest.raises(TransientHttpError):
        client.get(f"{loopback.url}/")
    assert loopback.hits["/"] == 2
    assert limiter.in_flight() == 0


def test_a_slot_is_held_only_while_the_request_is_on_the_wire(loopback, redis_conn):
    limiter = SupplierConcurrency(supplier_slug="amazon", limit=1, lease_seconds=30)
    seen: list[int] = []

    def handler(request):
        seen.append(limiter.in_flight())
        return Reply(body="ok")

    loopback.route("/", handler)
    OutboundClient(ClientConfig(target="t"), concurrency=limiter).get(f"{loopback.url}/")
    assert seen == [1]
    assert limiter.in_flight() == 0


def test_only_as_many_callers_in_a_process_as_there_are_slots_poll_redis(redis_conn):
    other_worker = SupplierConcurrency(supplier_slug="amazon", limit=2, lease_seconds=0.3)
    other_worker.try_acquire()
    other_worker.try_acquire()  # both slots taken elsewhere until the leases run out
    limiter = AsyncSupplierConcurrency(supplier_slug="amazon", limit=2, lease_seconds=30)
    polling = {"now": 0, "most": 0}
    wait_for_token = limiter._wait_for_token

    async def counted() -> str:
        polling["now"] += 1
        polling["most"] = max(polling["most"], polling["now"])
        try:
            return await wait_for_token()
        finally:
            polling["now"] -= 1

    limiter._wait_for_token = counted

    async def use_slot() -> None:
        async with limiter.slot():
            await asyncio.sleep(0.01)

    async def run() -> None:
        try:
            await asyncio.gather(*(use_slot() for _ in range(20)))
        finally:
            await limiter.aclose()

    asyncio.run(run())
    assert polling["most"] == 2
