"""Catalog background jobs (RQ, through `dropship_central.jobs`): take ids, call one service."""

from math import ceil
from typing import Any

from django.conf import settings
from django.utils import timezone

from catalog.imports import product_import_run
from catalog.models import Product
from catalog.tracking import batch_size, tracking_pass
from dropship_central.jobs import job_current, job_enqueue
from dropship_central.models import Job
from suppliers.models import Supplier

TRACKING_JOB = "catalog.jobs.tracking_batch"
PENDING = (Job.Status.QUEUED, Job.Status.RETRYING, Job.Status.RUNNING)


def product_import(*, supplier: str, external_id: str, user_id: int) -> dict[str, Any]:
    """Import one supplier product for a user (and a batch of other waiting imports with it)."""
    return product_import_run(supplier=supplier, external_id=external_id, user_id=user_id)


def tracking_batch(*, supplier: str) -> dict[str, Any]:
    """One tracking pass over a batch of the supplier's due products (queue `scrape`).

    A full batch means more may be due: the job tops the supplier's tracking jobs up before it returns.
    """
    row = Supplier.objects.filter(slug=supplier, is_active=True).first()
    if row is None:
        return {"supplier": supplier, "skipped": "supplier inactive or unknown"}
    size = batch_size(row)
    summary = tracking_pass(supplier=row, limit=size)
    if summary.claimed >= size:
        tracking_top_up(supplier=row, running=job_current())
    return {"supplier": supplier, **summary.as_dict()}


def tracking_products(*, supplier: str, product_ids: list[int]) -> dict[str, Any]:
    """A tracking pass over the given products of one supplier, due or not (admin "check now")."""
    row = Supplier.objects.get(slug=supplier)
    summary = tracking_pass(supplier=row, product_ids=product_ids, limit=len(product_ids))
    return {"supplier": supplier, **summary.as_dict()}


def tracking_enqueue_due() -> dict[str, int]:
    """RQ cron, every minute: for every active supplier, enough tracking jobs for what is due.

    PostgreSQL's `next_check_at` decides, so if Redis loses its queues the next tick (with the job
    reconciler) puts every due product back in work.
    """
    return {
        supplier.slug: added
        for supplier in Supplier.objects.filter(is_active=True)
        if (added := tracking_top_up(supplier=supplier))
    }


def tracking_top_up(*, supplier: Supplier, running: Job | None = None) -> int:
    """Enqueue tracking jobs until the supplier's waiting and running ones (but `running`, about to finish)
    can cover its due products."""
    size = batch_size(supplier)
    cap = settings.TRACKING_MAX_PENDING_BATCHES
    due_rows = Product.objects.filter(supplier=supplier, next_check_at__lte=timezone.now()).values("pk")
    due = due_rows[: size * cap].count()
    if not due:
        return 0
    pending = Job.objects.filter(type=TRACKING_JOB, payload__supplier=supplier.slug, status__in=PENDING)
    if running is not None:
        pending = pending.exclude(pk=running.pk)
    wanted = min(ceil(due / size), cap) - pending.count()
    for _ in range(wanted):
        job_enqueue(func=TRACKING_JOB, payload={"supplier": supplier.slug}, queue="scrape")
    return max(wanted, 0)
