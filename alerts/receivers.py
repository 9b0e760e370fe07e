"""The alerts app's answers to the catalog's signals (connected in `AlertsConfig.ready`)."""

from typing import Any

from django.db.models import Q

from alerts.models import PolicyRule
from catalog.signals import ProductChange
from dropship_central.jobs import job_enqueue


def evaluate_policies_on_product_changed(sender: Any, *, product_id: int, change: ProductChange, **kwargs: Any) -> None:
    """Enqueue the policy evaluation of a changed product (queue `default`, after commit), when any user who
    tracks or lists it has an active rule."""
    owners = Q(user__tracked_products__product_id=product_id) | Q(user__listings__product_id=product_id)
    if not PolicyRule.objects.filter(owners, is_active=True).exists():
        return
    job_enqueue(
        func="alerts.jobs.policies_evaluate_product",
        payload={"product_id": product_id, "change": change.to_payload()},
        queue="default",
    )
