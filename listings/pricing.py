"""The pricing engine: pure functions on `Decimal`, no database.

Selling price, in the rule's currency::

    price = ((cost + shipping) × (1 + markup%) + fixed markup) / (1 − fee% − break-even%) + fixed fee

Profit after fees counts the percentage fees and the break-even reserve as costs::

    profit = price × (1 − fee% − break-even%) − fixed fee − (cost + shipping)

so the minimum-profit floor is the price where that profit equals `min_profit`::

    floor = (cost + shipping + fixed fee + min profit) / (1 − fee% − break-even%)

Exactness: intermediate values keep Decimal's 28 significant digits. The formula price is quantized to cents
with ROUND_HALF_UP; the floor is quantized with ROUND_CEILING so a rounded floor never dips under it; the
larger of the two is then rounded UP to the rule's ending (.99, .95, whole number) so the floor still holds.
A converted cost (foreign currency × FX rate) is quantized to cents with ROUND_HALF_UP before the formula.
The compare-at price is `price × (1 + compare-at%)`, quantized HALF_UP, then rounded up to the same ending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any, Protocol

CENT = Decimal("0.01")
HUNDRED = Decimal("100")
ONE = Decimal("1")


class Rounding:
    NONE = "none"
    END_99 = "0.99"
    END_95 = "0.95"
    WHOLE = "whole"


class Guardrail:
    PRICE_DROP = "price_drop"
    BELOW_COST = "below_cost"


class PricingRefused(Exception):
    """No trustworthy price can be computed; `code` names why (`no_cost`, `no_fx_rate`, `no_rule`, …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class RuleLike(Protocol):
    """What the engine reads of a pricing rule (the `PricingRule` model or an unsaved draft)."""

    id: int | None
    currency: str
    cost_min: Decimal | None
    cost_max: Decimal | None
    shipping_cost: Decimal
    markup_percent: Decimal
    fixed_markup: Decimal
    fee_percent: Decimal
    break_even_percent: Decimal
    fixed_fee: Decimal
    min_profit: Decimal
    compare_at_percent: Decimal | None
    rounding: str


@dataclass(frozen=True)
class Quote:
    """A computed price and how it was reached."""

    cost: Decimal
    cost_currency: str
    converted_cost: Decimal
    currency: str
    fx_rate: Decimal | None
    formula_price: Decimal
    floor_price: Decimal
    floor_hit: bool
    price: Decimal
    compare_at_price: Decimal | None
    steps: list[str] = field(default_factory=list)


def to_cents(value: Decimal, *, rounding: str = ROUND_HALF_UP) -> Decimal:
    return value.quantize(CENT, rounding=rounding)


def fx_rate(*, source: str, target: str, rates: Mapping[str, Any]) -> Decimal:
    """The rate turning an amount in `source` into `target`: `"SRC/TGT"` directly, else `1 / "TGT/SRC"`."""
    if source == target:
        return ONE
    if not source:
        raise PricingRefused("unknown_currency", "The supplier reading has no currency, so it cannot be priced.")
    direct = rates.get(f"{source}/{target}")
    if direct is not None:
        return Decimal(str(direct))
    inverse = rates.get(f"{target}/{source}")
    if inverse is not None:
        return ONE / Decimal(str(inverse))
    raise PricingRefused(
        "no_fx_rate",
        f"The cost is in {source} but the rule prices in {target}, and no {source}/{target} rate is configured "
        "(FX_RATES).",
    )


def convert(amount: Decimal, *, source: str, target: str, rates: Mapping[str, Any]) -> tuple[Decimal, Decimal]:
    """`(amount in target, rate used)`; the converted amount is quantized to cents HALF_UP."""
    rate = fx_rate(source=source, target=target, rates=rates)
    return (amount if rate == ONE else to_cents(amount * rate)), rate


def round_to_ending(price: Decimal, rounding: str) -> Decimal:
    """The smallest price ≥ `price` with the chosen ending (`none` leaves the cents as they are)."""
    if rounding == Rounding.NONE:
        return to_cents(price, rounding=ROUND_CEILING)
    if rounding == Rounding.WHOLE:
        return price.quantize(ONE, rounding=ROUND_CEILING).quantize(CENT)
    ending = Decimal(rounding)
    candidate = price.quantize(ONE, rounding=ROUND_FLOOR) + ending
    if candidate < price:
        candidate += ONE
    return candidate


def _fraction(percent: Decimal) -> Decimal:
    return percent / HUNDRED


def formula_price(*, cost: Decimal, rule: RuleLike) -> Decimal:
    base = (cost + rule.shipping_cost) * (ONE + _fraction(rule.markup_percent)) + rule.fixed_markup
    return base / _net_share(rule) + rule.fixed_fee


def floor_price(*, cost: Decimal, rule: RuleLike) -> Decimal:
    return (cost + rule.shipping_cost + rule.fixed_fee + rule.min_profit) / _net_share(rule)


def profit_after_fees(*, price: Decimal, cost: Decimal, rule: RuleLike) -> Decimal:
    return price * _net_share(rule) - rule.fixed_fee - (cost + rule.shipping_cost)


def _net_share(rule: RuleLike) -> Decimal:
    share = ONE - _fraction(rule.fee_percent) - _fraction(rule.break_even_percent)
    if share <= 0:
        raise PricingRefused("invalid_rule", "Fee % plus break-even % must stay below 100.")
    return share


def compare_at(*, price: Decimal, rule: RuleLike) -> Decimal | None:
    if rule.compare_at_percent is None:
        return None
    raw = to_cents(price * (ONE + _fraction(rule.compare_at_percent)))
    return round_to_ending(raw, rule.rounding)


def quote(*, cost: Decimal | None, cost_currency: str, rule: RuleLike, rates: Mapping[str, Any]) -> Quote:
    """The selling price for `cost` under `rule`; raises `PricingRefused` rather than guess."""
    if cost is None:
        raise PricingRefused("no_cost", "The supplier reading has no price.")
    converted, rate = convert(cost, source=cost_currency, target=rule.currency, rates=rates)
    formula = to_cents(formula_price(cost=converted, rule=rule))
    floor = to_cents(floor_price(cost=converted, rule=rule), rounding=ROUND_CEILING)
    floor_hit = floor > formula
    price = round_to_ending(max(formula, floor), rule.rounding)
    steps = _steps(cost, cost_currency, converted, rate, rule, formula, floor, floor_hit, price)
    compare = compare_at(price=price, rule=rule)
    if compare is not None:
        steps.append(f"compare-at {compare} ({rule.compare_at_percent}% above the price, same ending)")
    return Quote(
        cost=cost,
        cost_currency=cost_currency,
        converted_cost=converted,
        currency=rule.currency,
        fx_rate=None if rate == ONE else rate,
        formula_price=formula,
        floor_price=floor,
        floor_hit=floor_hit,
        price=price,
        compare_at_price=compare,
        steps=steps,
    )


def _steps(
    cost: Decimal,
    cost_currency: str,
    converted: Decimal,
    rate: Decimal,
    rule: RuleLike,
    formula: Decimal,
    floor: Decimal,
    floor_hit: bool,
    price: Decimal,
) -> list[str]:
    steps = [f"supplier cost {cost} {cost_currency}"]
    if rate != ONE:
        steps.append(f"converted at {cost_currency}/{rule.currency} {rate.normalize()} to {converted} {rule.currency}")
    steps.append(
        f"(({converted} + {rule.shipping_cost}) × (1 + {rule.markup_percent}%) + {rule.fixed_markup}) / "
        f"(1 − {rule.fee_percent}% − {rule.break_even_percent}%) + {rule.fixed_fee} = {formula}"
    )
    if floor_hit:
        steps.append(f"minimum profit {rule.min_profit} needs at least {floor}: floor applied")
    if price != max(formula, floor):
        steps.append(f"rounded up to {price} (ending {rule.rounding})")
    return steps


def guardrail(*, previous: Decimal | None, quote: Quote, max_drop_percent: Decimal) -> tuple[str, str] | None:
    """`(code, explanation)` when the new price must be held for a human, else None."""
    if quote.price < quote.converted_cost:
        return Guardrail.BELOW_COST, f"{quote.price} is below the cost {quote.converted_cost}"
    if previous is not None and previous > 0:
        drop = (previous - quote.price) / previous * HUNDRED
        if drop > max_drop_percent:
            return (
                Guardrail.PRICE_DROP,
                f"{previous} → {quote.price} falls {to_cents(drop)}%, more than {max_drop_percent}% in one step",
            )
    return None


def tier_matches(rule: RuleLike, cost: Decimal) -> bool:
    """A tier applies from `cost_min` (inclusive) up to `cost_max` (exclusive); open ends match anything."""
    return (rule.cost_min is None or cost >= rule.cost_min) and (rule.cost_max is None or cost < rule.cost_max)


def tier_label(rule: RuleLike) -> str:
    if rule.cost_min is None and rule.cost_max is None:
        return ""
    low = "" if rule.cost_min is None else str(rule.cost_min)
    high = "" if rule.cost_max is None else str(rule.cost_max)
    return f"{low}–{high} {rule.currency}"


@dataclass(frozen=True)
class Candidate:
    """A rule considered for a listing; `specificity` 0 = chosen on the listing, 1 = product, 2 = store, 3 = user."""

    rule: Any
    specificity: int


def rank_candidates(
    *,
    rules: Iterable[Any],
    product_id: int,
    store_account_id: int,
    chosen_rule_id: int | None = None,
) -> list[Candidate]:
    """Active rules that can apply to a listing, most specific first, then by priority, then by id."""
    found = []
    for rule in rules:
        if not rule.is_active:
            continue
        if rule.product_id not in (None, product_id) or rule.store_account_id not in (None, store_account_id):
            continue
        found.append(Candidate(rule=rule, specificity=_specificity(rule, chosen_rule_id)))
    return sorted(found, key=lambda c: (c.specificity, c.rule.priority, _is_open_tier(c.rule), c.rule.id or 0))


def _specificity(rule: Any, chosen_rule_id: int | None) -> int:
    if chosen_rule_id is not None and rule.id == chosen_rule_id:
        return 0
    if rule.product_id is not None:
        return 1
    return 2 if rule.store_account_id is not None else 3


def _is_open_tier(rule: Any) -> bool:
    return rule.cost_min is None and rule.cost_max is None


def select_rule(
    *, candidates: Sequence[Candidate], cost: Decimal | None, cost_currency: str, rates: Mapping[str, Any]
) -> Any:
    """The first candidate whose cost tier matches the cost in the rule's currency.

    A tiered rule whose currency the cost cannot be converted to does not match; an untiered rule always
    does (and its quote then refuses with the conversion problem). None when no rule applies.
    """
    for candidate in candidates:
        rule = candidate.rule
        if _is_open_tier(rule):
            return rule
        if cost is None:
            continue
        try:
            converted, _rate = convert(cost, source=cost_currency, target=rule.currency, rates=rates)
        except PricingRefused:
            continue
        if tier_matches(rule, converted):
            return rule
    return None
