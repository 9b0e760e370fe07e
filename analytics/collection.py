"""Catalogue-wide collection for marketplace research: walk a category's or a shop's listing, store every product.

A marketplace plugin that can walk a listing (`iter_category(id, limit=...)`, `iter_shop(id, limit=...)`, as
the Uzum plugin does) is collected without core changes: each product on the listing is fetched and ingested
through `catalog.ingest.product_ingest`, so SKUs, sellers, the category chain and price/stock history (on
change only) land as they do for imports, but no customer's `TrackedProduct` is created.

What to collect and how often come from settings: `UZUM_COLLECT_CATEGORIES` and `UZUM_COLLECT_SHOPS` list
`"<id>:<minutes>"` pairs. The RQ cron tick (`analytics.jobs.collect_enqueue_due`) records one collection job
per listing that is due; the job ledger is the schedule's memory, so no extra table is needed and a lost
Redis loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

import structlog
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from catalog.imports import scraper_for
from catalog.ingest import IngestResult, change_of, product_ingest
from catalog.models import Product
from catalog.signals import product_changed
from dropship_central.jobs import job_enqueue
from dropship_central.models import Job
from suppliers.models import Supplier
from suppliers.plugins.base import ProductData, ScraperError
from suppliers.plugins.http_scraper import HttpScraper
from suppliers.plugins.uzum.listing import CatalogItem

logger = structlog.get_logger(__name__)

# Listed products fetched at once (each chunk concurrently, within the supplier's concurrency and rate limit).
FETCH_CHUNK = 48
PENDING = (Job.Status.QUEUED, Job.Status.RETRYING, Job.Status.RUNNING)


@dataclass(frozen=True)
class ListingKind:
    """A kind of listing to collect: its job, the payload key of its id and the plugin method that walks it."""

    name: str
    job: str
    id_key: str
    walker: str


CATEGORY = ListingKind("category", "analytics.jobs.category_collect", "category_id", "iter_category")
SHOP = ListingKind("shop", "analytics.jobs.shop_collect", "shop_id", "iter_shop")
# (supplier slug, kind) -> the setting that lists what to collect and how often
COLLECT_SETTINGS = {("uzum", CATEGORY): "UZUM_COLLECT_CATEGORIES", ("uzum", SHOP): "UZUM_COLLECT_SHOPS"}


class CollectConfigError(ValueError):
    """A malformed collection setting or a supplier whose plugin cannot walk that kind of listing."""

    permanent = True


@runtime_checkable
class ProductFetcher(Protocol):
    def fetch_product(self, external_id: str) -> ProductData: ...


@dataclass(frozen=True)
class ScheduledListing:
    supplier: str
    kind: ListingKind
    listing_id: str
    every_minutes: int


@dataclass
class CollectSummary:
    supplier: str
    kind: str
    listing_id: str
    listed: int = 0
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect_schedule() -> list[ScheduledListing]:
    """Every listing to collect, from the `*_COLLECT_CATEGORIES` / `*_COLLECT_SHOPS` settings (`"id:minutes"`)."""
    schedule = []
    for (supplier, kind), name in COLLECT_SETTINGS.items():
        entries = getattr(settings, name, [])
        if isinstance(entries, str):
            entries = [entry for entry in entries.split(",") if entry.strip()]
        schedule += [_scheduled(supplier, kind, name, entry) for entry in entries]
    return schedule


def _scheduled(supplier: str, kind: ListingKind, setting: str, entry: str) -> ScheduledListing:
    listing_id, _, minutes = entry.strip().partition(":")
    if not listing_id.strip().isdigit() or not minutes.strip().isdigit() or int(minutes) < 1:
        raise CollectConfigError(f"{setting}: {entry!r} is not '<{kind.name} id>:<minutes>'")
    return ScheduledListing(supplier, kind, listing_id.strip(), int(minutes))


def collect_enqueue_due(*, now: Any = None) -> list[ScheduledListing]:
    """Record a collection job for every scheduled listing that is due and not already in work.

    Due means no collection of that listing was recorded within its interval. Concurrent ticks serialise
    on the supplier row, so a listing is never enqueued twice.
    """
    now = now or timezone.now()
    enqueued = []
    for entry in collect_schedule():
        with transaction.atomic():
            supplier = Supplier.objects.select_for_update().filter(slug=entry.supplier, is_active=True).first()
            if supplier is None or not _due(entry, now=now):
                continue
            payload = {"supplier": entry.supplier, entry.kind.id_key: entry.listing_id}
            job_enqueue(func=entry.kind.job, payload=payload, queue="scrape")
            enqueued.append(entry)
    return enqueued


def _due(entry: ScheduledListing, *, now: Any) -> bool:
    jobs = Job.objects.filter(
        type=entry.kind.job, payload__supplier=entry.supplier, **{f"payload__{entry.kind.id_key}": entry.listing_id}
    )
    if jobs.filter(status__in=PENDING).exists():
        return False
    return not jobs.filter(created_at__gt=now - timedelta(minutes=entry.every_minutes)).exists()


def category_collect(*, supplier: str, category_id: str, limit: int | None = None) -> CollectSummary:
    """Walk a category's listing and ingest every product on it; one product's failure skips only it."""
    return listing_collect(supplier=supplier, kind=CATEGORY, listing_id=category_id, limit=limit)


def shop_collect(*, supplier: str, shop_id: str, limit: int | None = None) -> CollectSummary:
    """Walk a shop's (seller's) products and ingest every one; one product's failure skips only it."""
    return listing_collect(supplier=supplier, kind=SHOP, listing_id=shop_id, limit=limit)


def listing_collect(*, supplier: str, kind: ListingKind, listing_id: str, limit: int | None = None) -> CollectSummary:
    row = Supplier.objects.get(slug=supplier)
    scraper = scraper_for(row)
    walk = getattr(scraper, kind.walker, None)
    if walk is None or not isinstance(scraper, ProductFetcher):
        raise CollectConfigError(f"The {supplier} plugin cannot walk a {kind.name}")
    limit = limit if limit is not None else getattr(settings, "COLLECT_LISTING_LIMIT", None)
    summary = CollectSummary(supplier=supplier, kind=kind.name, listing_id=listing_id)
    for chunk in _chunks(walk(listing_id, limit=limit), size=FETCH_CHUNK):
        summary.listed += len(chunk)
        for item, reading in zip(chunk, _fetch_all(scraper, [item.product_id for item in chunk]), strict=True):
            if isinstance(reading, ScraperError):
                summary.failed += 1
                logger.warning("collect_product_failed", supplier=supplier, product=item.product_id, error=str(reading))
                continue
            if isinstance(reading, Exception):
                raise reading
            _count(summary, product_ingest(supplier=row, data=reading))
    logger.info("listing_collected", **summary.as_dict())
    return summary


def _chunks(items: Iterator[CatalogItem], *, size: int) -> Iterator[list[CatalogItem]]:
    chunk: list[CatalogItem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _fetch_all(scraper: ProductFetcher, external_ids: list[str]) -> list[ProductData | Exception]:
    """The products' readings (or errors), in order; an HTTP plugin fetches them concurrently."""
    if isinstance(scraper, HttpScraper):
        return asyncio.run(_fetch_concurrently(scraper, external_ids))
    readings: list[ProductData | Exception] = []
    for external_id in external_ids:
        try:
            readings.append(scraper.fetch_product(external_id))
        except Exception as exc:
            readings.append(exc)
    return readings


async def _fetch_concurrently(scraper: HttpScraper, external_ids: list[str]) -> list[ProductData | Exception]:
    """Up to the supplier's concurrency at once through one async client (rate limits and proxies included)."""
    client = scraper.http.async_client()
    gate = asyncio.Semaphore(scraper.http.supplier.concurrency)

    async def one(external_id: str) -> ProductData | Exception:
        try:
            async with gate:
                return await scraper.afetch_product(external_id, client)
        except Exception as exc:
            return exc

    try:
        return list(await asyncio.gather(*(one(external_id) for external_id in external_ids)))
    finally:
        await client.close()
        # Leave no database connection open in asgiref's thread (the proxy pool reads there).
        await sync_to_async(connections.close_all, thread_sensitive=True)()


def _count(summary: CollectSummary, ingested: IngestResult) -> None:
    if ingested.created:
        summary.created += 1
    elif ingested.changed:
        summary.changed += 1
    else:
        summary.unchanged += 1
    if not ingested.created and (ingested.price_changed or ingested.stock_changed):
        # Listings and policies of a product someone also sells react as they do to a tracking pass.
        change = change_of(ingested)
        transaction.on_commit(
            lambda: product_changed.send(sender=Product, product_id=ingested.product.pk, change=change), robust=True
        )
