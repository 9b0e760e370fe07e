"""An ended or delisted listing keeps its last price: a reprice is refused and says so in the trail."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from dropship_central.models import AuditLog
from listings.models import Listing, PriceDecision, PricingRule
from listings.services import listing_reprice
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
D = Decimal
CLOSED = [Listing.Status.ENDED, Listing.Status.DELISTED]


@pytest.fixture
def rule(user) -> PricingRule:
    return PricingRuleFactory(
        user=user, markup_percent=D("50"), fee_percent=D("0"), fixed_fee=D("0"), rounding=PricingRule.Rounding.NONE
    )


@pytest.mark.parametrize("status", CLOSED)
def test_reprice_of_a_closed_listing_changes_nothing_and_records_a_refusal(user, rule, status):
    listing = ListingFactory(user=user, status=status, product=ProductFactory(price=D("10.00")), price=D("14.00"))

    decision = listing_reprice(listing=listing, reason="admin")

    listing.refresh_from_db()
    assert listing.price == D("14.00")
    assert (decision.outcome, decision.refusal_code, decision.price_after) == ("refused", "closed", None)
    assert status in decision.explanation
    assert not AuditLog.objects.filter(object_id=str(listing.pk), message__startswith="listing repriced").exists()


def test_reprice_of_an_open_listing_still_applies(user, rule):
    listing = ListingFactory(user=user, status="paused", product=ProductFactory(price=D("10.00")), price=D("14.00"))

    assert listing_reprice(listing=listing, reason="admin").outcome == PriceDecision.Outcome.APPLIED


def test_admin_reprice_action_leaves_closed_listings_at_their_price(user, rule):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    ended = ListingFactory(user=user, status="ended", product=ProductFactory(price=D("10.00")), price=D("14.00"))
    active = ListingFactory(user=user, status="active", product=ProductFactory(price=D("10.00")), price=D("14.00"))

    client.post(
        reverse("admin:listings_listing_changelist"),
        {"action": "reprice_listings", "_selected_action": [ended.pk, active.pk]},
    )

    ended.refresh_from_db()
    active.refresh_from_db()
    assert (ended.price, active.price) == (D("14.00"), D("15.00"))
    assert ended.price_decisions.get().refusal_code == "closed"
