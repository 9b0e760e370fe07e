"""Background repricing, publishing and sync. Each job takes ids, re-reads, and calls one service; safe to run again."""

from typing import Any

from listings.models import OPEN_STATUSES, Listing, PricingRule
from listings.publishing import listing_publish_now
from listings.selectors import pricing_rule_listing_ids
from listings.services import listings_reprice
from listings.signals import listings_repriced_send
from listings.sync import listings_sync_sweep, store_account_sync


def listings_reprice_for_product(product_id: int) -> dict[str, Any]:
    """Reprice every open listing of a product after its supplier reading changed, then send `listings_repriced`
    (after commit) so margins are judged at the new price."""
    ids = list(Listing.objects.filter(product_id=product_id, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    outcomes = listings_reprice(ids, reason="product_changed")
    listings_repriced_send(product_id=product_id)
    return {"product_id": product_id, "listings": len(ids), **outcomes}


def listings_reprice_for_rule(rule_id: int) -> dict[str, Any]:
    """Reprice the open listings a pricing rule wins (the large-set half of `pricing_rule_apply`)."""
    rule = PricingRule.objects.select_related("user").filter(pk=rule_id).first()
    if rule is None:
        return {"rule_id": rule_id, "skipped": "rule deleted"}
    if not rule.is_active:
        return {"rule_id": rule_id, "skipped": "rule inactive"}
    ids = pricing_rule_listing_ids(rule=rule)
    return {"rule_id": rule_id, "listings": len(ids), **listings_reprice(ids, reason="rule_applied")}


def store_account_sync_run(store_account_id: int, trigger: str = "sync") -> dict[str, Any]:
    """Push every differing listing of one store account (`listings.sync.store_account_sync`)."""
    return store_account_sync(store_account_id=store_account_id, trigger=trigger).as_dict()


def listing_publish_run(listing_id: int) -> dict[str, Any]:
    """Publish one pending listing to its store (`listings.publishing.listing_publish_now`)."""
    return listing_publish_now(listing_id=listing_id)


def listings_sync_sweep_run() -> dict[str, Any]:
    """The periodic safety net (RQ cron): enqueue a sync for every connected store with a differing listing."""
    return listings_sync_sweep()
