"""Each policy kind fires on one side of its threshold and not on the other."""

from decimal import Decimal

import pytest

from alerts.models import Alert, PolicyKind
from catalog.models import Availability, PriceHistory
from tests.alerts_policies.conftest import change
from tests.factories import ListingFactory, PricingRuleFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def fired(outcomes) -> bool:
    return any(outcome.holds for outcome in outcomes)


@pytest.mark.parametrize(("stock", "fires"), [(4, True), (5, False), (6, False)])
def test_low_stock_fires_below_the_threshold_only(rule_for, product, run, stock, fires):
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))
    product.stock_quantity = stock
    product.save()

    assert fired(run()) is fires


def test_low_stock_counts_an_out_of_stock_product_without_a_count_as_zero(rule_for, product, run):
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(1))
    product.stock_quantity, product.availability = None, Availability.OUT_OF_STOCK
    product.save()

    [outcome] = run()

    assert (outcome.holds, outcome.reading) == (True, "0")


def test_low_stock_without_any_stock_reading_is_not_judged(rule_for, product, run):
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))
    product.stock_quantity, product.availability = None, Availability.UNKNOWN
    product.save()

    assert run() == []


@pytest.mark.parametrize(
    ("availability", "stock", "gone", "fires"),
    [
        (Availability.OUT_OF_STOCK, None, False, True),
        (Availability.UNAVAILABLE, None, False, True),
        (Availability.IN_STOCK, 0, False, True),
        (Availability.IN_STOCK, 3, True, True),
        (Availability.IN_STOCK, 1, False, False),
        (Availability.LOW_STOCK, None, False, False),
    ],
)
def test_out_of_stock_fires_when_the_supplier_has_none(rule_for, product, run, availability, stock, gone, fires):
    rule_for(kind=PolicyKind.OUT_OF_STOCK)
    product.availability, product.stock_quantity, product.is_gone = availability, stock, gone
    product.save()

    assert fired(run()) is fires


def test_back_in_stock_fires_when_a_change_brings_the_product_back(rule_for, run):
    rule_for(kind=PolicyKind.BACK_IN_STOCK)

    outcomes = run(change(old_stock=0, old_availability="out_of_stock"))

    assert fired(outcomes)


def test_back_in_stock_does_not_fire_for_a_product_that_was_never_out(rule_for, run):
    rule_for(kind=PolicyKind.BACK_IN_STOCK)

    assert not fired(run(change(old_stock=20)))


def test_back_in_stock_fires_after_an_evaluation_saw_the_product_out(rule_for, product, run):
    rule_for(kind=PolicyKind.BACK_IN_STOCK)
    product.availability, product.stock_quantity = Availability.OUT_OF_STOCK, 0
    product.save()
    assert not fired(run())
    product.availability, product.stock_quantity = Availability.IN_STOCK, 7
    product.save()

    assert fired(run())


def _margin_listing(user, product, price: str):
    pricing = PricingRuleFactory(
        user=user, fee_percent=Decimal("10"), fixed_fee=Decimal("0.50"), shipping_cost=Decimal("2.00")
    )
    return ListingFactory(user=user, product=product, price=Decimal(price), pricing_rule=pricing, status="active")


# cost 20.00, shipping 2.00, fees 10 % + 0.50. At 30.00: fees 3.50, profit 4.50, margin 15.00 %.
@pytest.mark.parametrize(("threshold", "fires"), [("15.01", True), ("15", False), ("14.99", False)])
def test_low_margin_fires_below_the_threshold_after_fees(user, rule_for, product, run, threshold, fires):
    _margin_listing(user, product, "30.00")
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal(threshold))

    [outcome] = run()

    assert outcome.reading == "15.00"
    assert outcome.holds is fires


def test_low_margin_uses_the_variant_cost_when_the_listing_has_one(user, rule_for, product, run):
    variant = ProductVariantFactory(product=product, price=Decimal("10.00"))
    listing = _margin_listing(user, product, "30.00")
    listing.variant = variant
    listing.save()
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("40"))

    [outcome] = run()

    # profit 30 - 10 - 2 - 3.50 = 14.50 → 48.33 %
    assert (outcome.reading, outcome.holds) == ("48.33", False)


def test_low_margin_uses_the_rule_the_pricing_engine_picks_without_a_pinned_rule(user, rule_for, product, run):
    # A user-level rule, not pinned on the listing: fees 15 % of 30.00 + 0.30 = 4.80, shipping 5.00,
    # profit 30 - 20 - 5 - 4.80 = 0.20 → margin 0.67 %.
    PricingRuleFactory(user=user, fee_percent=Decimal("15"), fixed_fee=Decimal("0.30"), shipping_cost=Decimal("5.00"))
    ListingFactory(user=user, product=product, price=Decimal("30.00"), status="active")
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("10"))

    [outcome] = run()

    assert (outcome.reading, outcome.holds) == ("0.67", True)


def test_low_margin_follows_the_more_specific_rule_like_the_pricing_engine(user, rule_for, product, run):
    PricingRuleFactory(user=user, fee_percent=Decimal("0"), fixed_fee=Decimal("0"), shipping_cost=Decimal("0"))
    PricingRuleFactory(
        user=user, product=product, fee_percent=Decimal("10"), fixed_fee=Decimal("0"), shipping_cost=Decimal("0")
    )
    ListingFactory(user=user, product=product, price=Decimal("30.00"), status="active")
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("50"))

    [outcome] = run()

    # the product rule: fees 3.00, profit 7.00 → 23.33 %
    assert outcome.reading == "23.33"


def test_low_margin_converts_a_foreign_supplier_cost(user, rule_for, product, run, settings):
    settings.FX_RATES = {"USD/EUR": "0.5"}
    listing = _margin_listing(user, product, "30.00")
    listing.currency = "EUR"
    listing.save()
    listing.pricing_rule.currency = "EUR"
    listing.pricing_rule.save()
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("50"))

    [outcome] = run()

    # cost 20.00 USD = 10.00 EUR; fees 3.50, shipping 2.00 → profit 14.50 → 48.33 %
    assert (outcome.reading, outcome.holds) == ("48.33", True)
    assert outcome.message.startswith(f"listing {listing.sku} margin 48.33%")


def test_low_margin_without_an_fx_rate_is_not_judged(user, rule_for, product, run, settings):
    settings.FX_RATES = {}
    listing = _margin_listing(user, product, "30.00")
    listing.currency = "EUR"
    listing.save()
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("50"))

    assert run() == []


@pytest.mark.parametrize(("new_price", "fires"), [("18.00", True), ("18.01", False), ("21.00", False)])
def test_price_drop_fires_at_a_drop_of_at_least_the_threshold(rule_for, run, new_price, fires):
    rule_for(kind=PolicyKind.PRICE_DROP, threshold=Decimal("10"))

    outcomes = run(change(old_price=Decimal("20.00"), new_price=Decimal(new_price)))

    assert fired(outcomes) is fires


@pytest.mark.parametrize(("new_price", "fires"), [("22.00", True), ("21.99", False), ("15.00", False)])
def test_price_rise_fires_at_a_rise_of_at_least_the_threshold(rule_for, run, new_price, fires):
    rule_for(kind=PolicyKind.PRICE_RISE, threshold=Decimal("10"))

    outcomes = run(change(old_price=Decimal("20.00"), new_price=Decimal(new_price)))

    assert fired(outcomes) is fires


def test_price_move_ignores_a_stock_only_change(rule_for, run):
    rule_for(kind=PolicyKind.PRICE_DROP, threshold=Decimal("10"))

    assert run(change(old_stock=3)) == []


def test_price_move_ignores_a_currency_flip(rule_for, run):
    rule_for(kind=PolicyKind.PRICE_DROP, threshold=Decimal("10"))

    assert run(change(old_price=Decimal("20"), new_price=Decimal("2"), old_currency="EUR")) == []


def test_price_move_on_demand_compares_the_last_two_price_readings(rule_for, product, run):
    from django.utils import timezone

    rule_for(kind=PolicyKind.PRICE_DROP, threshold=Decimal("10"))
    earlier = timezone.now() - timezone.timedelta(hours=2)
    PriceHistory.objects.create(product=product, price=Decimal("25.00"), currency="USD", recorded_at=earlier)
    PriceHistory.objects.create(product=product, price=Decimal("20.00"), currency="USD", recorded_at=timezone.now())

    [outcome] = run()

    assert outcome.holds
    assert "dropped 20% from 25 to 20 USD" in outcome.message


@pytest.mark.parametrize(("price", "fires"), [("30.01", True), ("30.00", False), ("29.99", False)])
def test_price_ceiling_fires_above_the_ceiling(rule_for, product, run, price, fires):
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("30"))
    product.price = Decimal(price)
    product.save()

    assert fired(run()) is fires


def test_price_ceiling_converts_the_price_to_the_ceiling_currency(rule_for, product, run, settings):
    settings.FX_RATES = {"EUR/USD": "1.10"}
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("30"), params={"currency": "USD"})
    product.price, product.currency = Decimal("28.00"), "EUR"
    product.save()

    [outcome] = run()

    # 28.00 EUR × 1.10 = 30.80 USD
    assert (outcome.holds, outcome.reading) == (True, "30.80")


def test_price_ceiling_defaults_to_the_owners_currency(user, rule_for, product, run, settings):
    settings.FX_RATES = {"USD/EUR": "0.5"}
    user.default_currency = "EUR"
    user.save()
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("15"))
    product.price, product.currency = Decimal("20.00"), "USD"
    product.save()

    [outcome] = run()

    assert (outcome.holds, outcome.reading) == (False, "10.00")


def test_price_ceiling_without_an_fx_rate_is_not_judged(rule_for, product, run, settings):
    settings.FX_RATES = {}
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("1"), params={"currency": "GBP"})
    product.price, product.currency = Decimal("20.00"), "USD"
    product.save()

    assert run() == []


@pytest.mark.parametrize(("brand", "fires"), [("Nike", True), ("  NIKE ", True), ("Nikes", False), ("", False)])
def test_blocked_brand_matches_the_whole_brand_case_insensitively(rule_for, product, run, brand, fires):
    rule_for(kind=PolicyKind.BLOCKED_BRAND, params={"terms": ["Apple", "nike"]})
    product.brand = brand
    product.save()

    assert fired(run()) is fires


@pytest.mark.parametrize(
    ("title", "fires"),
    [("Genuine Rolex style watch", True), ("ROLEX", True), ("Rolexes are great", False), ("Plain watch", False)],
)
def test_blocked_keyword_matches_whole_words_in_the_title(rule_for, product, run, title, fires):
    rule_for(kind=PolicyKind.BLOCKED_KEYWORD, params={"terms": ["rolex", "disney princess"]})
    product.title, product.brand = title, "Acme"
    product.save()

    assert fired(run()) is fires


def test_blocked_keyword_searches_the_bullets(rule_for, product, run):
    rule_for(kind=PolicyKind.BLOCKED_KEYWORD, params={"terms": ["Disney Princess"]})
    product.bullets = ["Ships fast", "Official disney princess costume"]
    product.save()

    [outcome] = run()

    assert outcome.holds
    assert "disney princess" in outcome.message


@pytest.mark.parametrize(("days", "fires"), [(15, True), ("14.5", True), (14, False), (3, False)])
def test_shipping_days_fires_above_the_limit(rule_for, product, run, days, fires):
    rule_for(kind=PolicyKind.SHIPPING_DAYS, threshold=Decimal("14"))
    product.attributes = {"shipping_days": days}
    product.save()

    assert fired(run()) is fires


def test_shipping_days_without_the_attribute_is_not_judged(rule_for, product, run):
    rule_for(kind=PolicyKind.SHIPPING_DAYS, threshold=Decimal("14"))
    product.attributes = {}
    product.save()

    assert run() == []
    assert not Alert.objects.exists()
