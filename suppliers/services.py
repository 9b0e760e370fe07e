"""Supplier verbs: proxy health scoring, proxy import and checks, reading a saved page."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from dropship_central.http import ClientConfig, FetchResult, HttpError, OutboundClient, StaticProxy
from suppliers.models import Proxy, Supplier
from suppliers.plugins.base import ProductData

SUCCESS_REWARD = 5
PENALTIES = {
    "captcha": 25,
    "blocked": 25,
    "error_page": 20,
    "login_wall": 20,
    "timeout": 15,
    "proxy_error": 20,
    "connection_error": 15,
}
DEFAULT_PENALTY = 10
RECHECK_BATCH = 100
RECHECK_THREADS = 8
# While a re-check runs, its proxies' quarantine is pushed this far out, so an overlapping run skips them.
RECHECK_CLAIM_SECONDS = 120
PROXY_LINE = re.compile(
    r"^(?P<scheme>https?|socks5)://(?:(?P<user>[^:@/\s]+)(?::(?P<password>[^@/\s]*))?@)?"
    r"(?P<host>[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})/?$"
)


def proxy_record_success(*, proxy_id: int) -> None:
    """One conditional UPDATE: safe under any number of concurrent workers."""
    now = timezone.now()
    Proxy.objects.filter(pk=proxy_id).update(
        health_score=Least(F("health_score") + SUCCESS_REWARD, Value(100)),
        successes=F("successes") + 1,
        consecutive_failures=0,
        last_used_at=now,
        last_success_at=now,
    )


def proxy_record_failure(*, proxy_id: int, outcome: str, reason: str = "") -> None:
    """Lower the score by the outcome's penalty; quarantine the proxy when it falls below the threshold."""
    now = timezone.now()
    penalty = PENALTIES.get(outcome, DEFAULT_PENALTY)
    Proxy.objects.filter(pk=proxy_id).update(
        health_score=Greatest(F("health_score") - penalty, Value(0)),
        failures=F("failures") + 1,
        consecutive_failures=F("consecutive_failures") + 1,
        last_used_at=now,
        last_failure_at=now,
        last_failure_reason=f"{outcome}: {reason}"[:255],
    )
    Proxy.objects.filter(
        pk=proxy_id, health_score__lt=settings.PROXY_QUARANTINE_BELOW, quarantined_until__isnull=True
    ).update(quarantined_until=now + timedelta(seconds=settings.PROXY_QUARANTINE_SECONDS))


@dataclass(frozen=True)
class ProxyImportResult:
    created: int
    skipped: int
    errors: list[tuple[int, str]]


def proxy_import_lines(*, lines: list[str], supplier: Supplier | None = None) -> ProxyImportResult:
    """Load `scheme://user:pass@host:port` lines; bad lines are reported by number, good ones kept."""
    created = skipped = 0
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = PROXY_LINE.match(line)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            errors.append((number, f"not a proxy URL (scheme://[user[:pass]@]host:port): {line[:80]}"))
            continue
        if _proxy_create(match=match, supplier=supplier):
            created += 1
        else:
            skipped += 1
    return ProxyImportResult(created=created, skipped=skipped, errors=errors)


def _proxy_create(*, match: re.Match[str], supplier: Supplier | None) -> bool:
    try:
        with transaction.atomic():
            Proxy.objects.create(
                scheme=match["scheme"],
                host=match["host"].strip("[]"),
                port=int(match["port"]),
                username=match["user"] or "",
                password=match["password"] or "",
                supplier=supplier,
            )
    except IntegrityError:
        return False
    return True


def proxy_release_quarantine(*, proxy_id: int, healthy: bool, detail: str = "") -> None:
    """After a re-check: a healthy proxy returns at the threshold score; a sick one stays out longer."""
    now = timezone.now()
    if healthy:
        Proxy.objects.filter(pk=proxy_id).update(
            quarantined_until=None,
            consecutive_failures=0,
            health_score=Greatest(F("health_score"), Value(settings.PROXY_QUARANTINE_BELOW + 20)),
            last_success_at=now,
        )
    else:
        Proxy.objects.filter(pk=proxy_id).update(
            quarantined_until=now + timedelta(seconds=settings.PROXY_QUARANTINE_SECONDS * 2),
            last_failure_at=now,
            last_failure_reason=f"recheck: {detail}"[:255] if detail else F("last_failure_reason"),
        )


@dataclass(frozen=True)
class ProxyCheckResult:
    ok: bool
    detail: str
    elapsed_ms: float | None = None


def proxy_check(*, proxy: Proxy, url: str | None = None) -> ProxyCheckResult:
    """Fetch the check URL once through the proxy (no retries) and say whether it answered."""
    from suppliers.proxies import proxy_url

    config = ClientConfig(target="proxy_check", max_attempts=1, connect_timeout=5, read_timeout=10)
    client = OutboundClient(config, proxies=StaticProxy(proxy_url(proxy)))
    try:
        result = client.get(url or settings.PROXY_CHECK_URL)
    except HttpError as exc:
        return ProxyCheckResult(ok=False, detail=str(exc)[:255])
    finally:
        client.close()
    ok = result.status < 400
    return ProxyCheckResult(ok=ok, detail=f"HTTP {result.status}", elapsed_ms=round(result.elapsed_ms, 1))


def proxies_claim_for_recheck(*, limit: int = RECHECK_BATCH) -> list[int]:
    """Claim active proxies whose quarantine has run out; a concurrent claim skips them (row locks, then a later
    `quarantined_until`)."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Proxy.objects.select_for_update(skip_locked=True)
            .filter(quarantined_until__lte=now, is_active=True)
            .order_by("quarantined_until")
            .values_list("pk", flat=True)[:limit]
        )
        ids = list(due)
        Proxy.objects.filter(pk__in=ids).update(quarantined_until=now + timedelta(seconds=RECHECK_CLAIM_SECONDS))
    return ids


def proxies_recheck(*, limit: int = RECHECK_BATCH) -> dict[str, int]:
    """The cron job's verb: re-check proxies whose quarantine has run out; lift it or extend it.

    Checks run a few at a time (a dead proxy costs a connect timeout); outcomes are written from this thread.
    """
    proxies = list(Proxy.objects.filter(pk__in=proxies_claim_for_recheck(limit=limit)))
    counts = {"released": 0, "kept": 0}
    if not proxies:
        return counts
    with ThreadPoolExecutor(max_workers=min(RECHECK_THREADS, len(proxies))) as pool:
        checks = list(pool.map(lambda proxy: proxy_check(proxy=proxy), proxies))
    for proxy, check in zip(proxies, checks, strict=True):
        proxy_release_quarantine(proxy_id=proxy.pk, healthy=check.ok, detail=check.detail)
        counts["released" if check.ok else "kept"] += 1
    return counts


def page_parse(*, supplier_slug: str, text: str, url: str) -> ProductData:
    """Read a saved page as the supplier's scraper reads a fetched one: the block check first, then the parser.

    Raises `UnknownPluginError` for an unknown supplier and the scraper's typed `ScraperError` for block pages
    (`captcha`, `error_page`, `login_wall`, `not_found`) and unparseable ones (`ParseError`).
    """
    from suppliers.registry import scraper_class

    scraper = scraper_class(supplier_slug)()
    validate = getattr(scraper, "validate", None)
    if callable(validate):
        validate(FetchResult(status=200, url=url, text=text, headers={}, elapsed_ms=0.0))
    return scraper.parse_product(text, url)
