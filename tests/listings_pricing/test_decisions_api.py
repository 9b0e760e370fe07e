"""`GET /api/v1/listings/{id}/price-decisions` and the admin listing page show the pricing trail."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from listings.services import listing_reprice
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, UserFactory
from tests.listings_pricing.factories import PriceDecisionFactory

pytestmark = pytest.mark.django_db


def test_trail_lists_the_listings_decisions_newest_first(auth_client, user):
    PricingRuleFactory(user=user, markup_percent=Decimal("50"), fee_percent=0, fixed_fee=0, rounding="none")
    listing = ListingFactory(user=user, product=ProductFactory(price=Decimal("10.00")), price=Decimal("14.00"))
    first = listing_reprice(listing=listing, reason="manual")
    second = listing_reprice(listing=listing, reason="product_changed")
    PriceDecisionFactory()

    response = auth_client.get(f"/api/v1/listings/{listing.id}/price-decisions")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [second.id, first.id]
    assert rows[1]["price_before"] == "14.00"
    assert rows[1]["price_after"] == "15.00"
    assert rows[1]["rule_name"]
    assert rows[1]["explanation"]


def test_another_users_trail_is_not_found(other_client, user):
    decision = PriceDecisionFactory(listing=ListingFactory(user=user))

    assert other_client.get(f"/api/v1/listings/{decision.listing_id}/price-decisions").status_code == 404


def test_admin_listing_page_shows_recent_decisions_read_only():
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    decision = PriceDecisionFactory(explanation="rule “Everyday”; price 29.99 → 19.99")

    response = client.get(reverse("admin:listings_listing_change", args=[decision.listing_id]))

    assert response.status_code == 200
    assert "rule “Everyday”; price 29.99 → 19.99" in response.content.decode()
    assert "price_decisions-0-explanation" not in response.content.decode()
