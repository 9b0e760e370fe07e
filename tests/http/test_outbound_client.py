"""The shared outbound client against a real loopback server."""

import asyncio
from dataclasses import dataclass, field

import pytest
from prometheus_client import REGISTRY

from dropship_central.http import (
    AsyncOutboundClient,
    ClientConfig,
    FetchResult,
    OutboundClient,
    TransientHttpError,
)
from suppliers.plugins.base import CaptchaError, ProductNotFoundError
from tests.loopback import Reply


def _client(**overrides) -> OutboundClient:
    config = ClientConfig(target="test", backoff_initial=0.01, backoff_max=0.05, read_timeout=2, **overrides)
    return OutboundClient(config)


@dataclass
class FakeLease:
    url: str | None
    reports: list = field(default_factory=list)

    def report(self, *, outcome: str, reason: str = "", elapsed_ms: float | None = None) -> None:
        self.reports.append(outcome)


@dataclass
class RotatingProxies:
    leases: list = field(default_factory=list)

    def acquire(self) -> FakeLease:
        lease = FakeLease(url=None)
        self.leases.append(lease)
        return lease


def test_returns_the_page_with_status_headers_and_text(loopback):
    loopback.route("/dp/B0", Reply(body="<html>ok</html>", headers={"X-Test": "1"}))
    result = _client().get(f"{loopback.url}/dp/B0")
    assert result.status == 200
    assert result.text == "<html>ok</html>"
    assert result.headers["x-test"] == "1"
    assert result.profile


def test_sends_browser_headers_of_the_impersonated_profile(loopback):
    loopback.route("/", Reply(body="ok"))
    _client(profiles=("chrome146",)).get(f"{loopback.url}/")
    headers = loopback.requests[0].headers
    assert "Chrome/146" in headers["user-agent"]
    assert headers["accept-language"].startswith("en-US")


def test_retries_a_503_then_succeeds(loopback):
    loopback.route("/", Reply(status=503, body="busy"), Reply(body="fine"))
    assert _client().get(f"{loopback.url}/").text == "fine"
    assert loopback.hits["/"] == 2


def test_gives_up_after_max_attempts_keeping_the_last_response(loopback):
    loopback.route("/", Reply(status=500, body="boom"))
    with pytest.raises(TransientHttpError) as info:
        _client(max_attempts=3).get(f"{loopback.url}/")
    assert loopback.hits["/"] == 3
    assert info.value.response.status == 500
    assert info.value.response.text == "boom"


def test_a_404_is_returned_not_retried(loopback):
    result = _client().get(f"{loopback.url}/missing")
    assert result.status == 404
    assert loopback.hits["/missing"] == 1


def test_a_read_timeout_is_transient_and_retried(loopback):
    loopback.route("/", Reply(delay=1.5, body="late"), Reply(body="fast"))
    config = ClientConfig(target="test", connect_timeout=0.2, read_timeout=0.3, backoff_initial=0.01, backoff_max=0.02)
    client = OutboundClient(config)
    assert client.get(f"{loopback.url}/").text == "fast"


def test_a_dropped_connection_is_transient(loopback):
    loopback.route("/", Reply(drop=True))
    with pytest.raises(TransientHttpError, match="failed"):
        _client(max_attempts=2).get(f"{loopback.url}/")
    assert loopback.hits["/"] == 2


def test_429_waits_at_least_retry_after(loopback):
    loopback.route("/", Reply(status=429, headers={"Retry-After": "0.3"}), Reply(body="ok"))
    client = _client()
    import time

    started = time.perf_counter()
    assert client.get(f"{loopback.url}/").text == "ok"
    assert time.perf_counter() - started >= 0.3


def test_a_validator_raising_a_transient_block_retries_with_a_new_proxy_and_reports_it(loopback):
    loopback.route("/", Reply(body="captcha"), Reply(body="product"))

    def validate(result: FetchResult) -> None:
        if result.text == "captcha":
            raise CaptchaError("captcha page")

    proxies = RotatingProxies()
    client = OutboundClient(ClientConfig(target="test", backoff_initial=0.01, backoff_max=0.02), proxies=proxies)
    assert client.get(f"{loopback.url}/", validate=validate).text == "product"
    assert [lease.reports for lease in proxies.leases] == [["captcha"], ["success"]]


def test_a_permanent_validator_error_is_not_retried(loopback):
    loopback.route("/", Reply(body="gone"))

    def validate(result: FetchResult) -> None:
        raise ProductNotFoundError("gone")

    with pytest.raises(ProductNotFoundError):
        _client().get(f"{loopback.url}/", validate=validate)
    assert loopback.hits["/"] == 1


def test_counts_requests_by_target_and_outcome(loopback):
    loopback.route("/", Reply(status=503), Reply(body="ok"))
    before_ok = REGISTRY.get_sample_value(
        "dropship_outbound_requests_total", {"target": "metrics", "outcome": "success"}
    )
    _client_for = OutboundClient(ClientConfig(target="metrics", backoff_initial=0.01, backoff_max=0.02))
    _client_for.get(f"{loopback.url}/")
    assert (
        REGISTRY.get_sample_value("dropship_outbound_requests_total", {"target": "metrics", "outcome": "http_503"}) >= 1
    )
    after_ok = REGISTRY.get_sample_value(
        "dropship_outbound_requests_total", {"target": "metrics", "outcome": "success"}
    )
    assert after_ok == (before_ok or 0) + 1


def test_async_client_fetches_concurrently(loopback):
    loopback.route("/slow", Reply(delay=0.3, body="x"))

    async def fetch_all() -> list[FetchResult]:
        client = AsyncOutboundClient(ClientConfig(target="async"))
        try:
            return await asyncio.gather(*(client.get(f"{loopback.url}/slow") for _ in range(20)))
        finally:
            await client.close()

    results = asyncio.run(fetch_all())
    assert [r.text for r in results] == ["x"] * 20
    assert loopback.max_in_flight >= 10


def test_async_client_retries_transient_failures(loopback):
    loopback.route("/", Reply(status=502), Reply(body="ok"))

    async def fetch() -> FetchResult:
        client = AsyncOutboundClient(ClientConfig(target="async", backoff_initial=0.01, backoff_max=0.02))
        try:
            return await client.get(f"{loopback.url}/")
        finally:
            await client.close()

    assert asyncio.run(fetch()).text == "ok"
