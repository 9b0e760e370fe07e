"""The demo's policy rules, and the alerts and notifications its history would have raised."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from alerts.models import Alert, Notification, PolicyRule
from analytics.demo.state import Demo, backdate
from catalog.models import Availability
from listings.models import Listing

AlertSpec = tuple[datetime, str, Listing, str]


def _policy_rules(demo: Demo) -> dict[str, PolicyRule]:
    user, kind, action = demo.user, PolicyRule.Kind, PolicyRule.Action
    rules = {
        "low_stock": PolicyRule(user=user, name="Low stock warning", kind=kind.LOW_STOCK, threshold=Decimal(5)),
        "out_of_stock": PolicyRule(user=user, name="Pause when out of stock", kind=kind.OUT_OF_STOCK,
                                   action=action.PAUSE, severity="critical"),
        "back_in_stock": PolicyRule(user=user, name="Resume when back in stock", kind=kind.BACK_IN_STOCK,
                                    action=action.RESUME, severity="info"),
        "low_margin": PolicyRule(user=user, name="Margin below 15%", kind=kind.LOW_MARGIN, threshold=Decimal(15)),
        "price_rise": PolicyRule(user=user, name="Supplier price up 5% or more", kind=kind.PRICE_RISE,
                                 threshold=Decimal(5)),
        "price_drop": PolicyRule(user=user, name="Supplier price down 5% or more", kind=kind.PRICE_DROP,
                                 threshold=Decimal(5), severity="info"),
        "ceiling": PolicyRule(user=user, name="eBay supplier price ceiling $250", kind=kind.PRICE_CEILING,
                              threshold=Decimal(250), action=action.PAUSE, store_account=demo.stores["ebay"]),
        "brands": PolicyRule(user=user, name="Blocked brands (VeRO)", kind=kind.BLOCKED_BRAND, action=action.PAUSE,
                             params={"brands": ["Rolex", "Louis Vuitton", "Supreme"]}, severity="critical"),
    }  # fmt: skip
    PolicyRule.objects.bulk_create(rules.values())
    return rules


def _alerts(demo: Demo, rules: dict[str, PolicyRule]) -> None:
    by_product = {listing.product.external_id: listing for listing in demo.listings}
    specs = _stock_alerts(demo, by_product) + _price_alerts(demo, by_product)
    specs.append((demo.day(80), "low_margin", by_product["1005005123456701"], "margin fell below 15%; listing paused"))
    specs.sort(key=lambda spec: spec[0])
    alerts = []
    for at, kind, listing, detail in specs:
        rule = rules[kind]
        alerts.append(
            Alert(
                user=demo.user,
                rule=rule,
                product=listing.product,
                listing=listing,
                type=kind,
                severity=rule.severity,
                message=f"{listing.product.title[:60]}: {detail}",
                context={"product_id": listing.product.pk, "listing_id": listing.pk, "detail": detail},
                dedupe_key=f"{kind}:{listing.product.pk}:{listing.pk}",
                read_at=at + timedelta(hours=3) if at < demo.now - timedelta(days=3) else None,
                acknowledged_at=at + timedelta(hours=5) if at < demo.now - timedelta(days=14) else None,
            )
        )
    Alert.objects.bulk_create(alerts)
    backdate(alerts, [at for at, *_ in specs])
    _notifications(demo, alerts)


def _stock_alerts(demo: Demo, by_product: dict[str, Listing]) -> list[AlertSpec]:
    specs: list[AlertSpec] = []
    for external_id, listing in by_product.items():
        previous = None
        for at, quantity, availability in demo.walks[external_id].stock:
            if availability == Availability.OUT_OF_STOCK:
                specs.append((at, "out_of_stock", listing, "out of stock at the supplier; listing paused"))
            elif previous == Availability.OUT_OF_STOCK:
                specs.append((at, "back_in_stock", listing, f"back in stock ({quantity}); listing resumed"))
            elif availability == Availability.LOW_STOCK != previous and at > demo.now - timedelta(days=14):
                specs.append((at, "low_stock", listing, f"only {quantity} left at the supplier"))
            previous = availability
    return specs


def _price_alerts(demo: Demo, by_product: dict[str, Listing]) -> list[AlertSpec]:
    specs: list[AlertSpec] = []
    for external_id, listing in by_product.items():
        prices = demo.walks[external_id].prices
        for (_, old), (at, new) in pairwise(prices):
            change = (new - old) / old * 100
            if abs(change) >= 5 and at > demo.now - timedelta(days=14):
                kind = "price_rise" if change > 0 else "price_drop"
                specs.append((at, kind, listing, f"supplier price {old} → {new} ({change:+.1f}%)"))
    return specs


def _notifications(demo: Demo, alerts: list[Alert]) -> None:
    rows = []
    hook = "https://hooks.northwind-gadgets.example/dropship"
    for number, alert in enumerate(alerts):
        if alert.severity == "info":
            continue
        created = alert.created_at + timedelta(seconds=20)
        latest = number == len(alerts) - 1
        rows.append(_notification(alert, "email", demo.user.email, created, pending=latest))
        if alert.severity == "critical":
            rows.append(_notification(alert, "webhook", hook, created, failed=number % 3 == 0))
    created = [row.created_at for row in rows]
    Notification.objects.bulk_create(rows)
    backdate(rows, created)


def _notification(
    alert: Alert, channel: str, destination: str, created: datetime, *, pending: bool = False, failed: bool = False
) -> Notification:
    status = "pending" if pending else "failed" if failed else "sent"
    return Notification(
        user=alert.user,
        alert=alert,
        channel=channel,
        destination=destination,
        subject=f"[{alert.severity.upper()}] {alert.message[:200]}",
        payload={"alert_id": alert.pk, "type": alert.type, "message": alert.message},
        status=status,
        attempts=0 if pending else 3 if failed else 1,
        last_error="502 Bad Gateway" if failed else "",
        last_status_code=502 if failed else 200 if status == "sent" else None,
        sent_at=None if status != "sent" else created + timedelta(seconds=2),
        created_at=created,
    )


def build_alerts(demo: Demo) -> None:
    """Policy rules, the alerts the walks would have raised, and their notifications."""
    _alerts(demo, _policy_rules(demo))
