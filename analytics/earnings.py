"""What each pricing rule earned, what each guardrail kept and what each policy protected, for one user.

Rules and guardrails (from the stored price decisions, summed in `BusinessDay` as the figures land):
- A listing's figures for a day belong to the price decision in force when that day began (00:00 UTC): the
  listing's latest APPLIED, UNCHANGED or HELD decision made before then. REFUSED decisions change nothing. Days
  before a listing's first decision belong to "no rule" (`rule_id` null). Because only decisions made before the
  day count, a day's attribution never changes once the day has started, so it is summed exactly as orders land.
- Per rule: the day's orders, units, revenue, cost of goods, fees, refunds and profit; `markup` = revenue − cost
  of goods (what the rule's price added over the supplier cost), `markup_percent` = markup / cost × 100.
- Per guardrail (`below_cost`, `price_drop`): the figures of the days whose decision was HELD by it, and `kept`
  = Σ units sold on those days × (the held price − the price the rule proposed): revenue the guardrail kept over
  the proposed price on the units actually sold (negative if it held a rise).

Policies (from the audit trail of listing status and quantity changes):
- A listing is protected by `pause:<reason>` from the audit entry that paused it with that reason until the
  entry that moved it out of paused, and by `quantity_zero:<reason>` from the entry that set its quantity to 0
  until the one that raised it again. Time is clipped to the range (and to now); `protected_days` = hours / 24.
- `estimated_units` = the listing's units sold in the range ÷ its unprotected days in the range × protected
  days: sales the policy stopped, e.g. units not oversold while the supplier was out of stock.
  `estimated_revenue` = those units × the listing's average unit revenue in the range.
- `estimated_loss_avoided` = estimated units × the loss per unit at the price in force when protection began,
  if it was a loss: the listing's latest decision before then gives the price (held: the price before) and the
  cost; loss per unit = −(price × (1 − fee % − break-even %) − fixed fee − cost − shipping) with its rule's
  fees, or cost − price without a rule. Zero when a sale would still have made money.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max, Q, Sum
from django.utils import timezone

from analytics.business import (
    CENT,
    FIGURE_NAMES,
    BusinessScope,
    business_days_for_scope,
    figure_sums,
    marketplace_data_for_scope,
    user_listings,
    with_margin,
    zero_figures,
)
from analytics.rollups_portable import decision_sums
from dropship_central.models import AuditLog
from listings.models import Listing, MarketplaceData, PriceDecision, PricingRule
from listings.pricing import PricingRefused, profit_after_fees

DAY_SECONDS = Decimal(86400)
# (policy kind, audited field, the field giving the reason, whether a value of the field means "protected")
POLICY_FIELDS: tuple[tuple[str, str, str, Callable[[Any], bool]], ...] = (
    ("pause", "status", "status_reason", lambda value: value == Listing.Status.PAUSED),
    ("quantity_zero", "quantity", "quantity_reason", lambda value: value == 0),
)
ZERO = Decimal("0.00")


def rule_earnings(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Per pricing rule (and "no rule"), the figures of the days it priced; most profit first."""
    names = dict(PricingRule.objects.filter(user=scope.user).values_list("pk", "name"))
    earnings = []
    for row in _grouped(scope, "rule_id"):
        rule_id, stored_name = row.pop("rule_id") or None, row.pop("stored_name")
        row.pop("kept")
        name = names.get(rule_id, stored_name) if rule_id else ""
        markup = row["revenue"] - row["cost"]
        markup_percent = (markup * 100 / row["cost"]).quantize(CENT, ROUND_HALF_UP) if row["cost"] else None
        earnings.append(
            with_margin({"rule_id": rule_id, "name": name, **row, "markup": markup, "markup_percent": markup_percent})
        )
    return sorted(earnings, key=lambda row: (-row["profit"], row["rule_id"] or 0))


def guardrail_holds(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Per guardrail, the figures of the days a held decision was in force and the revenue it `kept`."""
    rows = sorted((row for row in _grouped(scope, "guardrail") if row["guardrail"]), key=lambda row: row["guardrail"])
    for row in rows:
        row.pop("stored_name")
    return [with_margin(row) for row in rows]


def _grouped(scope: BusinessScope, key: str) -> list[dict[str, Any]]:
    """`key` and the figures summed by it, with `stored_name` (a rule's name as its decisions recorded it) and
    `kept` (the held difference): from `BusinessDay`, or, for one listing or product (which it does not break
    down), from those listings' rows and decisions."""
    if scope.reads_rollups:
        rows = business_days_for_scope(scope=scope).values(key)
        rows = rows.annotate(**figure_sums(), stored_name=Max("rule_name"), kept=Sum("held_difference"))
        return list(rows.order_by())
    totals: dict[Any, dict[str, Any]] = {}
    for row in decision_sums(marketplace_data_for_scope(scope=scope)):
        total = totals.setdefault(row[key], {key: row[key], **zero_figures(), "stored_name": "", "kept": ZERO})
        for name in FIGURE_NAMES:
            total[name] += row[name]
        total["stored_name"] = max(total["stored_name"], row["rule_name"])
        total["kept"] += row["held_difference"]
    return list(totals.values())


@dataclass
class _Protection:
    policy: str
    listing_id: int
    start: datetime
    end: datetime


def policy_protection(*, scope: BusinessScope) -> list[dict[str, Any]]:
    """Per policy (`pause:<reason>`, `quantity_zero:<reason>`), the protected days and the sales it stopped."""
    begins = datetime.combine(scope.date_from, time.min, tzinfo=UTC)
    ends = min(datetime.combine(scope.date_to + timedelta(days=1), time.min, tzinfo=UTC), timezone.now())
    if ends <= begins:
        return []
    clipped = (_clipped(protection, begins, ends) for protection in _protections(scope, until=ends))
    protections = [protection for protection in clipped if protection is not None]
    baselines = _baselines(scope, protections, range_seconds=Decimal((ends - begins).total_seconds()))
    losses = _unit_losses(protections)
    totals: dict[str, dict[str, Any]] = {}
    for protection in protections:
        days = Decimal((protection.end - protection.start).total_seconds()) / DAY_SECONDS
        daily_units, unit_revenue = baselines[protection.listing_id]
        units = (daily_units * days).quantize(CENT, ROUND_HALF_UP)
        total = totals.setdefault(protection.policy, _policy_row(protection.policy))
        total["listing_ids"].add(protection.listing_id)
        total["protected_days"] += days
        total["estimated_units"] += units
        total["estimated_revenue"] += (units * unit_revenue).quantize(CENT, ROUND_HALF_UP)
        loss = losses[(protection.listing_id, protection.start)]
        total["estimated_loss_avoided"] += (units * loss).quantize(CENT, ROUND_HALF_UP)
    rows = []
    for policy in sorted(totals):
        total = totals[policy]
        total["listings"] = len(total.pop("listing_ids"))
        total["protected_days"] = total["protected_days"].quantize(CENT, ROUND_HALF_UP)
        rows.append(total)
    return rows


def _policy_row(policy: str) -> dict[str, Any]:
    kind, _, reason = policy.partition(":")
    return {
        "policy": kind,
        "reason": reason,
        "listing_ids": set(),
        "protected_days": Decimal(0),
        "estimated_units": ZERO,
        "estimated_revenue": ZERO,
        "estimated_loss_avoided": ZERO,
    }


def _protections(scope: BusinessScope, *, until: datetime) -> list[_Protection]:
    """Every pause and zeroed quantity of the scope's listings that began before `until`, from the audit trail."""
    listing_ids = [str(pk) for pk in user_listings(scope=scope).values_list("pk", flat=True)]
    entries = (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Listing),
            object_id__in=listing_ids,
            created_at__lt=until,
        )
        .filter(Q(changes__has_key="status") | Q(changes__has_key="quantity"))
        .order_by("created_at", "id")
        .values_list("object_id", "created_at", "changes")
    )
    open_since: dict[tuple[int, str], tuple[str, datetime]] = {}
    spans: list[_Protection] = []
    for object_id, created_at, changes in entries.iterator():
        listing_id = int(object_id)
        for kind, field, reason_field, protected in POLICY_FIELDS:
            if field not in changes:
                continue
            old, new = changes[field]
            key = (listing_id, kind)
            if protected(new) and not protected(old):
                reason = (changes.get(reason_field) or [None, ""])[1] or "unknown"
                open_since[key] = (f"{kind}:{reason}", created_at)
            elif protected(old) and not protected(new) and key in open_since:
                policy, since = open_since.pop(key)
                spans.append(_Protection(policy, listing_id, since, created_at))
    spans.extend(_Protection(policy, key[0], since, until) for key, (policy, since) in open_since.items())
    return spans


def _clipped(protection: _Protection, begins: datetime, ends: datetime) -> _Protection | None:
    start, end = max(protection.start, begins), min(protection.end, ends)
    return _Protection(protection.policy, protection.listing_id, start, end) if start < end else None


def _baselines(
    scope: BusinessScope, protections: list[_Protection], *, range_seconds: Decimal
) -> dict[int, tuple[Decimal, Decimal]]:
    """Per protected listing: units a day over its unprotected time in the range, and revenue per unit."""
    covered: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for protection in protections:
        covered[protection.listing_id].append((protection.start, protection.end))
    sold = {
        row["listing_id"]: row
        for row in MarketplaceData.objects.filter(
            listing_id__in=list(covered),
            currency=scope.currency,
            date__gte=scope.date_from,
            date__lte=scope.date_to,
        )
        .values("listing_id")
        .annotate(units=Sum("units_sold"), money=Sum("revenue"))
        .order_by()
    }
    baselines = {}
    for listing_id, spans in covered.items():
        units = Decimal(sold.get(listing_id, {}).get("units") or 0)
        revenue = sold.get(listing_id, {}).get("money") or ZERO
        open_days = (range_seconds - _union_seconds(spans)) / DAY_SECONDS
        daily_units = units / open_days if open_days > 0 else Decimal(0)
        baselines[listing_id] = (daily_units, revenue / units if units else ZERO)
    return baselines


def _union_seconds(spans: list[tuple[datetime, datetime]]) -> Decimal:
    total, reach = Decimal(0), None
    for start, end in sorted(spans):
        if reach is not None and start < reach:
            start = reach
        if end > start:
            total += Decimal((end - start).total_seconds())
            reach = end
    return total


@dataclass(frozen=True)
class _Priced:
    """What a price decision says about a sale: when, at what price and cost, under which rule."""

    created_at: datetime
    price: Decimal | None
    cost: Decimal | None
    rule_id: int | None


def _unit_losses(protections: list[_Protection]) -> dict[tuple[int, datetime], Decimal]:
    """What a sale would have lost per unit when each protection began (0 if it would have made money), keyed
    by listing and start: the listing's latest price-setting decision by then gives the price and cost."""
    decisions: dict[int, list[_Priced]] = defaultdict(list)
    setting = [PriceDecision.Outcome.APPLIED, PriceDecision.Outcome.UNCHANGED, PriceDecision.Outcome.HELD]
    rows = PriceDecision.objects.filter(
        listing_id__in={protection.listing_id for protection in protections}, outcome__in=setting
    ).order_by("listing_id", "created_at", "id")
    fields = ("listing_id", "created_at", "outcome", "price_before", "price_after", "converted_cost", "cost", "rule_id")
    for listing_id, created_at, outcome, before, after, converted, cost, rule_id in rows.values_list(*fields):
        price = before if outcome == PriceDecision.Outcome.HELD else after
        decisions[listing_id].append(_Priced(created_at, price, converted if converted is not None else cost, rule_id))
    rule_ids = {decision.rule_id for made in decisions.values() for decision in made if decision.rule_id}
    rules = PricingRule.objects.in_bulk(rule_ids)
    losses = {}
    for protection in protections:
        made = decisions[protection.listing_id]
        index = bisect_right([decision.created_at for decision in made], protection.start)
        losses[(protection.listing_id, protection.start)] = _unit_loss(made[index - 1], rules) if index else ZERO
    return losses


def _unit_loss(decision: _Priced, rules: dict[int, PricingRule]) -> Decimal:
    if decision.price is None or decision.cost is None:
        return ZERO
    profit = decision.price - decision.cost
    rule = rules.get(decision.rule_id) if decision.rule_id else None
    if rule is not None:
        with contextlib.suppress(PricingRefused):  # an invalid rule priced nothing: no fees to count
            profit = profit_after_fees(price=decision.price, cost=decision.cost, rule=rule)
    return max(ZERO, -profit)


def business_earnings(*, scope: BusinessScope) -> dict[str, Any]:
    return {
        **scope.params(),
        "rules": rule_earnings(scope=scope),
        "guardrails": guardrail_holds(scope=scope),
        "policies": policy_protection(scope=scope),
    }
