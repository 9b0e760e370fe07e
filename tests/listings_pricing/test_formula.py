"""The pricing engine on exact decimals (no database)."""

from decimal import Decimal

import pytest

from listings import pricing
from listings.models import PricingRule

D = Decimal


def rule(**terms) -> PricingRule:
    defaults = {"currency": "USD", "rounding": PricingRule.Rounding.NONE}
    return PricingRule(**{**defaults, **terms})


def price(cost: str, *, currency: str = "USD", rates: dict | None = None, **terms) -> pricing.Quote:
    return pricing.quote(cost=D(cost), cost_currency=currency, rule=rule(**terms), rates=rates or {})


def test_markup_only():
    assert price("10.00", markup_percent=D("50")).price == D("15.00")


def test_shipping_is_added_to_the_cost_before_markup():
    assert price("10.00", shipping_cost=D("2.00"), markup_percent=D("50")).price == D("18.00")


def test_fixed_markup_is_added_after_the_percentage_markup():
    assert price("10.00", markup_percent=D("20"), fixed_markup=D("2.00")).price == D("14.00")


def test_fee_percent_divides_the_price():
    assert price("9.00", fee_percent=D("10")).price == D("10.00")


def test_break_even_percent_divides_alongside_the_fee():
    assert price("8.00", fee_percent=D("15"), break_even_percent=D("5")).price == D("10.00")


def test_fixed_fee_is_added_after_the_division_and_the_result_rounds_half_up():
    # 10 × 1.3 / 0.9 + 0.30 = 14.7444… → 14.74
    result = price("10.00", markup_percent=D("30"), fee_percent=D("10"), fixed_fee=D("0.30"))

    assert result.formula_price == D("14.74")
    assert result.price == D("14.74")
    assert result.floor_hit is False


def test_minimum_profit_floor_lifts_the_price_and_the_profit_holds():
    # formula 11 / 0.9 = 12.22; floor (10 + 5) / 0.9 = 16.666… rounded up to 16.67
    terms = {"markup_percent": D("10"), "fee_percent": D("10"), "min_profit": D("5.00")}
    result = price("10.00", **terms)

    assert result.formula_price == D("12.22")
    assert result.floor_price == D("16.67")
    assert result.floor_hit is True
    assert result.price == D("16.67")
    assert pricing.profit_after_fees(price=result.price, cost=D("10.00"), rule=rule(**terms)) >= D("5.00")


def test_floor_counts_the_fixed_fee_and_break_even_as_costs():
    # (20 + 0.30 + 2) / (1 − 0.10 − 0.05) = 26.2352… → 26.24
    result = price("20.00", fee_percent=D("10"), break_even_percent=D("5"), fixed_fee=D("0.30"), min_profit=D("2"))

    assert result.floor_price == D("26.24")
    assert result.price == D("26.24")


def test_a_zero_floor_still_prevents_a_loss_from_rounding_down():
    # 10 / 0.9 = 11.111… would round half-up to 11.11, which loses 0.001 after fees
    result = price("10.00", fee_percent=D("10"))

    assert result.formula_price == D("11.11")
    assert result.price == D("11.12")
    assert result.floor_hit is True


@pytest.mark.parametrize(
    ("rounding", "before", "after"),
    [
        ("0.99", "14.74", "14.99"),
        ("0.99", "14.99", "14.99"),
        ("0.99", "15.00", "15.99"),
        ("0.95", "14.74", "14.95"),
        ("0.95", "14.95", "14.95"),
        ("0.95", "14.96", "15.95"),
        ("whole", "14.01", "15.00"),
        ("whole", "14.00", "14.00"),
        ("none", "14.74", "14.74"),
    ],
)
def test_rounding_always_goes_up_to_the_ending(rounding, before, after):
    assert pricing.round_to_ending(D(before), rounding) == D(after)


def test_rounding_applies_after_the_floor_so_the_floor_holds():
    result = price("10.00", markup_percent=D("10"), fee_percent=D("10"), min_profit=D("5"), rounding="0.99")

    assert result.price == D("16.99")


def test_compare_at_is_a_percent_above_the_price():
    assert price("20.00", compare_at_percent=D("25")).compare_at_price == D("25.00")


def test_compare_at_is_rounded_to_the_same_ending():
    # 15.99 × 1.2 = 19.188 → 19.19 → 19.99
    result = price("10.00", markup_percent=D("50"), compare_at_percent=D("20"), rounding="0.99")

    assert result.price == D("15.99")
    assert result.compare_at_price == D("19.99")


def test_no_compare_at_without_a_percent():
    assert price("10.00").compare_at_price is None


def test_foreign_cost_is_converted_with_the_configured_rate():
    result = price("10.00", currency="EUR", rates={"EUR/USD": "1.08"})

    assert result.converted_cost == D("10.80")
    assert result.fx_rate == D("1.08")
    assert result.price == D("10.80")


def test_converted_cost_rounds_half_up_to_cents():
    # 9.99 × 1.085 = 10.83915
    assert price("9.99", currency="EUR", rates={"EUR/USD": "1.085"}).converted_cost == D("10.84")


def test_the_inverse_rate_is_used_when_only_it_is_configured():
    assert price("10.00", currency="EUR", rates={"USD/EUR": "0.8"}).converted_cost == D("12.50")


def test_currency_mismatch_without_a_rate_is_refused_with_a_reason():
    with pytest.raises(pricing.PricingRefused) as exc:
        price("10.00", currency="GBP", rates={"EUR/USD": "1.08"})

    assert exc.value.code == "no_fx_rate"
    assert "GBP" in exc.value.message
    assert "USD" in exc.value.message


def test_a_reading_without_a_price_is_refused():
    with pytest.raises(pricing.PricingRefused) as exc:
        pricing.quote(cost=None, cost_currency="USD", rule=rule(), rates={})

    assert exc.value.code == "no_cost"


def test_a_reading_without_a_currency_is_refused_when_the_rule_has_one():
    with pytest.raises(pricing.PricingRefused) as exc:
        price("10.00", currency="")

    assert exc.value.code == "unknown_currency"


def test_steps_explain_conversion_formula_and_floor():
    result = price("10.00", currency="EUR", rates={"EUR/USD": "1.08"}, fee_percent=D("10"), min_profit=D("3"))

    text = " | ".join(result.steps)
    assert "converted at EUR/USD 1.08" in text
    assert "floor applied" in text


def _quote(price_: str, cost: str) -> pricing.Quote:
    return pricing.Quote(
        cost=D(cost),
        cost_currency="USD",
        converted_cost=D(cost),
        currency="USD",
        fx_rate=None,
        formula_price=D(price_),
        floor_price=D(price_),
        floor_hit=False,
        price=D(price_),
        compare_at_price=None,
    )


def test_guardrail_holds_a_drop_larger_than_the_limit():
    held = pricing.guardrail(previous=D("20.00"), quote=_quote("13.99", "5"), max_drop_percent=D("30"))

    assert held is not None
    assert held[0] == pricing.Guardrail.PRICE_DROP


def test_guardrail_lets_a_drop_within_the_limit_pass():
    assert pricing.guardrail(previous=D("20.00"), quote=_quote("14.00", "5"), max_drop_percent=D("30")) is None


def test_guardrail_holds_a_price_below_cost():
    held = pricing.guardrail(previous=None, quote=_quote("9.00", "10"), max_drop_percent=D("30"))

    assert held is not None
    assert held[0] == pricing.Guardrail.BELOW_COST
