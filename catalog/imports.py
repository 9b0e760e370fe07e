"""The worker side of product imports: fetch a batch concurrently, ingest each, record each job's outcome.

RQ forks one work horse per RQ job, so one blocking fetch per job would cap a worker at a few imports a
second. Instead the import job that runs claims a batch of waiting import jobs of the same supplier
(`jobs_claim_batch`: atomic, so two batches never share a job), fetches them all at once through the
supplier's async client (proxies and the Redis rate limit included), then ingests them one by one. Every
job keeps its own status, attempts, error and retries; the RQ deliveries of the claimed jobs are dropped,
and the reconciler recovers them if this worker dies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from accounts.models import User
from catalog.ingest import IngestResult, change_of, product_ingest
from catalog.models import Product
from catalog.services import tracked_product_link
from catalog.signals import product_changed
from dropship_central.jobs import job_current, job_record_outcome, jobs_claim_batch
from dropship_central.models import Job
from suppliers.models import Supplier
from suppliers.plugins.base import BaseScraper, ProductData, ScraperError
from suppliers.plugins.http_scraper import HttpScraper
from suppliers.registry import scraper_class
from suppliers.scraping import supplier_http

logger = structlog.get_logger(__name__)


class ImportPayloadError(ValueError):
    """A recorded import job whose payload names no product; running it again cannot help."""

    permanent = True


@dataclass
class ImportItem:
    """One import job of the batch (`job` None for the job running the batch, whose outcome `job_run` records)."""

    job: Job | None
    external_id: str
    user_id: int
    reading: ProductData | Exception | None = None
    fresh: Product | None = None
    done: bool = False


def product_import_run(*, supplier: str, external_id: str, user_id: int) -> dict[str, Any]:
    """Import one product for a user, and with it a batch of other waiting imports of the same supplier.

    Returns this job's result `{"product_id", "created", "changed"}` or raises its error (typed scraper
    errors say whether a retry can help); the other jobs of the batch get their outcomes recorded here, each
    as soon as its page arrives, while the rest are still being fetched.
    """
    supplier_row = Supplier.objects.get(slug=supplier)
    items = [ImportItem(job=None, external_id=external_id, user_id=user_id), *_claim_batch(supplier_row)]
    logger.info("import_batch_started", supplier=supplier, size=len(items))
    _mark_fresh(items, supplier=supplier_row)
    _fetch(items, supplier=supplier_row)
    for item in items[1:]:
        if not item.done:
            _complete_member(item, supplier=supplier_row)
    return _import_one(items[0], supplier=supplier_row)


def _claim_batch(supplier: Supplier) -> list[ImportItem]:
    holder = job_current()
    if holder is None or settings.JOBS_INLINE:
        return []
    limit = max(settings.IMPORT_BATCH_SIZE, supplier.concurrency) - 1
    claimed = jobs_claim_batch(holder=holder, payload_match={"supplier": supplier.slug}, limit=limit)
    items = []
    for job in claimed:
        payload = job.payload
        if isinstance(payload.get("external_id"), str) and isinstance(payload.get("user_id"), int):
            items.append(ImportItem(job=job, external_id=payload["external_id"], user_id=payload["user_id"]))
        else:
            job_record_outcome(job=job, error=ImportPayloadError(f"Malformed import payload: {payload!r}"))
    return items


def _mark_fresh(items: list[ImportItem], *, supplier: Supplier) -> None:
    """Products scraped within the supplier's freshness window are linked without fetching them again."""
    since = timezone.now() - timedelta(seconds=supplier.freshness_seconds)
    products = Product.objects.filter(
        supplier=supplier,
        external_id__in={item.external_id for item in items},
        last_scraped_at__gte=since,
        is_gone=False,
    )
    fresh = {product.external_id: product for product in products}
    for item in items:
        item.fresh = fresh.get(item.external_id)


def _fetch(items: list[ImportItem], *, supplier: Supplier) -> None:
    """Fetch every product not fresh; the claimed jobs waiting for a product are completed when it arrives."""
    waiting: dict[str, list[ImportItem]] = {}
    for item in items:
        if item.fresh is None:
            waiting.setdefault(item.external_id, []).append(item)
    if not waiting:
        return

    def arrived(external_id: str, reading: ProductData | Exception) -> None:
        for item in waiting[external_id]:
            item.reading = reading
            if item.job is not None:
                _complete_member(item, supplier=supplier)

    scraper = scraper_for(supplier)
    if isinstance(scraper, HttpScraper):
        asyncio.run(_fetch_concurrently(scraper, sorted(waiting), arrived))
    else:
        for external_id in sorted(waiting):
            arrived(external_id, _fetch_one(scraper, external_id))


def scraper_for(supplier: Supplier) -> BaseScraper:
    """The supplier's scraper plugin, with this process's shared HTTP clients when it fetches over HTTP."""
    plugin = scraper_class(supplier.slug)
    if issubclass(plugin, HttpScraper):
        return plugin(http=supplier_http(supplier.slug))
    return plugin()


def _fetch_one(scraper: BaseScraper, external_id: str) -> ProductData | Exception:
    try:
        return scraper.fetch_product(external_id)
    except Exception as exc:
        return exc


async def _fetch_concurrently(
    scraper: HttpScraper, external_ids: list[str], arrived: Callable[[str, ProductData | Exception], None]
) -> None:
    """Every product at once through one async client (its `max_clients` is the supplier's concurrency).

    Each reading is handed to `arrived` in asgiref's one sync thread as soon as it is parsed, so the database
    work of the batch overlaps its fetching (the ORM never runs on the event loop).
    """
    client = scraper.http.async_client()
    deliver = sync_to_async(arrived, thread_sensitive=True)

    # Only as many fetches in flight as the supplier allows: the rest wait here, not on Redis's slot set.
    gate = asyncio.Semaphore(scraper.http.supplier.concurrency)

    async def one(external_id: str) -> None:
        try:
            async with gate:
                reading: ProductData | Exception = await scraper.afetch_product(external_id, client)
        except Exception as exc:
            reading = exc
        await deliver(external_id, reading)

    try:
        await asyncio.gather(*(one(external_id) for external_id in external_ids))
    finally:
        await client.close()
        # Leave no database connection open in asgiref's thread between batches.
        await sync_to_async(connections.close_all, thread_sensitive=True)()


def _complete_member(item: ImportItem, *, supplier: Supplier) -> None:
    """Import a claimed job's product and record its outcome; its failure never stops the batch."""
    assert item.job is not None
    item.done = True
    try:
        with transaction.atomic():
            result = _import_one(item, supplier=supplier)
            job_record_outcome(job=item.job, result=result)
    except Exception as exc:
        logger.warning("import_failed", job_id=str(item.job.pk), external_id=item.external_id, error=str(exc))
        job_record_outcome(job=item.job, error=exc)


def _import_one(item: ImportItem, *, supplier: Supplier) -> dict[str, Any]:
    if isinstance(item.reading, Exception):
        raise item.reading
    user = User(pk=item.user_id)
    with transaction.atomic(savepoint=False):
        if item.fresh is not None:
            tracked_product_link(user=user, product=item.fresh)
            return {"product_id": item.fresh.pk, "created": False, "changed": False, "fresh": True}
        if item.reading is None:
            raise ScraperError(f"No reading for {item.external_id}")
        ingested = product_ingest(supplier=supplier, data=item.reading)
        tracked_product_link(user=user, product=ingested.product)
        if ingested.price_changed or ingested.stock_changed:
            transaction.on_commit(lambda: _send_changed(ingested), robust=True)
    return {"product_id": ingested.product.pk, "created": ingested.created, "changed": ingested.changed}


def _send_changed(ingested: IngestResult) -> None:
    product_changed.send(sender=Product, product_id=ingested.product.pk, change=change_of(ingested))
