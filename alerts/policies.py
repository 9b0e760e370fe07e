"""The policy engine: one condition per `PolicyKind`, evaluated for a product (and its listings) against a rule.

Evaluators are pure: `evaluate(rule, subject, memory)` returns `Finding`s, each saying whether the condition
holds (None: no reading to judge, the state is left alone), the reading, the threshold and a sentence that
explains it. `alerts.services` turns findings into state changes, listing actions and alerts.

Readings per kind (also the unit of `params["min_further_move_percent"]`, a relative move of the reading):

- low_stock: the product's stock (0 when out of stock); fires when below the threshold.
- out_of_stock: fires when the product is gone, unavailable, out of stock or has stock 0.
- back_in_stock: fires once when the product is in stock after having been seen out of stock.
- low_margin (per listing): margin % = (price − cost − shipping − price × fee % − fixed fee) / price × 100,
  with cost the variant's (or product's) supplier price converted to the listing's currency (FX_RATES), and
  shipping and fees from the pricing rule that prices the listing (`listings.pricing.select_rule` over the
  owner's active rules); without a rate the listing is not judged.
- price_drop / price_rise: the move in % between the previous and the new price (the `ProductChange`, or the
  last two price readings on demand); fires at a move of at least the threshold. The reading is the price.
- price_ceiling: the supplier price converted to `params["currency"]` (default the owner's default currency);
  fires when above the threshold; without a rate it is not judged.
- blocked_brand: the brand equals a term; blocked_keyword: a term appears as a whole word in the title,
  brand or bullets (case-insensitive). Terms are `params["terms"]`.
- shipping_days: `product.attributes["shipping_days"]`; fires when above the threshold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings

from alerts.models import PolicyKind, PolicyRule
from catalog.models import Availability, PriceHistory, Product
from catalog.signals import ProductChange
from listings import pricing
from listings.models import Listing, PricingRule

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
OUT_AVAILABILITY = frozenset({Availability.OUT_OF_STOCK, Availability.UNAVAILABLE})
IN_AVAILABILITY = frozenset({Availability.IN_STOCK, Availability.LOW_STOCK})

NUMERIC_KINDS = frozenset(
    {
        PolicyKind.LOW_STOCK,
        PolicyKind.LOW_MARGIN,
        PolicyKind.PRICE_DROP,
        PolicyKind.PRICE_RISE,
        PolicyKind.PRICE_CEILING,
        PolicyKind.SHIPPING_DAYS,
    }
)
TERM_KINDS = frozenset({PolicyKind.BLOCKED_BRAND, PolicyKind.BLOCKED_KEYWORD})
# The direction in which a reading gets worse: -1 lower is worse, +1 higher is worse.
WORSENS = {
    PolicyKind.LOW_STOCK: -1,
    PolicyKind.LOW_MARGIN: -1,
    PolicyKind.PRICE_DROP: -1,
    PolicyKind.PRICE_RISE: 1,
    PolicyKind.PRICE_CEILING: 1,
    PolicyKind.SHIPPING_DAYS: 1,
}
ALLOWED_ACTIONS = {
    PolicyKind.LOW_STOCK: {"alert", "pause", "zero_quantity"},
    PolicyKind.OUT_OF_STOCK: {"alert", "pause", "zero_quantity"},
    PolicyKind.BACK_IN_STOCK: {"alert", "resume"},
    PolicyKind.LOW_MARGIN: {"alert", "pause"},
    PolicyKind.PRICE_DROP: {"alert", "pause"},
    PolicyKind.PRICE_RISE: {"alert", "pause"},
    PolicyKind.PRICE_CEILING: {"alert", "pause"},
    PolicyKind.BLOCKED_BRAND: {"alert", "pause"},
    PolicyKind.BLOCKED_KEYWORD: {"alert", "pause"},
    PolicyKind.SHIPPING_DAYS: {"alert", "pause"},
}
NEEDS_MEMORY = frozenset({PolicyKind.BACK_IN_STOCK})


@dataclass(frozen=True)
class Finding:
    holds: bool | None
    message: str
    reading: Decimal | None = None
    threshold: Any = None
    unit: str = ""
    listing: Listing | None = None
    details: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] | None = None


@dataclass
class Subject:
    """What a rule is judged on: the product, the change that triggered it (None on demand), the rule
    owner's live listings of the product within the rule's scope, and (for margins) the owner's active
    pricing rules, from which the engine picks the one that prices each listing."""

    product: Product
    change: ProductChange | None
    listings: list[Listing]
    pricing_rules: list[PricingRule] = field(default_factory=list)


Evaluator = Callable[[PolicyRule, Subject, dict[str, Any] | None], list[Finding]]


def evaluate(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None = None) -> list[Finding]:
    """The findings of `rule` on `subject`; `memory` is the rule's stored memory for the product (None if new)."""
    return EVALUATORS[PolicyKind(rule.kind)](rule, subject, memory)


def stock_status(*, availability: str | None, stock: int | None, gone: bool = False) -> str | None:
    """'out', 'in', or None when the reading says neither."""
    if gone or availability in OUT_AVAILABILITY or stock == 0:
        return "out"
    if availability in IN_AVAILABILITY or (stock is not None and stock > 0):
        return "in"
    return None


def _product_stock_status(product: Product) -> str | None:
    return stock_status(availability=product.availability, stock=product.stock_quantity, gone=product.is_gone)


def _low_stock(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    product = subject.product
    stock = product.stock_quantity
    if stock is None:
        if _product_stock_status(product) != "out":
            return [Finding(holds=None, message="No stock reading.")]
        stock = 0
    threshold = rule.threshold
    reading = Decimal(stock)
    holds = reading < threshold
    relation = "is below" if holds else "is not below"
    message = f"stock {stock} {relation} the threshold of {_num(threshold)} units"
    return [Finding(holds=holds, message=message, reading=reading, threshold=threshold, unit="units")]


def _out_of_stock(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    product = subject.product
    status = _product_stock_status(product)
    if status is None:
        return [Finding(holds=None, message="No stock reading.")]
    details = {"availability": product.availability, "stock": product.stock_quantity, "gone": product.is_gone}
    reading = _stock_words(product)
    message = f"the product is out of stock ({reading})" if status == "out" else f"the product is in stock ({reading})"
    return [Finding(holds=status == "out", message=message, threshold="in stock", details=details)]


def _back_in_stock(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    product = subject.product
    status = _product_stock_status(product)
    if status is None:
        return [Finding(holds=None, message="No stock reading.")]
    if memory is not None:
        was_out = bool(memory.get("seen_out"))
    else:
        change = subject.change
        was_out = (
            change is not None and stock_status(availability=change.old_availability, stock=change.old_stock) == "out"
        )
    holds = status == "in" and was_out
    reading = _stock_words(product)
    message = f"the product is back in stock ({reading})" if holds else f"no return to stock ({reading})"
    return [
        Finding(
            holds=holds,
            message=message,
            threshold="out of stock before",
            details={"availability": product.availability, "stock": product.stock_quantity},
            memory={"seen_out": status == "out"},
        )
    ]


def _low_margin(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    return [_listing_margin(rule, listing, subject) for listing in subject.listings]


def listing_margin(listing: Listing, product: Product, pricing_rules: list[PricingRule]) -> dict[str, Any] | None:
    """The margin of `listing` at its price, with shipping and fees of the rule the pricing engine picks for it
    among `pricing_rules`; None when a price is missing or an amount cannot be converted (no FX rate)."""
    source = listing.variant if listing.variant_id and listing.variant is not None else product
    cost, currency = source.price, source.currency or product.currency or listing.currency
    price = listing.price
    if cost is None or price is None or price <= 0:
        return None
    rule = _pricing_rule_of(listing, pricing_rules, cost=cost, currency=currency)
    try:
        converted, rate = pricing.convert(cost, source=currency, target=listing.currency, rates=settings.FX_RATES)
        shipping, fixed_fee = _rule_amounts(rule, listing.currency)
    except pricing.PricingRefused:
        return None
    fee_percent = rule.fee_percent if rule is not None else Decimal(0)
    fees = (price * fee_percent / HUNDRED + fixed_fee).quantize(CENT)
    profit = price - converted - shipping - fees
    margin = (profit / price * HUNDRED).quantize(CENT)
    figures: dict[str, Any] = {
        "price": price,
        "cost": converted,
        "shipping": shipping,
        "fees": fees,
        "profit": profit,
        "margin": margin,
        "pricing_rule": rule.pk if rule is not None else None,
    }
    if currency != listing.currency:
        figures.update({"supplier_cost": cost, "supplier_currency": currency, "fx_rate": rate})
    return figures


def _pricing_rule_of(
    listing: Listing, pricing_rules: list[PricingRule], *, cost: Decimal, currency: str
) -> PricingRule | None:
    """The rule the pricing engine uses for `listing` (the same choice as `listings.proposals.price_proposal`)."""
    candidates = pricing.rank_candidates(
        rules=pricing_rules,
        product_id=listing.product_id,
        store_account_id=listing.store_account_id,
        chosen_rule_id=listing.pricing_rule_id,
    )
    return pricing.select_rule(candidates=candidates, cost=cost, cost_currency=currency, rates=settings.FX_RATES)


def _rule_amounts(rule: PricingRule | None, currency: str) -> tuple[Decimal, Decimal]:
    """The rule's shipping cost and fixed fee in `currency` (zero without a rule); raises `PricingRefused`."""
    if rule is None:
        return Decimal(0), Decimal(0)
    rates = settings.FX_RATES
    shipping, _ = pricing.convert(rule.shipping_cost, source=rule.currency, target=currency, rates=rates)
    fixed_fee, _ = pricing.convert(rule.fixed_fee, source=rule.currency, target=currency, rates=rates)
    return shipping, fixed_fee


def _listing_margin(rule: PolicyRule, listing: Listing, subject: Subject) -> Finding:
    figures = listing_margin(listing, subject.product, subject.pricing_rules)
    if figures is None:
        return Finding(
            holds=None, message="No margin: a price is missing or no FX rate converts the cost.", listing=listing
        )
    margin, threshold = figures["margin"], rule.threshold
    holds = margin < threshold
    relation = "is below" if holds else "is not below"
    message = (
        f"listing {listing.sku} margin {_num(margin)}% {relation} the threshold of {_num(threshold)}% "
        f"(price {_num(figures['price'])}, cost {_num(figures['cost'])}, shipping {_num(figures['shipping'])}, "
        f"fees {_num(figures['fees'])} {listing.currency})"
    )
    details = {key: None if value is None else str(value) for key, value in figures.items()}
    return Finding(
        holds=holds, message=message, reading=margin, threshold=threshold, unit="%", listing=listing, details=details
    )


def _price_move(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    pair = _price_pair(subject)
    if pair is None:
        return []
    old, new, currency = pair
    move = ((new - old) / old * HUNDRED).quantize(CENT)
    threshold = rule.threshold
    if rule.kind == PolicyKind.PRICE_DROP:
        holds, verb = move <= -threshold, "dropped"
    else:
        holds, verb = move >= threshold, "rose"
    moved = f"the price moved {_num(move)}% from {_num(old)} to {_num(new)} {currency}"
    message = (
        f"the price {verb} {_num(abs(move))}% from {_num(old)} to {_num(new)} {currency}, "
        f"at least the threshold of {_num(threshold)}%"
        if holds
        else f"{moved}, under the threshold of {_num(threshold)}%"
    )
    details = {"previous_price": str(old), "price": str(new), "currency": currency, "change_percent": str(move)}
    # The reading is the new price (what a further move is measured on); the threshold is a move in %.
    return [Finding(holds=holds, message=message, reading=new, threshold=threshold, unit=currency, details=details)]


def _price_pair(subject: Subject) -> tuple[Decimal, Decimal, str] | None:
    """(previous price, new price, currency) when they are comparable, from the change or the history."""
    change = subject.change
    if change is not None:
        if not change.price_changed or change.old_currency != change.new_currency:
            return None
        old, new, currency = change.old_price, change.new_price, change.new_currency
    else:
        readings = list(
            PriceHistory.objects.filter(product=subject.product, variant__isnull=True)
            .order_by("-recorded_at", "-id")
            .values_list("price", "currency")[:2]
        )
        if len(readings) < 2 or readings[0][1] != readings[1][1]:
            return None
        (new, currency), (old, _) = readings
    if old is None or new is None or old <= 0:
        return None
    return old, new, currency


def _price_ceiling(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    product = subject.product
    if product.price is None:
        return [Finding(holds=None, message="No price reading.")]
    currency = ceiling_currency(rule)
    try:
        price, rate = pricing.convert(product.price, source=product.currency, target=currency, rates=settings.FX_RATES)
    except pricing.PricingRefused as exc:
        return [Finding(holds=None, message=f"No price to compare: {exc.message}")]
    threshold = rule.threshold
    holds = price > threshold
    relation = "is above" if holds else "is not above"
    converted = "" if product.currency == currency else f" ({_num(product.price)} {product.currency})"
    message = (
        f"the supplier price {_num(price)} {currency}{converted} {relation} the ceiling of {_num(threshold)} {currency}"
    )
    details = {"price": str(product.price), "currency": product.currency, "converted_price": str(price)}
    if product.currency != currency:
        details["fx_rate"] = str(rate)
    return [Finding(holds=holds, message=message, reading=price, threshold=threshold, unit=currency, details=details)]


def ceiling_currency(rule: PolicyRule) -> str:
    """The currency a price ceiling is in: `params["currency"]`, else the owner's default currency, else USD."""
    return str((rule.params or {}).get("currency") or getattr(rule.user, "default_currency", "") or "USD")


def _blocked_brand(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    brand = subject.product.brand.strip()
    terms = {term.casefold(): term for term in rule_terms(rule)}
    matched = terms.get(brand.casefold()) if brand else None
    message = f"the brand '{brand}' is on the blocked list" if matched else f"the brand '{brand}' is not blocked"
    return [_term_finding(matched, message, len(terms))]


def _blocked_keyword(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    product = subject.product
    pattern = keyword_pattern(rule_terms(rule))
    text = "\n".join([product.title, product.brand, *[str(bullet) for bullet in product.bullets or []]])
    found = pattern.search(text) if pattern else None
    matched = found.group(0) if found else None
    message = f"the listing text contains the blocked keyword '{matched}'" if matched else "no blocked keyword found"
    return [_term_finding(matched, message, len(rule_terms(rule)))]


def _term_finding(matched: str | None, message: str, count: int) -> Finding:
    return Finding(
        holds=matched is not None,
        message=message,
        threshold=f"{count} blocked terms",
        details={"matched_term": matched} if matched else {},
    )


def _shipping_days(rule: PolicyRule, subject: Subject, memory: dict[str, Any] | None) -> list[Finding]:
    days = _decimal((subject.product.attributes or {}).get("shipping_days"))
    if days is None:
        return [Finding(holds=None, message="No shipping days reading.")]
    threshold = rule.threshold
    holds = days > threshold
    relation = "is above" if holds else "is not above"
    message = f"shipping takes {_num(days)} days, which {relation} the limit of {_num(threshold)} days"
    return [Finding(holds=holds, message=message, reading=days, threshold=threshold, unit="days")]


def rule_terms(rule: PolicyRule) -> list[str]:
    terms = (rule.params or {}).get("terms") or []
    return [str(term).strip() for term in terms if str(term).strip()]


def keyword_pattern(terms: list[str]) -> re.Pattern[str] | None:
    """One case-insensitive whole-word pattern for every term, longest first so the longest match wins."""
    if not terms:
        return None
    alternatives = "|".join(re.escape(term) for term in sorted(set(terms), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def moved_further(*, kind: str, last: Decimal | None, reading: Decimal | None, percent: Decimal) -> bool:
    """Whether `reading` moved at least `percent` % beyond `last` in the direction that makes it worse."""
    direction = WORSENS.get(PolicyKind(kind))
    if direction is None or last is None or reading is None:
        return False
    worse_by = (reading - last) * direction
    if worse_by <= 0:
        return False
    if last == 0:
        return True
    return worse_by / abs(last) * HUNDRED >= percent


def _stock_words(product: Product) -> str:
    stock = "unknown" if product.stock_quantity is None else str(product.stock_quantity)
    gone = ", gone from the supplier" if product.is_gone else ""
    return f"availability {product.availability}, stock {stock}{gone}"


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _num(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


EVALUATORS: dict[PolicyKind, Evaluator] = {
    PolicyKind.LOW_STOCK: _low_stock,
    PolicyKind.OUT_OF_STOCK: _out_of_stock,
    PolicyKind.BACK_IN_STOCK: _back_in_stock,
    PolicyKind.LOW_MARGIN: _low_margin,
    PolicyKind.PRICE_DROP: _price_move,
    PolicyKind.PRICE_RISE: _price_move,
    PolicyKind.PRICE_CEILING: _price_ceiling,
    PolicyKind.BLOCKED_BRAND: _blocked_brand,
    PolicyKind.BLOCKED_KEYWORD: _blocked_keyword,
    PolicyKind.SHIPPING_DAYS: _shipping_days,
}
