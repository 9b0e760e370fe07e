"""A price held by a guardrail alerts the customer once, and the customer can accept it."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from alerts.models import Alert
from alerts.services import price_held_alert
from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog, Job
from listings.models import Listing, PriceDecision, PricingRule
from listings.services import listing_price_accept, listing_reprice
from tests.core_jobs.conftest import jobs_env, run_worker  # noqa: F401 (fixture)
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, UserFactory

D = Decimal
ALERT_JOB = "alerts.jobs.price_held_alert"


@pytest.fixture
def rule(user) -> PricingRule:
    return PricingRuleFactory(
        user=user, markup_percent=D("50"), fee_percent=D("0"), fixed_fee=D("0"), rounding=PricingRule.Rounding.NONE
    )


@pytest.fixture
def listing(user, rule) -> Listing:
    """Priced at 30.00 while its rule now gives 15.00: a 50 % drop, past the 30 % guardrail."""
    return ListingFactory(user=user, status="active", product=ProductFactory(price=D("10.00")), price=D("30.00"))


def held(listing: Listing) -> PriceDecision:
    decision = listing_reprice(listing=listing, reason="product_changed")
    assert decision.outcome == PriceDecision.Outcome.HELD
    return decision


def accept_url(listing: Listing, decision: PriceDecision) -> str:
    return f"/api/v1/listings/{listing.pk}/price-decisions/{decision.pk}/accept"


@pytest.mark.django_db(transaction=True)
def test_a_held_price_alerts_through_a_job_after_commit(jobs_env, listing):  # noqa: F811
    decision = held(listing)

    job = Job.objects.get(type=ALERT_JOB)
    assert (job.queue, job.payload) == ("default", {"decision_id": decision.pk})
    run_worker()

    alert = Alert.objects.get(type="price_held")
    assert (alert.user_id, alert.listing_id, alert.product_id) == (listing.user_id, listing.pk, listing.product_id)
    assert alert.context["explanation"] == decision.explanation
    assert alert.context["decision"] == decision.pk
    assert "30.00 → 15.00" in alert.message


@pytest.mark.django_db
def test_no_alert_when_the_price_is_applied(listing, django_capture_on_commit_callbacks):
    listing.price = D("16.00")
    listing.save()

    with django_capture_on_commit_callbacks(execute=True):
        listing_reprice(listing=listing, reason="product_changed")

    assert not Job.objects.filter(type=ALERT_JOB).exists()


@pytest.mark.django_db
def test_held_alerts_are_deduped_per_listing_until_a_price_is_applied(user, listing):
    first = price_held_alert(decision=held(listing))
    assert price_held_alert(decision=held(listing)) is None
    listing_price_accept(listing=listing, decision=held(listing), actor=user)
    Listing.objects.filter(pk=listing.pk).update(price=D("40.00"))

    again = price_held_alert(decision=held(listing))

    assert first is not None
    assert again is not None
    assert Alert.objects.filter(type="price_held", listing=listing).count() == 2


@pytest.mark.django_db
def test_a_held_decision_overtaken_by_an_applied_price_does_not_alert(user, listing):
    decision = held(listing)
    listing_price_accept(listing=listing, decision=decision, actor=user)

    assert price_held_alert(decision=decision) is None


@pytest.mark.django_db
def test_accepting_applies_the_held_price_with_an_accepted_decision(user, listing):
    decision = held(listing)

    accepted = listing_price_accept(listing=listing, decision=decision, actor=user)

    listing.refresh_from_db()
    assert listing.price == D("15.00")
    assert (accepted.trigger, accepted.outcome) == ("accepted", "applied")
    assert (accepted.price_before, accepted.price_after, accepted.guardrail) == (D("30.00"), D("15.00"), "price_drop")
    assert (accepted.rule_id, accepted.cost) == (decision.rule_id, decision.cost)
    entry = AuditLog.objects.get(object_id=str(listing.pk), message__startswith="held price accepted")
    assert (entry.actor, entry.changes["price"]) == (user, ["30.00", "15.00"])


@pytest.mark.django_db
def test_only_the_latest_decision_can_be_accepted(user, listing):
    older = held(listing)
    held(listing)

    with pytest.raises(ServiceError) as exc:
        listing_price_accept(listing=listing, decision=older, actor=user)

    assert (exc.value.code, exc.value.status_code) == ("decision_not_acceptable", 409)


@pytest.mark.django_db
def test_a_decision_that_was_not_held_cannot_be_accepted(user, listing):
    listing.price = D("16.00")
    listing.save()
    applied = listing_reprice(listing=listing, reason="manual")

    with pytest.raises(ServiceError) as exc:
        listing_price_accept(listing=listing, decision=applied, actor=user)

    assert exc.value.code == "decision_not_acceptable"


@pytest.mark.django_db
def test_a_closed_listing_cannot_accept(user, listing):
    decision = held(listing)
    Listing.objects.filter(pk=listing.pk).update(status="ended")

    with pytest.raises(ServiceError) as exc:
        listing_price_accept(listing=listing, decision=decision, actor=user)

    assert exc.value.status_code == 409


@pytest.mark.django_db
def test_api_accept_answers_the_listing_at_its_new_price(auth_client, listing):
    decision = held(listing)

    response = auth_client.post(accept_url(listing, decision))

    assert response.status_code == 200
    assert response.json()["price"] == "15.00"
    assert listing.price_decisions.filter(trigger="accepted").exists()


@pytest.mark.django_db
def test_api_accept_is_404_for_another_customer(other_client, listing):
    decision = held(listing)

    response = other_client.post(accept_url(listing, decision))

    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.price == D("30.00")


@pytest.mark.django_db
def test_api_accept_is_404_for_a_decision_of_another_listing(auth_client, user, listing):
    other_listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("30.00"))
    decision = held(other_listing)

    assert auth_client.post(accept_url(listing, decision)).status_code == 404


@pytest.mark.django_db
def test_api_accept_is_409_when_the_decision_is_no_longer_the_latest(auth_client, listing):
    older = held(listing)
    held(listing)

    response = auth_client.post(accept_url(listing, older))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "decision_not_acceptable"


@pytest.mark.django_db
def test_admin_action_accepts_held_prices_and_reports_the_rest(user, listing):
    held(listing)
    plain = ListingFactory(user=user, status="active")
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("admin:listings_listing_changelist"),
        {"action": "accept_held_prices", "_selected_action": [listing.pk, plain.pk]},
        follow=True,
    )

    listing.refresh_from_db()
    assert listing.price == D("15.00")
    assert plain.sku in response.content.decode()
