"""What price a listing should have, and why: the read-only half of repricing (preview and reprice share it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings

from listings import pricing
from listings.models import OPEN_STATUSES, Listing, PriceDecision

Outcome = PriceDecision.Outcome


@dataclass(frozen=True)
class Reading:
    """The supplier reading a price is computed from: the variant's when the listing has one."""

    cost: Decimal | None
    currency: str
    variant_id: int | None
    reading_at: Any


@dataclass
class PriceProposal:
    listing: Listing
    reading: Reading
    rule: Any
    outcome: str
    quote: pricing.Quote | None = None
    refusal_code: str = ""
    guardrail: str = ""
    explanation_lines: list[str] = field(default_factory=list)

    @property
    def price_after(self) -> Decimal | None:
        return self.quote.price if self.quote else None

    @property
    def compare_at_after(self) -> Decimal | None:
        return self.quote.compare_at_price if self.quote else None

    @property
    def explanation(self) -> str:
        return "; ".join(self.explanation_lines)


def listing_reading(listing: Listing) -> Reading:
    product = listing.product
    variant = listing.variant
    if variant is not None:
        return Reading(
            cost=variant.price,
            currency=variant.currency or product.currency,
            variant_id=variant.pk,
            reading_at=product.last_scraped_at,
        )
    return Reading(cost=product.price, currency=product.currency, variant_id=None, reading_at=product.last_scraped_at)


def price_proposal(*, listing: Listing, rules: Iterable[Any]) -> PriceProposal:
    """The price `listing` should have under the best matching rule among `rules` (nothing is written)."""
    reading = listing_reading(listing)
    if listing.status not in OPEN_STATUSES:
        message = f"The listing is {listing.status}; a closed listing keeps its last price."
        return _refused(listing, reading, None, "closed", message)
    rates = settings.FX_RATES
    candidates = pricing.rank_candidates(
        rules=rules,
        product_id=listing.product_id,
        store_account_id=listing.store_account_id,
        chosen_rule_id=listing.pricing_rule_id,
    )
    rule = pricing.select_rule(candidates=candidates, cost=reading.cost, cost_currency=reading.currency, rates=rates)
    if rule is None:
        return _refused(listing, reading, None, "no_rule", "No active pricing rule applies to this listing.")
    if rule.currency != listing.currency:
        message = f"The rule prices in {rule.currency} but the listing sells in {listing.currency}."
        return _refused(listing, reading, rule, "currency_mismatch", message)
    try:
        quote = pricing.quote(cost=reading.cost, cost_currency=reading.currency, rule=rule, rates=rates)
    except pricing.PricingRefused as exc:
        return _refused(listing, reading, rule, exc.code, exc.message)
    return _judged(listing, reading, rule, quote)


def _judged(listing: Listing, reading: Reading, rule: Any, quote: pricing.Quote) -> PriceProposal:
    lines = [_rule_line(rule), *quote.steps]
    held = pricing.guardrail(
        previous=listing.price, quote=quote, max_drop_percent=Decimal(str(settings.PRICING_MAX_DROP_PERCENT))
    )
    if held is not None:
        code, why = held
        lines.append(f"held: {why}")
        return PriceProposal(listing, reading, rule, Outcome.HELD, quote, guardrail=code, explanation_lines=lines)
    unchanged = quote.price == listing.price and quote.compare_at_price == listing.compare_at_price
    outcome = Outcome.UNCHANGED if unchanged else Outcome.APPLIED
    lines.append(f"price {listing.price} → {quote.price}" if not unchanged else f"price stays {quote.price}")
    return PriceProposal(listing, reading, rule, outcome, quote, explanation_lines=lines)


def _rule_line(rule: Any) -> str:
    tier = pricing.tier_label(rule)
    return f"rule “{rule.name}”" + (f", tier {tier}" if tier else "")


def _refused(listing: Listing, reading: Reading, rule: Any, code: str, message: str) -> PriceProposal:
    lines = ([_rule_line(rule)] if rule is not None else []) + [f"refused: {message}"]
    return PriceProposal(listing, reading, rule, Outcome.REFUSED, refusal_code=code, explanation_lines=lines)
