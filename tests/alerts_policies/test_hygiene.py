"""Each firing is explained; a condition alerts once until it clears (re-arm), or after a further move."""

from decimal import Decimal

import pytest

from alerts.models import Alert, PolicyAction, PolicyKind, PolicyState
from tests.alerts_policies.conftest import change
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def set_stock(product, stock: int) -> None:
    product.stock_quantity = stock
    product.save()


def test_a_condition_already_true_alerts_on_the_first_evaluation(product, rule_for, run):
    set_stock(product, 2)
    rule = rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))

    [outcome] = run()

    assert outcome.alerted
    assert Alert.objects.get().rule == rule


def test_the_alert_explains_rule_reading_and_threshold(user, product, rule_for, run):
    set_stock(product, 2)
    rule = rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5), name="Keep stock", severity="critical")

    run()

    alert = Alert.objects.get()
    assert alert.message == (f"Keep stock (Low stock) on '{product.title}': stock 2 is below the threshold of 5 units.")
    assert alert.context["rule"] == {"id": rule.pk, "name": "Keep stock", "kind": "low_stock", "action": "alert"}
    assert (alert.context["reading"], alert.context["threshold"], alert.context["unit"]) == ("2", "5.000", "units")
    assert (alert.type, alert.severity, alert.user, alert.product) == ("low_stock", "critical", user, product)


def test_the_alert_records_the_change_and_the_actions_taken(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active")
    rule_for(kind=PolicyKind.PRICE_RISE, threshold=Decimal(10), action=PolicyAction.PAUSE)

    run(change(old_price=Decimal("10.00"), new_price=Decimal("12.00")))

    alert = Alert.objects.get()
    assert "the price rose 20% from 10 to 12 USD, at least the threshold of 10%" in alert.message
    assert alert.context["details"]["change_percent"] == "20.00"
    assert alert.context["change"]["old_price"] == "10.00"
    assert alert.context["actions"] == [{"listing": listing.pk, "action": "pause", "result": "done"}]


def test_the_same_condition_does_not_alert_twice(product, rule_for, run):
    set_stock(product, 2)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))
    run()
    set_stock(product, 1)

    [outcome] = run()

    assert outcome.holds
    assert not outcome.alerted
    assert Alert.objects.count() == 1


def test_a_condition_alerts_again_after_it_cleared_and_fired_again(product, rule_for, run):
    set_stock(product, 2)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))
    run()
    set_stock(product, 9)
    run()
    assert not PolicyState.objects.get().firing
    set_stock(product, 3)

    [outcome] = run()

    assert outcome.alerted
    assert Alert.objects.count() == 2


def test_the_state_is_keyed_by_rule_and_product(product, rule_for, run):
    set_stock(product, 2)
    rule = rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5))

    run()

    state = PolicyState.objects.get()
    assert state.dedupe_key == f"rule:{rule.pk}:product:{product.pk}"
    assert Alert.objects.get().dedupe_key == state.dedupe_key
    assert (state.firing, state.last_reading) == (True, Decimal(2))


def test_low_margin_states_are_kept_per_listing(user, product, rule_for, run):
    first = ListingFactory(user=user, product=product, price=Decimal("21"))
    second = ListingFactory(user=user, product=product, price=Decimal("21"))
    rule = rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal(20))

    run()
    run()

    keys = set(PolicyState.objects.values_list("dedupe_key", flat=True))
    assert keys == {f"rule:{rule.pk}:product:{product.pk}:listing:{listing.pk}" for listing in (first, second)}
    assert Alert.objects.count() == 2


def test_a_further_move_of_at_least_the_minimum_alerts_again(product, rule_for, run):
    set_stock(product, 10)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(20), params={"min_further_move_percent": 50})
    run()
    set_stock(product, 6)
    [smaller] = run()
    set_stock(product, 5)

    [enough] = run()

    assert (smaller.alerted, enough.alerted) == (False, True)
    assert PolicyState.objects.get().last_reading == Decimal(5)


def test_a_move_in_the_better_direction_does_not_alert_again(product, rule_for, run):
    set_stock(product, 2)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(20), params={"min_further_move_percent": 10})
    run()
    set_stock(product, 15)

    [outcome] = run()

    assert outcome.holds
    assert not outcome.alerted


def test_price_drop_realerts_after_a_further_drop(product, rule_for, run):
    rule_for(kind=PolicyKind.PRICE_DROP, threshold=Decimal(10), params={"min_further_move_percent": 20})
    run(change(old_price=Decimal("100"), new_price=Decimal("80")))
    [small] = run(change(old_price=Decimal("80"), new_price=Decimal("70")))

    [big] = run(change(old_price=Decimal("70"), new_price=Decimal("60")))

    assert (small.holds, small.alerted) == (True, False)
    assert (big.holds, big.alerted) == (True, True)


def test_a_retried_back_in_stock_change_alerts_once(rule_for, run):
    rule_for(kind=PolicyKind.BACK_IN_STOCK)
    back = change(old_stock=0, old_availability="out_of_stock")

    run(back)
    run(back)

    assert Alert.objects.count() == 1


def test_an_inactive_rule_does_not_run(product, rule_for, run):
    set_stock(product, 1)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal(5), is_active=False)

    assert run() == []
