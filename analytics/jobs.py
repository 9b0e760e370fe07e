"""Analytics background jobs (RQ, through `dropship_central.jobs`): take ids, call one service."""

from typing import Any

from analytics import collection


def category_collect(*, supplier: str, category_id: str) -> dict[str, Any]:
    """Collect one marketplace category for research (queue `scrape`)."""
    return collection.category_collect(supplier=supplier, category_id=category_id).as_dict()


def shop_collect(*, supplier: str, shop_id: str) -> dict[str, Any]:
    """Collect one marketplace shop's products for research (queue `scrape`)."""
    return collection.shop_collect(supplier=supplier, shop_id=shop_id).as_dict()


def category_tree_collect(*, supplier: str) -> dict[str, Any]:
    """Store one marketplace's category tree for research (queue `scrape`)."""
    return collection.category_tree_collect(supplier=supplier)


def collect_enqueue_due() -> dict[str, list[str]]:
    """RQ cron, every minute: a collection job for every scheduled listing that is due (`kind:id` per supplier)."""
    enqueued: dict[str, list[str]] = {}
    for entry in collection.collect_enqueue_due():
        enqueued.setdefault(entry.supplier, []).append(f"{entry.kind.name}:{entry.listing_id}")
    return enqueued
