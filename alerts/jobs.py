"""Background work of the alerts app. Each job takes ids, loads, calls one service; all are idempotent."""

from typing import Any

from django.utils import timezone

from accounts.models import User
from alerts import delivery, services
from alerts.models import PolicyRule
from catalog.models import Product
from catalog.signals import ProductChange
from dropship_central.jobs import job_enqueue
from listings.models import PriceDecision


def policies_evaluate_product(product_id: int, change: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run the policies of every user tracking or listing the product (queue `default`)."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return {"product": product_id, "evaluated": 0}
    parsed = ProductChange.from_payload(change) if change else None
    outcomes = services.policies_evaluate_product(product=product, change=parsed)
    return {
        "product": product_id,
        "evaluated": len(outcomes),
        "holding": sum(outcome.holds for outcome in outcomes),
        "alerts": [outcome.alert_id for outcome in outcomes if outcome.alerted],
    }


def policies_evaluate_repriced(product_id: int) -> dict[str, Any]:
    """Run the product's low-margin rules once its listings were repriced (`listings_repriced`; queue `default`)."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return {"product": product_id, "evaluated": 0}
    outcomes = services.policies_evaluate_repriced(product=product)
    return {
        "product": product_id,
        "evaluated": len(outcomes),
        "holding": sum(outcome.holds for outcome in outcomes),
        "alerts": [outcome.alert_id for outcome in outcomes if outcome.alerted],
    }


def price_held_alert(decision_id: int) -> dict[str, Any]:
    """Alert the customer about a held price (`price_held`; queue `default`); at most one alert until a price
    is applied."""
    decision = PriceDecision.objects.filter(pk=decision_id).first()
    if decision is None:
        return {"decision": decision_id, "alert": None}
    alert = services.price_held_alert(decision=decision)
    return {"decision": decision_id, "alert": alert.pk if alert else None}


def policy_rule_evaluate(rule_id: int) -> dict[str, Any]:
    """Evaluate a new or changed rule on every product in its scope (queue `default`)."""
    rule = PolicyRule.objects.select_related("user").filter(pk=rule_id, is_active=True).first()
    if rule is None:
        return {"rule": rule_id, "evaluated": 0}
    outcomes = services.policy_rule_evaluate(rule=rule)
    return {"rule": rule_id, "evaluated": len(outcomes), "alerts": [o.alert_id for o in outcomes if o.alerted]}


def policies_evaluate_for_user(user_id: int) -> dict[str, Any]:
    """On-demand evaluation of every active rule of a user, too large to run in the request (queue `default`)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return {"user": user_id, "evaluated": 0}
    outcomes = services.policies_evaluate_user(user=user)
    return {"user": user_id, "evaluated": len(outcomes), "alerts": [o.alert_id for o in outcomes if o.alerted]}


def notification_deliver(notification_id: int) -> dict[str, Any]:
    """One delivery attempt (queue `notify`); a failure raises, so the ledger retries it with backoff."""
    return delivery.notification_deliver(notification_id=notification_id)


def digests_enqueue() -> dict[str, int]:
    """Daily (RQ cron): one `digest_send_for_user` job per user with alerts held for the digest."""
    day = timezone.now().date().isoformat()
    users = User.objects.filter(pk__in=services.digests_due())
    for user in users:
        job_enqueue(
            func="alerts.jobs.digest_send_for_user",
            payload={"user_id": user.pk},
            user=user,
            queue="notify",
            idempotency_key=f"alerts-digest:{day}",
        )
    return {"users": len(users)}


def digest_send_for_user(user_id: int) -> dict[str, Any]:
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return {"user": user_id, "notification": None}
    notification = services.digest_send(user=user)
    return {"user": user_id, "notification": notification.pk if notification else None}
