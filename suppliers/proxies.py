"""Proxy choice for the outbound client: weighted by health, rotated every N requests, quarantined when sick.

A failed attempt (captcha, block page, timeout, dropped connection) lowers the proxy's score and makes the
next attempt pick another proxy; quarantined proxies are left out until `suppliers.jobs.proxies_recheck`
(RQ cron, `suppliers/cron.py`) finds them working again.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from suppliers import services
from suppliers.models import Proxy, Supplier
from suppliers.plugins.base import TransientScraperError

CANDIDATE_CACHE_SECONDS = 30.0


class NoProxyAvailableError(TransientScraperError):
    kind = "no_proxy"


@dataclass
class ProxyLeaseImpl:
    """One attempt's proxy (or `url=None` for a direct connection)."""

    pool: ProxyPool
    proxy_id: int | None
    url: str | None

    def report(self, *, outcome: str, reason: str = "", elapsed_ms: float | None = None) -> None:
        if self.proxy_id is None:
            return
        if outcome == "success":
            services.proxy_record_success(proxy_id=self.proxy_id)
        else:
            services.proxy_record_failure(proxy_id=self.proxy_id, outcome=outcome, reason=reason)
            self.pool.rotate(avoid=self.proxy_id)


class ProxyPool:
    """Hands out proxies for one supplier in this process. Thread-safe; state is per process by design."""

    def __init__(self, supplier: Supplier) -> None:
        self.supplier = supplier
        self.required = supplier.require_proxy or settings.PROXIES_REQUIRED
        self._lock = threading.Lock()
        self._candidates: list[tuple[int, str, int]] = []
        self._loaded_at = 0.0
        self._current: tuple[int, str, int] | None = None
        self._uses = 0
        self._avoid: int | None = None

    def acquire(self) -> ProxyLeaseImpl:
        """The proxy for one attempt: the current one until it has served `rotate_proxy_every` requests."""
        with self._lock:
            if self._current is None or self._uses >= max(self.supplier.rotate_proxy_every, 1):
                avoid = self._avoid if self._current is None else self._current[0]
                self._current = self._pick(avoid=avoid)
                self._uses = 0
                self._avoid = None
            self._uses += 1
            current = self._current
        if current is None:
            if self.required:
                raise NoProxyAvailableError(f"No healthy proxy for {self.supplier.slug} and proxies are required.")
            return ProxyLeaseImpl(pool=self, proxy_id=None, url=None)
        return ProxyLeaseImpl(pool=self, proxy_id=current[0], url=current[1])

    def rotate(self, *, avoid: int | None = None) -> None:
        """Drop the current proxy; the next pick avoids `avoid` when another one is available."""
        with self._lock:
            self._current = None
            self._loaded_at = 0.0
            self._avoid = avoid

    def other_than(self, url: str | None) -> OtherProxy:
        """A provider that picks any usable proxy but the one at `url` (the same one when it is the only one)."""
        return OtherProxy(pool=self, avoid_url=url)

    def pick_other(self, avoid_url: str | None) -> ProxyLeaseImpl:
        with self._lock:
            self._load_candidates()
            others = [c for c in self._candidates if c[1] != avoid_url] or self._candidates
            weights = [max(score, 1) for _, _, score in others]
            chosen = random.choices(others, weights=weights, k=1)[0] if others else None  # noqa: S311
        if chosen is None:
            if self.required:
                raise NoProxyAvailableError(f"No healthy proxy for {self.supplier.slug} and proxies are required.")
            return ProxyLeaseImpl(pool=self, proxy_id=None, url=None)
        return ProxyLeaseImpl(pool=self, proxy_id=chosen[0], url=chosen[1])

    def _load_candidates(self) -> None:
        if time.monotonic() - self._loaded_at > CANDIDATE_CACHE_SECONDS:
            self._candidates = [
                (proxy.pk, proxy_url(proxy), proxy.health_score) for proxy in proxies_usable(supplier=self.supplier)
            ]
            self._loaded_at = time.monotonic()

    def _pick(self, *, avoid: int | None) -> tuple[int, str, int] | None:
        """A usable proxy weighted by health, other than `avoid` (the one just used up or failed) when possible."""
        self._load_candidates()
        candidates = [c for c in self._candidates if c[0] != avoid] or self._candidates
        if not candidates:
            return None
        weights = [max(score, 1) for _, _, score in candidates]
        return random.choices(candidates, weights=weights, k=1)[0]  # noqa: S311


@dataclass(frozen=True)
class OtherProxy:
    """Every attempt through a proxy other than `avoid_url`: a second opinion on a suspect reading."""

    pool: ProxyPool
    avoid_url: str | None

    def acquire(self) -> ProxyLeaseImpl:
        return self.pool.pick_other(self.avoid_url)


def proxy_address(url: str | None) -> str:
    """`host:port` of a proxy URL, without its credentials: what may be stored and shown."""
    if not url:
        return ""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.hostname else ""


def proxy_url(proxy: Proxy) -> str:
    from urllib.parse import quote

    auth = ""
    if proxy.username:
        auth = quote(proxy.username, safe="")
        if proxy.password:
            auth += ":" + quote(proxy.password, safe="")
        auth += "@"
    scheme = "socks5h" if proxy.scheme == Proxy.Scheme.SOCKS5 else proxy.scheme
    return f"{scheme}://{auth}{proxy.host}:{proxy.port}"


def proxies_usable(*, supplier: Supplier) -> QuerySet[Proxy]:
    """Active proxies for this supplier (or for every supplier) not in quarantine (only a re-check lifts it)."""
    return Proxy.objects.filter(
        Q(supplier=supplier) | Q(supplier__isnull=True),
        quarantined_until__isnull=True,
        is_active=True,
        health_score__gt=0,
    ).order_by("-health_score")
