"""Listings' answers to the catalog's signals (connected in `ListingsConfig.ready`)."""

from typing import Any

from catalog.signals import ProductChange
from dropship_central.jobs import job_enqueue
from listings.models import OPEN_STATUSES, Listing


def reprice_on_product_changed(sender: Any, *, product_id: int, change: ProductChange, **kwargs: Any) -> None:
    """A new supplier price reprices the product's open listings, in a `sync` job (enqueued after commit)."""
    if not change.price_changed:
        return
    if not Listing.objects.filter(product_id=product_id, status__in=OPEN_STATUSES).exists():
        return
    job_enqueue(func="listings.jobs.listings_reprice_for_product", payload={"product_id": product_id}, queue="sync")
