"""The one outbound HTTP client every plugin uses.

curl-cffi with browser impersonation (a rotating set of current Chrome, Safari and Edge fingerprints,
whose default headers match the chosen browser), connect and read timeouts, retries with exponential
backoff and jitter on transient failures (tenacity), an optional shared rate limiter, an optional
shared concurrency limiter (a slot is held only while a request is on the wire, never during backoff),
an optional proxy provider that picks a proxy per attempt and hears how it went, and Prometheus metrics
by target and outcome. Plugins never open sockets themselves.

Headers: the impersonated profile owns the browser identity (User-Agent, client hints, Accept-Encoding),
so those are dropped from configured and per-request headers; a fixed User-Agent beside a Chrome TLS
fingerprint is exactly what bot detection looks for. `ClientConfig.accept_language` (per supplier) is sent
unless a request sets its own.
"""

from __future__ import annotations

import codecs
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager, AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

import structlog
from asgiref.sync import sync_to_async
from curl_cffi import requests as curl_requests
from curl_cffi.requests import exceptions as curl_errors
from prometheus_client import Counter, Histogram
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

logger = structlog.get_logger(__name__)

IMPERSONATE_PROFILES: tuple[str, ...] = ("chrome146", "chrome145", "chrome142", "safari260", "safari184", "edge101")
RETRYABLE_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 524})
# Headers the impersonated browser profile sets; ours would contradict its TLS and HTTP/2 fingerprint.
PROFILE_HEADERS = frozenset({"user-agent", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "accept-encoding"})
DEFAULT_ACCEPT_LANGUAGE = "en-US,en;q=0.9"
# UTF-8 bodies are decoded in pieces of about this many bytes (see `response_text`).
DECODE_CHUNK_BYTES = 1 << 14

HTTP_REQUESTS = Counter(
    "dropship_outbound_requests_total", "Outbound HTTP requests by target and outcome", ["target", "outcome"]
)
HTTP_DURATION = Histogram(
    "dropship_outbound_request_seconds",
    "Outbound HTTP request duration by target",
    ["target"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)


class HttpError(Exception):
    """Base of the client's errors. `permanent` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, *, response: FetchResult | None = None, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.response = response
        self.retry_after = retry_after


class TransientHttpError(HttpError):
    """Timeout, connection failure, 429 or 5xx: worth another attempt, perhaps through another proxy."""


class PermanentHttpError(HttpError):
    permanent = True


@dataclass(frozen=True)
class FetchResult:
    status: int
    url: str
    text: str
    headers: Mapping[str, str]
    elapsed_ms: float
    proxy: str | None = None
    profile: str = ""

    def json(self) -> Any:
        import json

        return json.loads(self.text)


class ProxyLease(Protocol):
    """A proxy handed out for one attempt; it is told how the attempt went."""

    url: str | None

    def report(self, *, outcome: str, reason: str = "", elapsed_ms: float | None = None) -> None: ...


class ProxyProvider(Protocol):
    def acquire(self) -> ProxyLease: ...


@dataclass(frozen=True)
class StaticProxy:
    """Always the same proxy (or none); hears nothing back. For one-off checks."""

    url: str | None

    def acquire(self) -> StaticProxy:
        return self

    def report(self, *, outcome: str, reason: str = "", elapsed_ms: float | None = None) -> None:
        return None


class RateLimiter(Protocol):
    def acquire(self) -> None: ...


class AsyncRateLimiter(Protocol):
    async def acquire(self) -> None: ...


class ConcurrencyLimiter(Protocol):
    """Caps requests in flight to one target; `slot()` blocks until one is free and holds it while open."""

    def slot(self) -> AbstractContextManager[object]: ...


class AsyncConcurrencyLimiter(Protocol):
    def slot(self) -> AbstractAsyncContextManager[object]: ...

    async def aclose(self) -> None: ...


Validator = Callable[[FetchResult], None]


@dataclass
class ClientConfig:
    target: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_attempts: int = 3
    backoff_initial: float = 0.5
    backoff_max: float = 8.0
    max_retry_after: float = 60.0
    profiles: tuple[str, ...] = IMPERSONATE_PROFILES
    accept_language: str = DEFAULT_ACCEPT_LANGUAGE
    headers: dict[str, str] = field(default_factory=dict)
    # Off for URLs a customer supplies (webhooks): a redirect could lead past the address check to a private host.
    follow_redirects: bool = True
    # Off for calls that are not a browser's (webhooks): no profile, and `headers` are sent as given (User-Agent too).
    impersonate: bool = True
    # libcurl options for every request of the client, e.g. {CurlOpt.RESOLVE: ["host:443:203.0.113.7"]}.
    curl_options: dict[Any, Any] = field(default_factory=dict)

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


@dataclass
class _Request:
    method: str
    url: str
    headers: dict[str, str]
    params: Mapping[str, Any] | None
    json: Any
    data: Any
    profile: str
    proxy: str | None


class _Base:
    def __init__(self, config: ClientConfig, *, proxies: ProxyProvider | None = None) -> None:
        self.config = config
        self.proxies = proxies

    def _retry_kwargs(self) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(is_transient),
            "stop": stop_after_attempt(self.config.max_attempts),
            "wait": self._wait,
            "reraise": True,
            "before_sleep": self._log_retry,
        }

    def _wait(self, state: RetryCallState) -> float:
        backoff = wait_exponential_jitter(multiplier=self.config.backoff_initial, max=self.config.backoff_max)(state)
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None) or 0.0
        return max(backoff, min(retry_after, self.config.max_retry_after))

    def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        logger.info("outbound_retry", target=self.config.target, attempt=state.attempt_number, error=str(exc))

    def _build(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        params: Any,
        json: Any,
        data: Any,
        proxy: str | None,
    ) -> _Request:
        if not self.config.impersonate:
            return _Request(method, url, {**self.config.headers, **(headers or {})}, params, json, data, "", proxy)
        merged = browser_headers({**self.config.headers, **(headers or {})}, self.config.accept_language)
        profile = random.choice(self.config.profiles)  # noqa: S311  (fingerprint choice, not security)
        return _Request(method, url, merged, params, json, data, profile, proxy)

    def _classify(self, request: _Request, response: Any, elapsed_ms: float, validate: Validator | None) -> FetchResult:
        result = FetchResult(
            status=response.status_code,
            url=str(response.url),
            text=response_text(response),
            headers={k.lower(): v for k, v in response.headers.items()},
            elapsed_ms=elapsed_ms,
            proxy=request.proxy,
            profile=request.profile,
        )
        if result.status in RETRYABLE_STATUSES:
            raise TransientHttpError(
                f"{request.method} {request.url} answered {result.status}",
                response=result,
                retry_after=_retry_after(result.headers.get("retry-after")),
            )
        if validate is not None:
            validate(result)
        return result

    def _record(self, outcome: str, started: float) -> None:
        HTTP_REQUESTS.labels(self.config.target, outcome).inc()
        HTTP_DURATION.labels(self.config.target).observe(time.perf_counter() - started)


class OutboundClient(_Base):
    """Synchronous client. `fetch` returns the final response or raises an `HttpError` (or what `validate` raised)."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        proxies: ProxyProvider | None = None,
        rate_limiter: RateLimiter | None = None,
        concurrency: ConcurrencyLimiter | None = None,
    ) -> None:
        super().__init__(config, proxies=proxies)
        self.rate_limiter = rate_limiter
        self.concurrency = concurrency
        self._session = curl_requests.Session(curl_options=config.curl_options or None)

    def close(self) -> None:
        self._session.close()

    def get(self, url: str, **kwargs: Any) -> FetchResult:
        return self.fetch("GET", url, **kwargs)

    def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        validate: Validator | None = None,
    ) -> FetchResult:
        for attempt in Retrying(**self._retry_kwargs()):
            with attempt:
                return self._attempt(method, url, headers, params, json, data, validate)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        params: Any,
        json: Any,
        data: Any,
        validate: Validator | None,
    ) -> FetchResult:
        lease = self.proxies.acquire() if self.proxies else None
        request = self._build(method, url, headers, params, json, data, lease.url if lease else None)
        if self.rate_limiter:
            self.rate_limiter.acquire()
        slot = ExitStack()
        if self.concurrency:
            slot.enter_context(self.concurrency.slot())  # waits outside the try: nothing was sent, nothing to report
        started = time.perf_counter()
        outcome, reason = "success", ""
        try:
            with slot:
                response = self._session.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    params=request.params,
                    json=request.json,
                    data=request.data,
                    proxy=request.proxy,
                    impersonate=request.profile or None,  # type: ignore[arg-type]
                    timeout=self.config.timeout,
                    allow_redirects=self.config.follow_redirects,
                )
            return self._classify(request, response, (time.perf_counter() - started) * 1000, validate)
        except curl_errors.RequestException as exc:
            outcome, reason = _network_outcome(exc), str(exc)[:255]
            raise TransientHttpError(f"{method} {url} failed: {reason}") from exc
        except Exception as exc:
            outcome, reason = _error_outcome(exc), str(exc)[:255]
            raise
        finally:
            self._record(outcome, started)
            if lease is not None:
                lease.report(outcome=outcome, reason=reason, elapsed_ms=(time.perf_counter() - started) * 1000)


class AsyncOutboundClient(_Base):
    """Asynchronous client for fetching many pages concurrently from one worker process."""

    def __init__(
        self,
        config: ClientConfig,
        *,
        proxies: ProxyProvider | None = None,
        rate_limiter: AsyncRateLimiter | None = None,
        concurrency: AsyncConcurrencyLimiter | None = None,
        max_clients: int = 50,
    ) -> None:
        super().__init__(config, proxies=proxies)
        self.rate_limiter = rate_limiter
        self.concurrency = concurrency
        self._session = curl_requests.AsyncSession(max_clients=max_clients, curl_options=config.curl_options or None)

    async def close(self) -> None:
        await self._session.close()
        if self.concurrency is not None:
            await self.concurrency.aclose()

    async def get(self, url: str, **kwargs: Any) -> FetchResult:
        return await self.fetch("GET", url, **kwargs)

    async def fetch(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        validate: Validator | None = None,
    ) -> FetchResult:
        async for attempt in AsyncRetrying(**self._retry_kwargs()):
            with attempt:
                return await self._attempt(method, url, headers, params, json, data, validate)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _attempt(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        params: Any,
        json: Any,
        data: Any,
        validate: Validator | None,
    ) -> FetchResult:
        lease = await _maybe_async(self.proxies.acquire) if self.proxies else None
        request = self._build(method, url, headers, params, json, data, lease.url if lease else None)
        if self.rate_limiter:
            await self.rate_limiter.acquire()
        slot = AsyncExitStack()
        if self.concurrency:
            await slot.enter_async_context(self.concurrency.slot())
        started = time.perf_counter()
        outcome, reason = "success", ""
        try:
            async with slot:
                response = await self._session.request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    params=request.params,
                    json=request.json,
                    data=request.data,
                    proxy=request.proxy,
                    impersonate=request.profile or None,  # type: ignore[arg-type]
                    timeout=self.config.timeout,
                    allow_redirects=self.config.follow_redirects,
                )
            return self._classify(request, response, (time.perf_counter() - started) * 1000, validate)
        except curl_errors.RequestException as exc:
            outcome, reason = _network_outcome(exc), str(exc)[:255]
            raise TransientHttpError(f"{method} {url} failed: {reason}") from exc
        except Exception as exc:
            outcome, reason = _error_outcome(exc), str(exc)[:255]
            raise
        finally:
            self._record(outcome, started)
            if lease is not None:
                elapsed = (time.perf_counter() - started) * 1000
                await _maybe_async(lambda: lease.report(outcome=outcome, reason=reason, elapsed_ms=elapsed))


def browser_headers(headers: Mapping[str, str], accept_language: str) -> dict[str, str]:
    """`headers` without the ones the impersonated profile owns, with Accept-Language unless one is given."""
    kept = {name: value for name, value in headers.items() if name.lower() not in PROFILE_HEADERS}
    if accept_language and not any(name.lower() == "accept-language" for name in kept):
        kept["Accept-Language"] = accept_language
    return kept


def response_text(response: Any) -> str:
    """`response.text`, faster for the usual UTF-8 page: see `decode_utf8`."""
    try:
        utf8 = codecs.lookup(response.encoding).name == "utf-8"
    except LookupError:
        utf8 = False
    return decode_utf8(response.content) if utf8 and response.content else response.text


def decode_utf8(data: bytes, chunk: int = DECODE_CHUNK_BYTES) -> str:
    """`data.decode("utf-8", errors="replace")`, piece by piece: the same text, several times faster on big pages.

    Once a decoder meets one character past U+00FF (a private-use icon, say), it decodes all the rest of the
    page on its slow path; pieces without such a character stay on the fast ASCII path, and joining them is a
    copy. A piece never ends before a continuation byte, so no valid or invalid sequence is cut differently.
    """
    pieces = []
    start, size = 0, len(data)
    while start < size:
        end = min(start + chunk, size)
        while end < size and 0x80 <= data[end] < 0xC0:
            end += 1
        pieces.append(data[start:end].decode("utf-8", errors="replace"))
        start = end
    return "".join(pieces)


def is_transient(exc: BaseException) -> bool:
    """Transient HTTP failures, and any error that declares itself not permanent (a captcha page, say)."""
    return isinstance(exc, TransientHttpError) or getattr(exc, "permanent", None) is False


async def _maybe_async(func: Callable[[], Any]) -> Any:
    """Run a synchronous hook (which may touch the database) off the event loop."""
    result = await sync_to_async(func, thread_sensitive=True)()
    if isinstance(result, Awaitable):
        return await result
    return result


def _network_outcome(exc: Exception) -> str:
    if isinstance(exc, curl_errors.Timeout):
        return "timeout"
    if isinstance(exc, curl_errors.ProxyError):
        return "proxy_error"
    return "connection_error"


def _error_outcome(exc: Exception) -> str:
    if isinstance(exc, HttpError) and exc.response is not None:
        return f"http_{exc.response.status}" if exc.response.status >= 400 else "error"
    return str(getattr(exc, "kind", "") or "error")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
