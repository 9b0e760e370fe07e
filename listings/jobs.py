"""Background repricing. Each job takes ids, re-reads, and calls the repricing service; safe to run again."""

from typing import Any

from listings.models import OPEN_STATUSES, Listing, PricingRule
from listings.selectors import listings_in_rule_scope
from listings.services import listings_reprice


def listings_reprice_for_product(product_id: int) -> dict[str, Any]:
    """Reprice every open listing of a product after its supplier reading changed."""
    ids = list(Listing.objects.filter(product_id=product_id, status__in=OPEN_STATUSES).values_list("pk", flat=True))
    return {"product_id": product_id, "listings": len(ids), **listings_reprice(ids, reason="product_changed")}


def listings_reprice_for_rule(rule_id: int) -> dict[str, Any]:
    """Reprice the open listings a pricing rule can reach (the large-set half of `pricing_rule_apply`)."""
    rule = PricingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        return {"rule_id": rule_id, "skipped": "rule deleted"}
    ids = list(listings_in_rule_scope(rule=rule).values_list("pk", flat=True))
    return {"rule_id": rule_id, "listings": len(ids), **listings_reprice(ids, reason="rule_applied")}
