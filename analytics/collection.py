"""Catalogue-wide collection for marketplace research: walk a marketplace's category tree, its categories' and
shops' listings, and store every product.

A marketplace plugin that can walk a listing (`iter_category(id, limit=...)`, `iter_shop(id, limit=...)`) and
read its category tree (`category_tree()`), as the Uzum plugin does, is collected without core changes: each
product on a listing is fetched and ingested through `catalog.ingest.product_ingest`, so SKUs, sellers, the
category chain and price/stock history (on change only) land as they do for imports, but no customer's
`TrackedProduct` is created.

What to collect and how often come from the `COLLECT_SCHEDULE` setting, entries of
`<supplier>:tree:<minutes>` (store the category tree, and collect each of its leaf categories, every <minutes>),
`<supplier>:category:<id>:<minutes>` (one category, at its own interval) and `<supplier>:shop:<id>:<minutes>`.
The RQ cron tick (`analytics.jobs.collect_enqueue_due`) records one job per tree or listing that is due; the job
ledger is the schedule's memory, so no extra table is needed and a lost Redis loses nothing.
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

from catalog.categories import category_tree_store
from catalog.imports import scraper_for
from catalog.ingest import IngestResult, change_of, product_ingest
from catalog.models import Category, Product
from catalog.signals import product_changed
from dropship_central.jobs import job_enqueue
from dropship_central.models import Job
from suppliers.models import Supplier
from suppliers.plugins.base import ProductData, ScraperError
from suppliers.plugins.http_scraper import HttpScraper

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
TREE = ListingKind("tree", "analytics.jobs.category_tree_collect", "supplier", "category_tree")
KINDS = {kind.name: kind for kind in (CATEGORY, SHOP, TREE)}


class CollectConfigError(ValueError):
    """A malformed collection setting or a supplier whose plugin cannot walk that kind of listing."""

    permanent = True


@runtime_checkable
class ProductFetcher(Protocol):
    def fetch_product(self, external_id: str) -> ProductData: ...


class ListedProduct(Protocol):
    """An entry of a plugin's listing (the Uzum plugin's `CatalogItem`, say)."""

    @property
    def product_id(self) -> str: ...


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
    """Every tree and listing to collect, from `COLLECT_SCHEDULE` (a list, or text with commas between entries)."""
    entries = getattr(settings, "COLLECT_SCHEDULE", [])
    if isinstance(entries, str):
        entries = entries.split(",")
    return [_scheduled(entry) for entry in entries if entry.strip()]


def _scheduled(entry: str) -> ScheduledListing:
    parts = [part.strip() for part in entry.split(":")]
    kind = KINDS.get(parts[1]) if len(parts) > 1 else None
    shape = ["supplier", "tree", "minutes"] if kind is TREE else ["supplier", "kind", "id", "minutes"]
    if kind is None or len(parts) != len(shape) or not _valid(parts, kind):
        raise CollectConfigError(
            f"COLLECT_SCHEDULE: {entry.strip()!r} is not '<supplier>:tree:<minutes>', "
            "'<supplier>:category:<id>:<minutes>' or '<supplier>:shop:<id>:<minutes>'"
        )
    listing_id = parts[0] if kind is TREE else parts[2]  # a tree is the supplier's own
    return ScheduledListing(parts[0], kind, listing_id, int(parts[-1]))


def _valid(parts: list[str], kind: ListingKind) -> bool:
    minutes_ok = parts[-1].isdigit() and int(parts[-1]) >= 1
    return bool(parts[0]) and minutes_ok and (kind is TREE or parts[2].isdigit())


def collect_enqueue_due(*, now: Any = None) -> list[ScheduledListing]:
    """Record a collection job for every scheduled tree and listing that is due and not already in work.

    Due means no job for it was recorded within its interval. Concurrent ticks serialise on the supplier row, so
    nothing is enqueued twice.
    """
    now = now or timezone.now()
    schedule = collect_schedule()
    enqueued = []
    for entry in schedule:
        with transaction.atomic():
            supplier = Supplier.objects.select_for_update().filter(slug=entry.supplier, is_active=True).first()
            if supplier is None:
                continue
            listings = [entry, *_tree_leaves(supplier, entry, schedule)] if entry.kind is TREE else [entry]
            for listing in _due(listings, now=now):
                payload = {"supplier": listing.supplier, listing.kind.id_key: listing.listing_id}
                job_enqueue(func=listing.kind.job, payload=payload, queue="scrape")
                enqueued.append(listing)
    return enqueued


def _tree_leaves(
    supplier: Supplier, tree: ScheduledListing, schedule: list[ScheduledListing]
) -> list[ScheduledListing]:
    """The stored tree's leaf categories (a parent's listing holds its children's products) at the tree's interval,
    but for those scheduled at their own. Categories known only by a breadcrumb digest cannot be walked."""
    own = {entry.listing_id for entry in schedule if entry.supplier == supplier.slug and entry.kind is CATEGORY}
    leaves = Category.objects.filter(supplier=supplier, children__isnull=True).exclude(external_id__startswith="h:")
    ids = leaves.exclude(external_id__in=own).order_by("external_id").values_list("external_id", flat=True)
    return [ScheduledListing(supplier.slug, CATEGORY, category_id, tree.every_minutes) for category_id in ids]


def _due(listings: list[ScheduledListing], *, now: Any) -> list[ScheduledListing]:
    """Those with no job in work and none recorded within their interval (two statements a kind)."""
    due = []
    for kind in sorted({listing.kind for listing in listings}, key=lambda kind: kind.name != TREE.name):
        of_kind = [listing for listing in listings if listing.kind is kind]
        started = _last_started(of_kind, now=now)
        due += [listing for listing in of_kind if _waited(started.get(listing.listing_id), listing, now=now)]
    return due


def _waited(last: Any, listing: ScheduledListing, *, now: Any) -> bool:
    return last is None or last <= now - timedelta(minutes=listing.every_minutes)


def _last_started(listings: list[ScheduledListing], *, now: Any) -> dict[str, Any]:
    """When each listing's newest job was recorded, within the longest interval; `now` for one still in work."""
    kind, key = listings[0].kind, f"payload__{listings[0].kind.id_key}"
    jobs = Job.objects.filter(type=kind.job, payload__supplier=listings[0].supplier)
    since = now - timedelta(minutes=max(listing.every_minutes for listing in listings))
    last: dict[str, Any] = {}
    for listing_id, created_at in jobs.filter(created_at__gt=since).values_list(key, "created_at"):
        last[listing_id] = max(created_at, last.get(listing_id, created_at))
    for listing_id in jobs.filter(status__in=PENDING).values_list(key, flat=True):
        last[listing_id] = now
    return last


def category_collect(*, supplier: str, category_id: str, limit: int | None = None) -> CollectSummary:
    """Walk a category's listing and ingest every product on it; one product's failure skips only it."""
    return listing_collect(supplier=supplier, kind=CATEGORY, listing_id=category_id, limit=limit)


def shop_collect(*, supplier: str, shop_id: str, limit: int | None = None) -> CollectSummary:
    """Walk a shop's (seller's) products and ingest every one; one product's failure skips only it."""
    return listing_collect(supplier=supplier, kind=SHOP, listing_id=shop_id, limit=limit)


def category_tree_collect(*, supplier: str) -> dict[str, Any]:
    """Read the marketplace's category tree and store it (new and renamed or moved nodes)."""
    row = Supplier.objects.get(slug=supplier)
    scraper = scraper_for(row)
    read_tree = getattr(scraper, TREE.walker, None)
    if read_tree is None:
        raise CollectConfigError(f"The {supplier} plugin cannot read a category tree")
    stored = category_tree_store(supplier=row, roots=read_tree())
    logger.info("category_tree_collected", supplier=supplier, **stored.as_dict())
    return {"supplier": supplier, **stored.as_dict()}


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


def _chunks(items: Iterator[ListedProduct], *, size: int) -> Iterator[list[ListedProduct]]:
    chunk: list[ListedProduct] = []
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
