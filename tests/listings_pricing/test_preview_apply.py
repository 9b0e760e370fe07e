"""Previewing a rule writes nothing; applying it reprices existing listings and records each decision."""

from decimal import Decimal

import pytest

from dropship_central.models import Job
from listings.models import Listing, PriceDecision, PricingRule
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/pricing-rules"
D = Decimal


def rule_for(user, **terms) -> PricingRule:
    defaults = {"markup_percent": D("50"), "fee_percent": D("0"), "fixed_fee": D("0"), "rounding": "none"}
    return PricingRuleFactory(user=user, **{**defaults, **terms})


def listing_costing(user, cost: str, price: str = "14.00", **fields) -> Listing:
    return ListingFactory(user=user, product=ProductFactory(price=D(cost)), price=D(price), **fields)


def test_preview_shows_before_and_after_per_listing(auth_client, user):
    rule = rule_for(user)
    listing = listing_costing(user, "10.00")

    response = auth_client.post(f"{URL}/{rule.id}/preview", {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["changes"]) == (1, 1)
    row = body["listings"][0]
    assert (row["listing"], row["price_before"], row["price_after"], row["outcome"]) == (
        listing.id,
        "14.00",
        "15.00",
        "applied",
    )


def test_preview_writes_nothing(auth_client, user):
    rule = rule_for(user)
    listing = listing_costing(user, "10.00")

    auth_client.post(f"{URL}/{rule.id}/preview", {"markup_percent": "80"}, format="json")

    listing.refresh_from_db()
    rule.refresh_from_db()
    assert listing.price == D("14.00")
    assert rule.markup_percent == D("50")
    assert not PriceDecision.objects.exists()


def test_preview_body_overrides_the_saved_rule_for_the_preview(auth_client, user):
    rule = rule_for(user)
    listing_costing(user, "10.00")

    response = auth_client.post(f"{URL}/{rule.id}/preview", {"markup_percent": "80"}, format="json")

    assert response.json()["listings"][0]["price_after"] == "18.00"


def test_preview_leaves_out_listings_another_rule_wins(auth_client, user):
    general = rule_for(user)
    store = StoreAccountFactory(user=user)
    rule_for(user, store_account=store)
    listing_costing(user, "10.00", store_account=store)
    won = listing_costing(user, "10.00")

    response = auth_client.post(f"{URL}/{general.id}/preview", {}, format="json")

    assert [row["listing"] for row in response.json()["listings"]] == [won.id]


def test_preview_of_an_unsaved_rule(auth_client, user):
    listing_costing(user, "10.00")

    response = auth_client.post(
        f"{URL}/preview", {"name": "Draft", "markup_percent": "100", "rounding": "0.99"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["listings"][0]["price_after"] == "20.99"
    assert not PricingRule.objects.exists()


def test_preview_of_an_unsaved_rule_validates_it(auth_client):
    response = auth_client.post(f"{URL}/preview", {"name": "Bad", "fee_percent": "100"}, format="json")

    assert response.status_code == 400


def test_preview_never_shows_another_users_listings(auth_client, user, other_user):
    listing_costing(other_user, "10.00")

    response = auth_client.post(f"{URL}/preview", {"name": "Draft", "markup_percent": "100"}, format="json")

    assert response.json()["count"] == 0


def test_apply_reprices_existing_listings_and_records_decisions(auth_client, user):
    rule = rule_for(user)
    first, second = listing_costing(user, "10.00"), listing_costing(user, "20.00")
    listing_costing(user, "10.00", status=Listing.Status.ENDED)

    response = auth_client.post(f"{URL}/{rule.id}/apply")

    assert response.status_code == 200
    assert response.json()["outcomes"]["applied"] == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.price, second.price) == (D("15.00"), D("30.00"))
    assert PriceDecision.objects.filter(trigger="rule_applied").count() == 2


def test_apply_runs_a_large_set_as_a_job(auth_client, user, settings):
    settings.PRICING_APPLY_INLINE_LIMIT = 1
    rule = rule_for(user)
    listing_costing(user, "10.00")
    listing_costing(user, "20.00")

    response = auth_client.post(f"{URL}/{rule.id}/apply")

    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"]["id"])
    assert (job.type, job.queue, job.payload) == (
        "listings.jobs.listings_reprice_for_rule",
        "sync",
        {"rule_id": rule.id},
    )


def test_the_rule_job_reprices_the_listings(user):
    from listings.jobs import listings_reprice_for_rule

    rule = rule_for(user)
    listing = listing_costing(user, "10.00")

    result = listings_reprice_for_rule(rule_id=rule.id)

    listing.refresh_from_db()
    assert result["applied"] == 1
    assert listing.price == D("15.00")


def test_the_rule_job_skips_a_deleted_rule():
    from listings.jobs import listings_reprice_for_rule

    assert listings_reprice_for_rule(rule_id=987654)["skipped"] == "rule deleted"


def test_an_inactive_rule_is_previewed_as_if_switched_on(auth_client, user):
    rule = rule_for(user, is_active=False)
    listing_costing(user, "10.00")

    response = auth_client.post(f"{URL}/{rule.id}/preview", {}, format="json")

    assert response.json()["listings"][0]["price_after"] == "15.00"
