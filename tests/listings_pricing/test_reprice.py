"""`listing_reprice`: the desired price from the current supplier reading, with a stored decision."""

from decimal import Decimal

import pytest

from dropship_central.models import AuditLog
from listings.models import PriceDecision, PricingRule
from listings.services import listing_reprice
from tests.factories import (
    ListingFactory,
    PriceHistoryFactory,
    PricingRuleFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def plain_rule(user, **terms) -> PricingRule:
    defaults = {
        "markup_percent": D("50"),
        "fee_percent": D("0"),
        "fixed_fee": D("0"),
        "rounding": PricingRule.Rounding.NONE,
    }
    return PricingRuleFactory(user=user, **{**defaults, **terms})


def test_reprice_sets_the_price_and_compare_at_from_the_rule(user):
    plain_rule(user, compare_at_percent=D("20"))
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("14.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    listing.refresh_from_db()
    assert decision.outcome == PriceDecision.Outcome.APPLIED
    assert (listing.price, listing.compare_at_price) == (D("15.00"), D("18.00"))


def test_decision_records_the_reading_rule_and_prices(user):
    rule = plain_rule(user, name="Everyday", cost_min=D("5.00"), cost_max=D("50.00"))
    product = ProductFactory(price=D("10.00"))
    history = PriceHistoryFactory(product=product, price=D("10.00"))
    listing = ListingFactory(user=user, product=product, price=D("14.00"))

    decision = listing_reprice(listing=listing, reason="product_changed")

    assert decision.trigger == "product_changed"
    assert (decision.cost, decision.cost_currency) == (D("10.00"), "USD")
    assert decision.price_history_id == history.pk
    assert decision.reading_at == history.recorded_at
    assert (decision.rule, decision.rule_name, decision.tier) == (rule, "Everyday", "5.00–50.00 USD")
    assert (decision.price_before, decision.price_after) == (D("14.00"), D("15.00"))
    assert "Everyday" in decision.explanation
    assert "14.00 → 15.00" in decision.explanation


def test_decision_records_a_floor_hit(user):
    plain_rule(user, markup_percent=D("0"), min_profit=D("5.00"))
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("14.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    assert decision.floor_hit is True
    assert decision.price_after == D("15.00")


def test_variant_listing_is_priced_from_the_variant_cost(user):
    plain_rule(user)
    variant = ProductVariantFactory(price=D("20.00"), product=ProductFactory(price=D("10.00")))
    listing = ListingFactory(user=user, product=variant.product, variant=variant, price=D("28.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    assert decision.variant_id == variant.pk
    assert decision.price_after == D("30.00")


def test_a_large_drop_is_held_and_the_price_kept(user, settings):
    settings.PRICING_MAX_DROP_PERCENT = "30"
    plain_rule(user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("40.00"))

    decision = listing_reprice(listing=listing, reason="product_changed")

    listing.refresh_from_db()
    assert decision.outcome == PriceDecision.Outcome.HELD
    assert decision.guardrail == "price_drop"
    assert decision.price_after == D("15.00")
    assert listing.price == D("40.00")


def test_no_rule_is_refused_and_recorded_without_touching_the_price(user):
    listing = ListingFactory(user=user, price=D("29.99"))

    decision = listing_reprice(listing=listing, reason="manual")

    listing.refresh_from_db()
    assert (decision.outcome, decision.refusal_code) == (PriceDecision.Outcome.REFUSED, "no_rule")
    assert listing.price == D("29.99")


def test_a_foreign_cost_without_a_rate_is_refused_with_the_reason(user, settings):
    settings.FX_RATES = {}
    plain_rule(user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00"), currency="EUR"), price=D("15.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    assert (decision.outcome, decision.refusal_code) == (PriceDecision.Outcome.REFUSED, "no_fx_rate")
    assert "EUR" in decision.explanation


def test_a_foreign_cost_is_converted_with_the_setting(user, settings):
    settings.FX_RATES = {"EUR/USD": "1.10"}
    plain_rule(user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00"), currency="EUR"), price=D("15.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    assert (decision.converted_cost, decision.fx_rate, decision.price_after) == (D("11.00"), D("1.1"), D("16.50"))


def test_a_rule_in_another_currency_than_the_listing_is_refused(user, settings):
    settings.FX_RATES = {"USD/EUR": "0.9"}
    plain_rule(user, currency="EUR")
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("15.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    assert decision.refusal_code == "currency_mismatch"


def test_an_unchanged_price_is_recorded_as_unchanged(user):
    plain_rule(user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("15.00"))

    assert listing_reprice(listing=listing, reason="manual").outcome == PriceDecision.Outcome.UNCHANGED


def test_another_users_rules_never_price_a_listing(user, other_user):
    plain_rule(other_user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")))

    assert listing_reprice(listing=listing, reason="manual").refusal_code == "no_rule"


def test_an_applied_price_is_audited(user):
    plain_rule(user)
    listing = ListingFactory(user=user, product=ProductFactory(price=D("10.00")), price=D("14.00"))

    listing_reprice(listing=listing, reason="product_changed")

    entry = AuditLog.objects.get(object_id=str(listing.pk))
    assert entry.changes["price"] == ["14.00", "15.00"]
    assert entry.message == "listing repriced: product_changed"


def test_an_inverse_rate_with_a_long_expansion_is_stored_on_the_decision(user, settings):
    settings.FX_RATES = {"USD/EUR": "0.9"}
    plain_rule(user, markup_percent=D("0"))
    listing = ListingFactory(user=user, product=ProductFactory(price=D("9.00"), currency="EUR"), price=D("10.00"))

    decision = listing_reprice(listing=listing, reason="manual")

    decision.refresh_from_db()
    assert decision.fx_rate == D("1.1111111111")
    assert decision.converted_cost == D("10.00")
