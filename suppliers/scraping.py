"""What a scraper plugin uses to reach its supplier: one configured client pair per supplier per process.

Everything comes from the `Supplier` row: requests per minute and concurrency (both shared by every worker
through Redis; without Redis, concurrency is capped per process only), proxy rotation, and `config["http"]`:
`connect_timeout`, `read_timeout`, `max_attempts`, `backoff_initial`, `backoff_max`, `accept_language` and
extra `headers` (never the browser identity ones, which the impersonated profile owns).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from dropship_central.http import AsyncOutboundClient, ClientConfig, OutboundClient, ProxyProvider
from suppliers.models import Supplier
from suppliers.proxies import ProxyPool
from suppliers.ratelimit import (
    AsyncSupplierConcurrency,
    AsyncSupplierRateLimiter,
    SupplierConcurrency,
    SupplierRateLimiter,
)

CLIENT_TTL_SECONDS = 60.0
LEASE_MARGIN_SECONDS = 5.0


@dataclass
class SupplierHttp:
    """The sync and async clients for one supplier, sharing its proxy pool and Redis rate limit."""

    supplier: Supplier
    base_url: str
    client: OutboundClient
    pool: ProxyPool
    created_at: float = field(default_factory=time.monotonic)
    _async_client: AsyncOutboundClient | None = None

    @classmethod
    def for_supplier(cls, supplier: Supplier) -> SupplierHttp:
        pool = ProxyPool(supplier)
        config = _config(supplier)
        limiter = SupplierRateLimiter(supplier_slug=supplier.slug, requests_per_minute=supplier.requests_per_minute)
        concurrency = None
        if settings.REDIS_URL:
            concurrency = SupplierConcurrency(
                supplier_slug=supplier.slug, limit=supplier.concurrency, lease_seconds=_lease_seconds(config)
            )
        client = OutboundClient(config, proxies=pool, rate_limiter=limiter, concurrency=concurrency)
        return cls(supplier=supplier, base_url=supplier_base_url(supplier.slug), client=client, pool=pool)

    def async_client(self, *, proxies: ProxyProvider | None = None) -> AsyncOutboundClient:
        """A fresh async client (one per event loop); the caller closes it. `proxies` replaces the pool."""
        config = _config(self.supplier)
        limiter = AsyncSupplierRateLimiter(
            supplier_slug=self.supplier.slug, requests_per_minute=self.supplier.requests_per_minute
        )
        concurrency = None
        if settings.REDIS_URL:
            concurrency = AsyncSupplierConcurrency(
                supplier_slug=self.supplier.slug, limit=self.supplier.concurrency, lease_seconds=_lease_seconds(config)
            )
        return AsyncOutboundClient(
            config,
            proxies=proxies or self.pool,
            rate_limiter=limiter,
            concurrency=concurrency,
            max_clients=self.supplier.concurrency,
        )


def supplier_base_url(slug: str) -> str:
    """`<SLUG>_BASE_URL` from settings: every outbound base URL is a setting."""
    return str(getattr(settings, f"{slug.upper()}_BASE_URL", "")).rstrip("/")


def _config(supplier: Supplier) -> ClientConfig:
    options = supplier.config.get("http", {}) if isinstance(supplier.config, dict) else {}
    config = ClientConfig(target=supplier.slug)
    for name in ("connect_timeout", "read_timeout", "max_attempts", "backoff_initial", "backoff_max"):
        if name in options:
            setattr(config, name, type(getattr(config, name))(options[name]))
    if options.get("accept_language"):
        config.accept_language = str(options["accept_language"])
    if isinstance(options.get("headers"), dict):
        config.headers.update({str(k): str(v) for k, v in options["headers"].items()})
    return config


def _lease_seconds(config: ClientConfig) -> float:
    """curl gives up after connect + read timeout in total, so a live request never outlives its slot's lease."""
    return config.connect_timeout + config.read_timeout + LEASE_MARGIN_SECONDS


_cache: dict[str, SupplierHttp] = {}
_cache_lock = threading.Lock()


def supplier_http(slug: str) -> SupplierHttp:
    """The process-wide `SupplierHttp` for a supplier, rebuilt every minute so admin changes take effect."""
    with _cache_lock:
        cached = _cache.get(slug)
        if cached is not None and time.monotonic() - cached.created_at < CLIENT_TTL_SECONDS:
            return cached
        supplier = Supplier.objects.get(slug=slug)
        _cache[slug] = SupplierHttp.for_supplier(supplier)
        return _cache[slug]


def supplier_http_reset() -> None:
    with _cache_lock:
        _cache.clear()
