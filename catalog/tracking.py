"""Tracking passes: claim due products, fetch them all at once, keep what changed, reschedule every one.

One pass (`tracking_pass`) claims up to a batch of one supplier's due products with
`SELECT ... FOR UPDATE SKIP LOCKED` and pushes their `next_check_at` to the end of the claim (the claim
token), so any number of workers can run passes and none refreshes a product another one holds. It then
fetches every claimed product concurrently through the supplier's async client (proxies, Redis rate limit
and concurrency included) and handles each reading as it arrives, in asgiref's one sync thread:

- the same reading as last time (same digest): collected and written for many products in one UPDATE
  (scrape time, next check, interval), no history;
- a believable change: ingested at once in its own transaction (history only for what changed, written in
  bulk), and `product_changed` is sent after commit, so listings and alerts hear of it within the pass;
- an implausible one (`catalog.quality`): held as a `SuspectReading`, fetched again through another proxy,
  and accepted only when the second reading agrees;
- a failure: counted, and the product is checked again after a back-off.

Every write is conditional on the claim token: a pass that outlived its claim writes nothing for products
another pass has since claimed. A retried pass re-reads current rows, so it never writes history twice.
"""

from __future__ import annotations

import asyncio
import gc
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.db.models import DateTimeField as DateTimeOutput
from django.utils import timezone

from catalog.imports import scraper_for
from catalog.ingest import IngestResult, change_of, product_gone_ingest, product_ingest, reading_digest
from catalog.models import Product, SuspectReading
from catalog.quality import reading_suspicions, readings_agree
from catalog.schedule import Bounds, best_tiers, failure_interval, next_interval, product_bounds, spread
from catalog.signals import product_changed
from suppliers.models import Supplier
from suppliers.plugins.base import BaseScraper, ProductData, ProductNotFoundError
from suppliers.plugins.http_scraper import HttpScraper
from suppliers.proxies import proxy_address

logger = structlog.get_logger(__name__)

FLUSH_EVERY = 200
# Allocations between two young collections during a pass (Python's default is 700).
YOUNG_COLLECTION_EVERY = 10_000
SUSPECT_PREFIX = "suspect reading held: "
CLAIM_FIELDS = (
    "pk",
    "supplier_id",
    "external_id",
    "title",
    "brand",
    "images",
    "category_path",
    "seller_id",
    "rating",
    "currency",
    "price",
    "availability",
    "stock_quantity",
    "is_gone",
    "is_listed",
    "reading_digest",
    "last_scraped_at",
    "check_interval_seconds",
    "scrape_failures",
    "last_error",
)

# What one fetch produced: a reading with the proxy that served it, or the error it raised.
Observation = tuple[ProductData, str | None] | Exception


@dataclass
class PassSummary:
    """What one or more passes did, for job results, the `track` command and the benchmark."""

    claimed: int = 0
    unchanged: int = 0
    changed: int = 0
    gone: int = 0
    held: int = 0
    confirmed: int = 0
    rejected: int = 0
    unscheduled: int = 0
    lost_claim: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    @property
    def refreshed(self) -> int:
        return self.unchanged + self.changed + self.gone

    def add(self, other: PassSummary) -> None:
        for name in ("claimed", "unchanged", "changed", "gone", "held", "confirmed", "rejected", "unscheduled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.lost_claim += other.lost_claim
        self.failed.update(other.failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "claimed": self.claimed,
            "refreshed": self.refreshed,
            "unchanged": self.unchanged,
            "changed": self.changed,
            "gone": self.gone,
            "suspect_held": self.held,
            "suspect_confirmed": self.confirmed,
            "suspect_rejected": self.rejected,
            "unscheduled": self.unscheduled,
            "lost_claim": self.lost_claim,
            "failed": dict(self.failed),
        }


@dataclass(frozen=True)
class Claim:
    token: datetime
    products: list[Product]


def batch_size(supplier: Supplier) -> int:
    """Products per pass: the setting, or fewer when the supplier's rate limit could not fetch them all within
    half the claim (a pass must finish before its claim runs out)."""
    by_rate = supplier.requests_per_minute * settings.TRACKING_CLAIM_SECONDS // 120
    return max(1, min(settings.TRACKING_BATCH_SIZE, by_rate))


def products_claim(
    *, supplier: Supplier, limit: int, product_ids: list[int] | None = None, now: datetime | None = None
) -> Claim:
    """Claim due products of a supplier (or the given ones, due or not, unless another pass holds them)."""
    now = now or timezone.now()
    token = now + timedelta(seconds=settings.TRACKING_CLAIM_SECONDS)
    rows = Product.objects.select_for_update(skip_locked=True).filter(supplier=supplier)
    if product_ids is None:
        rows = rows.filter(next_check_at__lte=now).order_by("next_check_at")
    else:
        # Taken even from a pass that holds them: that pass's writes then miss its claim token and are dropped.
        rows = rows.filter(pk__in=product_ids)
    with transaction.atomic():
        ids = list(rows.values_list("pk", flat=True)[:limit])
        Product.objects.filter(pk__in=ids).update(next_check_at=token)
    products = list(Product.objects.filter(pk__in=ids).only(*CLAIM_FIELDS).order_by("pk"))
    return Claim(token=token, products=products)


def tracking_pass(
    *,
    supplier: Supplier,
    limit: int | None = None,
    product_ids: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> PassSummary:
    """Claim and refresh one batch of a supplier's due products (or the given ones). Safe to run anywhere."""
    claim = products_claim(supplier=supplier, limit=limit or batch_size(supplier), product_ids=product_ids)
    summary = PassSummary(claimed=len(claim.products))
    if claim.products:
        started = time.perf_counter()
        _Pass(supplier=supplier, claim=claim, summary=summary, progress=progress).run()
        logger.info(
            "tracking_pass",
            supplier=supplier.slug,
            ms=round((time.perf_counter() - started) * 1000),
            **summary.as_dict(),
        )
    return summary


class _Pass:
    """One claimed batch. Handlers run in asgiref's sync thread, one at a time; only they touch the database."""

    def __init__(
        self, *, supplier: Supplier, claim: Claim, summary: PassSummary, progress: Callable[[int], None] | None
    ) -> None:
        self.supplier = supplier
        self.token = claim.token
        self.products = claim.products
        self.summary = summary
        self.progress = progress
        self.tiers: dict[int, str] = {}
        self.quiet: list[tuple[int, int]] = []
        self.failures: list[tuple[Product, str]] = []
        self.suspects: dict[int, SuspectReading] = {}

    def run(self) -> None:
        self.tiers = best_tiers([product.pk for product in self.products])
        self._unschedule_untracked()
        scraper = scraper_for(self.supplier)
        with _collector_skips_older_objects():
            if isinstance(scraper, HttpScraper):
                asyncio.run(self._fetch_concurrently(scraper))
            else:
                for product in self.products:
                    if self._handle_safely(product, _fetch_sync(scraper, product)):
                        self._recheck_safely(product, _fetch_sync(scraper, product))
                self._flush()

    def _unschedule_untracked(self) -> None:
        """Products nobody tracks or lists any more are not fetched, and not scheduled again."""
        kept = []
        dropped = []
        for product in self.products:
            (kept if product_bounds(product, self.tiers) else dropped).append(product.pk)
        if dropped:
            Product.objects.filter(pk__in=dropped, next_check_at=self.token).update(next_check_at=None)
            self.summary.unscheduled += len(dropped)
            self._advance(len(dropped))
        keep = set(kept)
        self.products = [product for product in self.products if product.pk in keep]

    async def _fetch_concurrently(self, scraper: HttpScraper) -> None:
        client = scraper.http.async_client()
        handle = sync_to_async(self._handle_safely, thread_sensitive=True)
        recheck_handle = sync_to_async(self._recheck_safely, thread_sensitive=True)

        # Only as many fetches in flight as the supplier allows: the rest wait here, not on Redis's slot set.
        gate = asyncio.Semaphore(self.supplier.concurrency)

        async def one(product: Product) -> None:
            async with gate:
                observation = await _fetch_async(scraper, product, client)
            if await handle(product, observation):
                await recheck_handle(product, await self._refetch_elsewhere(scraper, product, observation))

        try:
            await asyncio.gather(*(one(product) for product in self.products))
        finally:
            await client.close()
            await sync_to_async(self._flush, thread_sensitive=True)()
            await sync_to_async(connections.close_all, thread_sensitive=True)()

    async def _refetch_elsewhere(self, scraper: HttpScraper, product: Product, first: Observation) -> Observation:
        """The same product again through any proxy but the one that served the suspect reading."""
        used = first[1] if isinstance(first, tuple) else None
        client = scraper.http.async_client(proxies=scraper.http.pool.other_than(used))
        try:
            return await _fetch_async(scraper, product, client)
        finally:
            await client.close()

    # -- handlers (sync thread) ------------------------------------------------------------------------------

    def _handle_safely(self, product: Product, observation: Observation) -> bool:
        """`_handle`; an error storing one product fails that product only, never the pass."""
        try:
            return self._handle(product, observation)
        except Exception as exc:
            logger.exception("tracking_store_failed", product_id=product.pk)
            self._failed(product, exc)
            return False

    def _recheck_safely(self, product: Product, observation: Observation) -> None:
        try:
            self._recheck_handle(product, observation)
        except Exception as exc:
            logger.exception("tracking_recheck_failed", product_id=product.pk)
            self._failed(product, exc)

    def _handle(self, product: Product, observation: Observation) -> bool:
        """Act on a first reading; True when it is held as suspect and must be fetched again elsewhere."""
        if isinstance(observation, ProductNotFoundError):
            return self._not_found(product, observation)
        if isinstance(observation, Exception):
            self._failed(product, observation)
            return False
        # A reading is of the product asked for, whatever id the page carries (a redirect to a parent, say).
        data = replace(observation[0], external_id=product.external_id)
        if reading_digest(data) == product.reading_digest and not product.is_gone:
            self._quiet(product)
            return False
        reasons = reading_suspicions(product, data) if product.last_scraped_at else []
        if reasons:
            return self._hold(product, (data, observation[1]), reasons=reasons)
        self._accept(product, data)
        return False

    def _recheck_handle(self, product: Product, observation: Observation) -> None:
        """Decide a suspect reading by a second one: agreeing confirms it, a normal one rejects it."""
        suspect = self.suspects.pop(product.pk)
        first = _observation_from(suspect)
        proxy = observation[1] if isinstance(observation, tuple) else None
        via = proxy_address(proxy) or "a direct connection"
        if _agree(first, observation):
            self._resolve(suspect, SuspectReading.Status.CONFIRMED, f"a second reading via {via} agreed", proxy=proxy)
            self._accept_observation(product, observation)
        elif isinstance(observation, tuple) and not reading_suspicions(product, observation[0]):
            self._resolve(
                suspect, SuspectReading.Status.REJECTED, f"a second reading via {via} looked normal", proxy=proxy
            )
            self._handle(product, observation)
        else:
            detail = f"a second reading disagreed: {_describe(observation)}"
            SuspectReading.objects.filter(pk=suspect.pk).update(detail=detail[:500], recheck_proxy=proxy_address(proxy))
            self._keep_holding(product, suspect)

    def _accept_observation(self, product: Product, observation: Observation) -> None:
        if isinstance(observation, tuple):
            self._accept(product, observation[0])
        else:
            self._gone(product)

    def _accept(self, product: Product, data: ProductData) -> None:
        """Ingest a believable new reading now, so `product_changed` goes out while the pass goes on."""
        now = timezone.now()
        with transaction.atomic():
            if not self._still_claimed(product):
                self._advance()
                return
            data = replace(data, external_id=product.external_id)
            ingested = product_ingest(supplier=self.supplier, data=data, scraped_at=now)
            changed = ingested.price_changed or ingested.stock_changed
            self._reschedule(product, changed=changed, now=now)
            if changed:
                transaction.on_commit(lambda: _send(ingested), robust=True)
        self.summary.changed += 1
        self._advance()

    def _quiet(self, product: Product) -> None:
        bounds = self._bounds(product)
        self.quiet.append((product.pk, next_interval(product.check_interval_seconds, bounds, changed=False)))
        if product.last_error.startswith(SUSPECT_PREFIX):
            self._reject_pending(product, "a later reading matched the accepted one")
        if len(self.quiet) >= FLUSH_EVERY:
            self._flush()

    def _not_found(self, product: Product, error: ProductNotFoundError) -> bool:
        if product.is_gone:
            self.quiet.append((product.pk, self._bounds(product).max))
            return False
        return self._hold(product, error, reasons=["not_found"])

    def _gone(self, product: Product) -> None:
        with transaction.atomic():
            if not self._still_claimed(product):
                self._advance()
                return
            ingested = product_gone_ingest(product_id=product.pk)
            self._reschedule(product, changed=True, now=timezone.now())
            if ingested is not None and ingested.stock_changed:
                transaction.on_commit(lambda: _send(ingested), robust=True)
        self.summary.gone += 1
        self._advance()

    def _failed(self, product: Product, error: Exception) -> None:
        kind = str(getattr(error, "kind", "") or type(error).__name__)
        self.failures.append((product, f"{kind}: {error}"[:1000]))
        self.summary.failed[kind] += 1
        self._advance()

    def _hold(self, product: Product, observation: Observation, *, reasons: list[str]) -> bool:
        """Keep an implausible reading out of the catalog until a second one decides it; True to re-check now."""
        pending = SuspectReading.objects.filter(product=product, status=SuspectReading.Status.PENDING).first()
        if pending is not None and _agree(_observation_from(pending), observation):
            self._resolve(pending, SuspectReading.Status.CONFIRMED, "a later pass read the same")
            self._accept_observation(product, observation)
            return False
        if pending is not None:
            self._resolve(pending, SuspectReading.Status.REJECTED, "superseded by a different reading")
        proxy = observation[1] if isinstance(observation, tuple) else None
        self.suspects[product.pk] = SuspectReading.objects.create(
            product_id=product.pk, reasons=reasons, reading=_reading_json(observation), proxy=proxy_address(proxy)
        )
        self.summary.held += 1
        logger.warning("tracking_suspect_reading", product_id=product.pk, reasons=reasons)
        return True

    def _keep_holding(self, product: Product, suspect: SuspectReading) -> None:
        retry_at = spread(settings.TRACKING_SUSPECT_RECHECK_SECONDS)
        message = f"{SUSPECT_PREFIX}{', '.join(suspect.reasons)}"
        Product.objects.filter(pk=product.pk, next_check_at=self.token).update(
            next_check_at=retry_at, last_error=message
        )
        self._advance()

    def _resolve(self, suspect: SuspectReading, status: str, detail: str, *, proxy: str | None = None) -> None:
        SuspectReading.objects.filter(pk=suspect.pk, status=SuspectReading.Status.PENDING).update(
            status=status, detail=detail[:500], resolved_at=timezone.now(), recheck_proxy=proxy_address(proxy)
        )
        if status == SuspectReading.Status.CONFIRMED:
            self.summary.confirmed += 1
        else:
            self.summary.rejected += 1

    def _reject_pending(self, product: Product, detail: str) -> None:
        rejected = SuspectReading.objects.filter(product=product, status=SuspectReading.Status.PENDING).update(
            status=SuspectReading.Status.REJECTED, detail=detail, resolved_at=timezone.now()
        )
        self.summary.rejected += rejected

    # -- writes ----------------------------------------------------------------------------------------------

    def _still_claimed(self, product: Product) -> bool:
        """Lock the product and check this pass still holds it; count it when another pass has taken it over."""
        held = Product.objects.select_for_update().filter(pk=product.pk, next_check_at=self.token).exists()
        if not held:
            self.summary.lost_claim += 1
        return held

    def _reschedule(self, product: Product, *, changed: bool, now: datetime) -> None:
        interval = next_interval(product.check_interval_seconds, self._bounds(product), changed=changed)
        Product.objects.filter(pk=product.pk).update(
            next_check_at=spread(interval, now=now), check_interval_seconds=interval
        )

    def _flush(self) -> None:
        """Write the collected quiet checks and failures: one UPDATE each, whatever their number."""
        now = timezone.now()
        if self.quiet:
            quiet, self.quiet = self.quiet, []
            written = Product.objects.filter(pk__in=[pk for pk, _ in quiet], next_check_at=self.token).update(
                last_scraped_at=now,
                scrape_failures=0,
                last_error="",
                check_interval_seconds=_case(dict(quiet), IntegerField()),
                next_check_at=_case({pk: spread(interval, now=now) for pk, interval in quiet}, DateTimeOutput()),
            )
            self.summary.unchanged += written
            self.summary.lost_claim += len(quiet) - written
            self._advance(len(quiet))
        if self.failures:
            failures, self.failures = self.failures, []
            self._write_failures(failures, now=now)

    def _write_failures(self, failures: list[tuple[Product, str]], *, now: datetime) -> None:
        retry_at = {
            product.pk: spread(failure_interval(product.scrape_failures + 1, self._bounds(product)), now=now)
            for product, _ in failures
        }
        Product.objects.filter(pk__in=list(retry_at), next_check_at=self.token).update(
            scrape_failures=F("scrape_failures") + 1,
            last_error=_case(
                {product.pk: message for product, message in failures}, Product._meta.get_field("last_error")
            ),
            next_check_at=_case(retry_at, DateTimeOutput()),
        )

    def _bounds(self, product: Product) -> Bounds:
        bounds = product_bounds(product, self.tiers)
        assert bounds is not None, "untracked products are dropped before fetching"
        return bounds

    def _advance(self, count: int = 1) -> None:
        if self.progress is not None:
            self.progress(count)


@contextmanager
def _collector_skips_older_objects() -> Iterator[None]:
    """The cyclic garbage collector looks only at what the pass allocates, and less often; afterwards it is as it
    was. A pass allocates enough for several full collections, each walking every object of the process (Django's,
    the models'): about a sixth of a pass's CPU time. Objects someone else froze (a pre-fork server) stay frozen."""
    thresholds = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


def _case(values: dict[int, Any], output: Any) -> Case:
    return Case(*(When(pk=pk, then=Value(value)) for pk, value in values.items()), output_field=output)


async def _fetch_async(scraper: HttpScraper, product: Product, client: Any) -> Observation:
    try:
        data, result = await scraper.afetch_product_page(product.external_id, client)
    except Exception as exc:
        return exc
    return data, result.proxy


def _fetch_sync(scraper: BaseScraper, product: Product) -> Observation:
    try:
        return scraper.fetch_product(product.external_id), None
    except Exception as exc:
        return exc


def _agree(first: Observation, second: Observation) -> bool:
    if isinstance(first, ProductNotFoundError) or isinstance(second, ProductNotFoundError):
        return isinstance(first, ProductNotFoundError) and isinstance(second, ProductNotFoundError)
    if isinstance(first, tuple) and isinstance(second, tuple):
        return readings_agree(first[0], second[0])
    return False


def _observation_from(suspect: SuspectReading) -> Observation:
    if "not_found" in suspect.reading:
        return ProductNotFoundError(str(suspect.reading["not_found"]))
    return ProductData.from_dict(suspect.reading), None


def _describe(observation: Observation) -> str:
    if isinstance(observation, Exception):
        return f"{getattr(observation, 'kind', type(observation).__name__)}: {observation}"
    data = observation[0]
    return f"price {data.price} {data.currency}, {data.availability}, stock {data.stock_quantity}"


def _reading_json(observation: Observation) -> dict[str, Any]:
    if isinstance(observation, tuple):
        return json.loads(json.dumps(observation[0].to_dict(), default=str))
    return {"not_found": str(observation)}


def _send(ingested: IngestResult) -> None:
    product_changed.send(sender=Product, product_id=ingested.product.pk, change=change_of(ingested))
