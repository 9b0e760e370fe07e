"""Applying a rule reprices exactly the listings its preview shows (the ones it wins), and never when it is off."""

from decimal import Decimal

import pytest

from dropship_central.models import Job
from listings.jobs import listings_reprice_for_rule
from listings.models import Listing, PriceDecision, PricingRule
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/pricing-rules"
D = Decimal


def rule_for(user, **terms) -> PricingRule:
    defaults = {"markup_percent": D("50"), "fee_percent": D("0"), "fixed_fee": D("0"), "rounding": "none"}
    return PricingRuleFactory(user=user, **{**defaults, **terms})


@pytest.fixture
def two_rules(user):
    """A store rule wins its store's listing; the general rule wins only the other one."""
    store = StoreAccountFactory(user=user)
    general = rule_for(user, name="General")
    rule_for(user, name="Store", store_account=store, markup_percent=D("80"))
    store_listing = ListingFactory(user=user, store_account=store, product=ProductFactory(price=D("10")), price=D("14"))
    other = ListingFactory(user=user, product=ProductFactory(price=D("10")), price=D("14"))
    return general, store_listing, other


def preview_ids(client, rule: PricingRule) -> list[int]:
    return [row["listing"] for row in client.post(f"{URL}/{rule.pk}/preview", {}, format="json").json()["listings"]]


def test_apply_reprices_only_the_listings_the_preview_shows(auth_client, two_rules):
    general, store_listing, other = two_rules

    response = auth_client.post(f"{URL}/{general.pk}/apply")

    assert response.status_code == 200
    assert response.json()["listings"] == 1
    assert preview_ids(auth_client, general) == [other.pk]
    assert list(PriceDecision.objects.values_list("listing_id", flat=True)) == [other.pk]
    store_listing.refresh_from_db()
    assert store_listing.price == D("14")


def test_the_large_set_job_reprices_the_same_listings(auth_client, two_rules, settings):
    settings.PRICING_APPLY_INLINE_LIMIT = 0
    general, _store_listing, other = two_rules

    response = auth_client.post(f"{URL}/{general.pk}/apply")
    assert response.status_code == 202
    assert response.json()["listings"] == 1
    result = listings_reprice_for_rule(rule_id=general.pk)

    assert result["listings"] == 1
    assert list(PriceDecision.objects.values_list("listing_id", flat=True)) == [other.pk]
    assert Job.objects.get(type="listings.jobs.listings_reprice_for_rule").payload == {"rule_id": general.pk}


def test_an_inactive_rule_is_refused_with_409(auth_client, user):
    rule = rule_for(user, is_active=False)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10")), price=D("14"))

    response = auth_client.post(f"{URL}/{rule.pk}/apply")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "rule_inactive"
    assert not PriceDecision.objects.exists()
    assert Listing.objects.get(pk=listing.pk).price == D("14")


def test_the_job_skips_a_rule_switched_off_after_it_was_queued(user):
    rule = rule_for(user)
    ListingFactory(user=user, product=ProductFactory(price=D("10")), price=D("14"))
    PricingRule.objects.filter(pk=rule.pk).update(is_active=False)

    assert listings_reprice_for_rule(rule_id=rule.pk) == {"rule_id": rule.pk, "skipped": "rule inactive"}
    assert not PriceDecision.objects.exists()


def test_apply_of_another_customers_rule_is_404(other_client, user):
    rule = rule_for(user)

    assert other_client.post(f"{URL}/{rule.pk}/apply").status_code == 404
