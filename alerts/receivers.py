"""The alerts app's answers to the catalog's and the listings' signals (connected in `AlertsConfig.ready`)."""

from typing import Any

from django.db.models import Q

from alerts.models import PolicyKind, PolicyRule
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


def evaluate_low_margin_on_listings_repriced(sender: Any, *, product_id: int, **kwargs: Any) -> None:
    """Enqueue the product's low-margin rules (queue `default`, after commit) once its listings carry their new
    prices, when any user who lists it has an active one."""
    rules = PolicyRule.objects.filter(user__listings__product_id=product_id, kind=PolicyKind.LOW_MARGIN, is_active=True)
    if not rules.exists():
        return
    job_enqueue(func="alerts.jobs.policies_evaluate_repriced", payload={"product_id": product_id}, queue="default")


def alert_on_price_held(sender: Any, *, listing_id: int, decision_id: int, **kwargs: Any) -> None:
    """Enqueue the `price_held` alert of a held price decision (queue `default`, after commit)."""
    job_enqueue(func="alerts.jobs.price_held_alert", payload={"decision_id": decision_id}, queue="default")
