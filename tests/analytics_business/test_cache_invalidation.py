"""The cached rules results follow their other inputs: price decisions, listing pauses and zeroed quantities,
rule names. In the `shop` business, l1 sold 3 units in the range (03-02) and nothing prices it yet."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.test import APIClient

from dropship_central.models import AuditLog
from listings.models import Listing, PriceDecision
from listings.services import listing_pause
from tests.analytics_business.conftest import RANGE, Shop, at
from tests.factories import PricingRuleFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/rules"


def warm(client: APIClient, params: dict[str, str] = RANGE) -> dict[str, Any]:
    first, second = client.get(URL, params), client.get(URL, params)
    assert (first["X-Analytics-Cache"], second["X-Analytics-Cache"]) == ("miss", "hit")
    return second.json()


def paused(listing: Listing, when: datetime) -> None:
    """An audited pause for low margin, as `listing_pause` writes it, dated `when`."""
    entry = AuditLog.objects.create(
        action=AuditLog.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(Listing),
        object_id=str(listing.pk),
        changes={"status": ["active", "paused"], "status_reason": [None, "low_margin"]},
    )
    AuditLog.objects.filter(pk=entry.pk).update(created_at=when)


def decided(listing: Listing, when: datetime, outcome: str = "applied") -> None:
    """A decision pricing the listing at 20.00 for a cost of 30.00 (a sale loses 10.00), dated `when`."""
    decision = PriceDecision.objects.create(
        listing=listing,
        trigger="product_changed",
        outcome=outcome,
        price_after=Decimal("20.00"),
        converted_cost=Decimal("30.00"),
        currency="USD",
        explanation="test",
    )
    PriceDecision.objects.filter(pk=decision.pk).update(created_at=when)


def test_pausing_a_listing_invalidates_the_owners_cached_rules(auth_client, other_client, shop: Shop):
    today = timezone.now().date()
    params = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    assert warm(auth_client, params)["policies"] == []
    warm(other_client, params)

    listing_pause(listing=shop.l1, reason="low_margin")
    response = auth_client.get(URL, params)

    assert response["X-Analytics-Cache"] == "miss"
    assert [(row["policy"], row["reason"], row["listings"]) for row in response.json()["policies"]] == [
        ("pause", "low_margin", 1)
    ]
    assert other_client.get(URL, params)["X-Analytics-Cache"] == "hit"


def test_an_audited_pause_shows_its_protected_days_at_once(auth_client, other_client, shop: Shop):
    warm(auth_client)
    warm(other_client)

    paused(shop.l1, at("03-03"))
    response = auth_client.get(URL, RANGE)

    assert response["X-Analytics-Cache"] == "miss"
    [policy] = response.json()["policies"]
    assert (policy["protected_days"], policy["estimated_units"]) == ("8.00", "12.00")
    assert other_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"


def test_a_new_price_decision_invalidates_the_owners_cached_rules(auth_client, other_client, shop: Shop):
    paused(shop.l1, at("03-03"))
    assert [row["estimated_loss_avoided"] for row in warm(auth_client)["policies"]] == ["0.00"]
    warm(other_client)

    decided(shop.l1, at("02-20"))
    response = auth_client.get(URL, RANGE)

    assert response["X-Analytics-Cache"] == "miss"
    assert [row["estimated_loss_avoided"] for row in response.json()["policies"]] == ["120.00"]
    assert other_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"


def test_a_refused_decision_or_an_unrelated_audit_entry_keeps_the_cache(auth_client, shop: Shop):
    warm(auth_client)

    decided(shop.l1, at("02-20"), outcome=PriceDecision.Outcome.REFUSED)
    AuditLog.objects.create(
        action=AuditLog.Action.UPDATE,
        content_type=ContentType.objects.get_for_model(Listing),
        object_id=str(shop.l1.pk),
        changes={"title": ["Lamp", "Desk lamp"]},
    )

    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"


def test_renaming_a_rule_invalidates_the_owners_cached_rules(auth_client, other_client, shop: Shop):
    rule = PricingRuleFactory(user=shop.user, name="Standard")
    warm(auth_client)
    warm(other_client)

    rule.name = "Premium"
    rule.save()

    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "miss"
    assert other_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"
