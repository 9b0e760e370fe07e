"""Which rule prices a listing: chosen > product > store account > user, then priority, then cost tier."""

from decimal import Decimal

from listings import pricing
from listings.models import PricingRule

D = Decimal
PRODUCT, STORE = 7, 3
_ids = iter(range(1, 1000))


def rule(**fields) -> PricingRule:
    return PricingRule(id=next(_ids), currency="USD", is_active=True, **fields)


def pick(rules, *, cost="10.00", currency="USD", chosen=None, rates=None):
    candidates = pricing.rank_candidates(rules=rules, product_id=PRODUCT, store_account_id=STORE, chosen_rule_id=chosen)
    return pricing.select_rule(candidates=candidates, cost=D(cost), cost_currency=currency, rates=rates or {})


def test_product_rule_beats_store_and_user_rules():
    user_rule, store_rule, product_rule = rule(), rule(store_account_id=STORE), rule(product_id=PRODUCT)

    assert pick([user_rule, store_rule, product_rule]) is product_rule


def test_store_rule_beats_user_rule():
    user_rule, store_rule = rule(), rule(store_account_id=STORE)

    assert pick([user_rule, store_rule]) is store_rule


def test_rule_chosen_on_the_listing_beats_a_product_rule():
    chosen, product_rule = rule(), rule(product_id=PRODUCT)

    assert pick([chosen, product_rule], chosen=chosen.id) is chosen


def test_lower_priority_number_wins_at_the_same_specificity():
    late, early = rule(priority=200), rule(priority=10)

    assert pick([late, early]) is early


def test_rules_for_another_product_or_store_are_ignored():
    other_product, other_store, general = rule(product_id=99), rule(store_account_id=99), rule(priority=500)

    assert pick([other_product, other_store, general]) is general


def test_inactive_rules_are_ignored():
    inactive, active = rule(priority=1), rule(priority=2)
    inactive.is_active = False

    assert pick([inactive, active]) is active


def test_the_tier_matching_the_cost_is_chosen():
    cheap = rule(cost_max=D("10.00"), markup_percent=D("100"))
    mid = rule(cost_min=D("10.00"), cost_max=D("50.00"), markup_percent=D("50"))
    dear = rule(cost_min=D("50.00"), markup_percent=D("20"))

    assert pick([cheap, mid, dear], cost="9.99") is cheap
    assert pick([cheap, mid, dear], cost="10.00") is mid
    assert pick([cheap, mid, dear], cost="50.00") is dear


def test_a_tiered_rule_comes_before_an_open_one_of_the_same_priority():
    open_rule, tier = rule(), rule(cost_min=D("5.00"), cost_max=D("20.00"))

    assert pick([open_rule, tier]) is tier


def test_falls_back_to_an_open_rule_when_no_tier_matches():
    tier, open_rule = rule(cost_max=D("5.00")), rule()

    assert pick([tier, open_rule], cost="30.00") is open_rule


def test_tiers_compare_the_cost_converted_to_the_rules_currency():
    tier = rule(cost_min=D("10.00"), cost_max=D("20.00"))

    assert pick([tier], cost="9.50", currency="EUR", rates={"EUR/USD": "1.10"}) is tier


def test_a_tiered_rule_without_a_rate_for_the_cost_currency_does_not_match():
    tier = rule(cost_min=D("1.00"))

    assert pick([tier], cost="9.50", currency="EUR") is None


def test_no_rule_at_all_selects_none():
    assert pick([]) is None
