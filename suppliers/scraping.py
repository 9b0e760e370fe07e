"""What a scraper plugin uses to reach its supplier: one configured client pair per supplier per process."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.conf import settings

from dropship_central.http import AsyncOutboundClient, ClientConfig, OutboundClient
from suppliers.models import Supplier
from suppliers.proxies import ProxyPool
from suppliers.ratelimit import AsyncSupplierRateLimiter, SupplierRateLimiter

CLIENT_TTL_SECONDS = 60.0


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
        limiter = SupplierRateLimiter(supplier_slug=supplier.slug, requests_per_minute=supplier.requests_per_minute)
        client = OutboundClient(_config(supplier), proxies=pool, rate_limiter=limiter)
        return cls(supplier=supplier, base_url=supplier_base_url(supplier.slug), client=client, pool=pool)

    def async_client(self) -> AsyncOutboundClient:
        """A fresh async client (one per event loop); the caller closes it."""
        limiter = AsyncSupplierRateLimiter(
            supplier_slug=self.supplier.slug, requests_per_minute=self.supplier.requests_per_minute
        )
        return AsyncOutboundClient(
            _config(self.supplier), proxies=self.pool, rate_limiter=limiter, max_clients=self.supplier.concurrency
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
    if isinstance(options.get("headers"), dict):
        config.headers.update({str(k): str(v) for k, v in options["headers"].items()})
    return config


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
