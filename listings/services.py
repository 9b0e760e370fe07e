"""Listing verbs: content edits, pricing rules, repricing, and the listing state machine.

State machine (every move is a service below, guarded by a conditional UPDATE on the current status)::

    pending ──activate──▶ active ──pause──▶ paused
                            ▲                 │
                            └─────resume──────┘
    pending | active | paused ──end──▶ ended          (terminal)
    pending | active | paused ──delist──▶ delisted    (terminal: supplier dropped the product, policy blocked it)

`listing_set_quantity_zero` keeps the status and offers nothing (out of stock without pausing);
`listing_restore_quantity` offers the supplier's stock again. Reasons come from `StatusReason`: a transition writes
`status_reason`, a quantity change writes `quantity_reason` and never touches the status's reason, so a listing
paused by hand stays paused by hand whatever stock does to its quantity.

Every change to a published listing's desired state (a transition, a quantity, a new price) enqueues its store's
sync job once the transaction commits (`listings.sync.store_account_sync_soon`), which pushes the difference.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.services import quota_check
from catalog.models import Availability, PriceHistory, Product, TrackedProduct
from catalog.schedule import products_listed_set
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.jobs import job_enqueue
from dropship_central.models import AuditLog, Job
from listings import pricing
from listings.models import OPEN_STATUSES, Listing, PriceDecision, PricingRule, StatusReason
from listings.proposals import PriceProposal, price_proposal
from listings.selectors import pricing_rule_listing_ids
from listings.signals import price_held_send
from listings.sync import store_account_sync_soon
from marketplaces.models import StoreAccount

USER_EDITABLE_FIELDS = frozenset({"title", "description", "max_quantity", "pricing_rule", "sku"})


def listing_update(
    *, listing: Listing, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Listing:
    """Change the customer-editable fields: title, description, max_quantity, pricing_rule, and sku while pending."""
    _refuse_other_fields(data)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing.pk)
        _check_sku(listing, data)
        _check_pricing_rule(listing, data.get("pricing_rule"))
        before = _snapshot(listing, data)
        for field, value in data.items():
            setattr(listing, field, value)
        changes = diff_fields(before, _snapshot(listing, data))
        if not changes:
            return listing
        _save(listing, fields=[*data, "updated_at"])
        audit_record(actor=actor, action=AuditLog.Action.UPDATE, obj=listing, changes=changes, request=request)
    return listing


def _refuse_other_fields(data: dict[str, Any]) -> None:
    _refuse_fields(data, USER_EDITABLE_FIELDS, "This field cannot be changed here.")


def _check_sku(listing: Listing, data: dict[str, Any]) -> None:
    if "sku" in data and data["sku"] != listing.sku and listing.status != Listing.Status.PENDING:
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={"sku": ["The SKU can change only while the listing is pending."]},
        )


def _check_pricing_rule(listing: Listing, rule: PricingRule | None) -> None:
    if rule is None:
        return
    if rule.user_id != listing.user_id:
        problem = "Choose one of your own pricing rules."
    elif rule.store_account_id not in (None, listing.store_account_id):
        problem = "This pricing rule belongs to another store."
    elif rule.product_id not in (None, listing.product_id):
        problem = "This pricing rule belongs to another product."
    else:
        return
    raise ServiceError("The request is invalid.", code="validation_error", details={"pricing_rule": [problem]})


def _save(listing: Listing, *, fields: list[str]) -> None:
    try:
        with transaction.atomic():
            listing.save(update_fields=fields)
    except IntegrityError as exc:
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={"sku": ["This store already has a listing with this SKU."]},
        ) from exc


def _snapshot(listing: Listing, data: dict[str, Any]) -> dict[str, Any]:
    return {field: _value(listing, field) for field in data}


def _value(listing: Listing, field: str) -> Any:
    return listing.pricing_rule_id if field == "pricing_rule" else getattr(listing, field)


# --- Creating a listing --------------------------------------------------------------------------

CREATE_FIELDS = frozenset({"sku", "title", "description", "max_quantity", "pricing_rule"})
TITLE_LIMITS = {StoreAccount.Marketplace.EBAY: 80}
TITLE_MAX = 255
SKU_MAX = 64


def listing_create(
    *,
    user: User,
    product: Product,
    store_account: StoreAccount,
    data: dict[str, Any],
    request: HttpRequest | None = None,
    actor: User | None = None,
) -> Listing:
    """A pending listing of a product `user` tracks on one of `user`'s stores, priced at once by its rules.

    `data` may hold sku (default: supplier slug and external id, made unique in the store), title (default: the
    product title cut to the marketplace's limit, eBay 80), description, max_quantity and pricing_rule. Open
    listings count against the tier's `listings` quota. The first price decision (trigger `created`) is recorded
    in the same transaction; `actor` (default `user`, e.g. an operator) is audited. Publishing is a separate step.
    """
    _refuse_fields(data, CREATE_FIELDS, "This field cannot be set.")
    _check_create_target(user=user, product=product, store_account=store_account)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        _check_listing_quota(user)
        listing = _new_listing(user=user, product=product, store_account=store_account, data=data)
        _save_new(listing)
        audit_record(
            actor=actor or user,
            action=AuditLog.Action.CREATE,
            obj=listing,
            changes=diff_fields({}, _created_snapshot(listing)),
            request=request,
            message="listing created",
        )
        listing_reprice(listing=listing, reason="created")
        product_listed_refresh(product_id=product.pk)
    listing.refresh_from_db()
    return listing


def listing_create_check(
    *, user: User, product: Product, store_account: StoreAccount, data: dict[str, Any] | None = None
) -> None:
    """Every refusal `listing_create` would give, without writing anything (the admin's add form shows them)."""
    _check_create_target(user=user, product=product, store_account=store_account)
    _check_listing_quota(user)
    if data is not None:
        _refuse_fields(data, CREATE_FIELDS, "This field cannot be set.")
        _new_listing(user=user, product=product, store_account=store_account, data=data)


def _check_listing_quota(user: User) -> None:
    open_listings = Listing.objects.filter(user=user, status__in=OPEN_STATUSES).count()
    quota_check(user=user, resource="listings", current=open_listings)


def _check_create_target(*, user: User, product: Product, store_account: StoreAccount) -> None:
    """Refuse a product the user does not track or a store that is not theirs (404), or a disconnected store (409)."""
    if not TrackedProduct.objects.filter(user=user, product=product).exists():
        raise ServiceError(
            "No tracked product with this id.", code="not_found", status_code=404, details={"product": product.pk}
        )
    if store_account.user_id != user.pk:
        raise ServiceError(
            "No store account with this id.",
            code="not_found",
            status_code=404,
            details={"store_account": store_account.pk},
        )
    if store_account.status == StoreAccount.Status.DISCONNECTED:
        raise ServiceError(
            f"The store {store_account.name} is disconnected: connect it again before listing on it.",
            code="store_disconnected",
            status_code=409,
            details={"store_account": store_account.pk, "status": store_account.status},
        )


def _refuse_fields(data: dict[str, Any], allowed: frozenset[str], message: str) -> None:
    if other := sorted(set(data) - allowed):
        raise ServiceError(
            "The request is invalid.", code="validation_error", details={field: [message] for field in other}
        )


def _new_listing(*, user: User, product: Product, store_account: StoreAccount, data: dict[str, Any]) -> Listing:
    listing = Listing(
        user=user,
        product=product,
        store_account=store_account,
        status=Listing.Status.PENDING,
        currency=store_account.currency,
        title=_title(product, store_account, data.get("title")),
        description=data.get("description") or "",
        max_quantity=data.get("max_quantity"),
        pricing_rule=data.get("pricing_rule"),
    )
    _check_pricing_rule(listing, listing.pricing_rule)
    listing.sku = _new_sku(product, store_account, data.get("sku"))
    listing.quantity = _stock_to_offer(listing)
    return listing


def _title(product: Product, store_account: StoreAccount, title: str | None) -> str:
    limit = TITLE_LIMITS.get(store_account.marketplace, TITLE_MAX)
    if not title:
        return product.title[:limit].strip()
    if len(title) > limit:
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={"title": [f"At most {limit} characters on {store_account.marketplace}."]},
        )
    return title


def _new_sku(product: Product, store_account: StoreAccount, sku: str | None) -> str:
    """The given SKU if free in the store; else the default, with `-2`, `-3`… when the product is listed again."""
    taken = Listing.objects.filter(store_account=store_account)
    if sku:
        if taken.filter(sku=sku).exists():
            raise ServiceError(
                "The request is invalid.",
                code="validation_error",
                details={"sku": ["This store already has a listing with this SKU."]},
            )
        return sku
    base = f"{product.supplier.slug}-{product.external_id}".upper()[:SKU_MAX]
    used = set(taken.filter(sku__startswith=base).values_list("sku", flat=True))
    candidate, number = base, 1
    while candidate in used:
        number += 1
        suffix = f"-{number}"
        candidate = base[: SKU_MAX - len(suffix)] + suffix
    return candidate


def _save_new(listing: Listing) -> None:
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={"sku": ["This store already has a listing with this SKU."]},
        ) from exc


def _created_snapshot(listing: Listing) -> dict[str, Any]:
    return {
        "product": listing.product_id,
        "store_account": listing.store_account_id,
        "sku": listing.sku,
        "title": listing.title,
        "max_quantity": listing.max_quantity,
        "pricing_rule": listing.pricing_rule_id,
        "quantity": listing.quantity,
        "currency": listing.currency,
    }


# --- Pricing rules -------------------------------------------------------------------------------

RULE_FIELDS = (
    "name",
    "store_account",
    "product",
    "priority",
    "currency",
    "cost_min",
    "cost_max",
    "shipping_cost",
    "markup_percent",
    "fixed_markup",
    "fee_percent",
    "break_even_percent",
    "fixed_fee",
    "min_profit",
    "compare_at_percent",
    "rounding",
    "is_active",
)


def pricing_rule_create(*, user: User, data: dict[str, Any], request: HttpRequest | None = None) -> PricingRule:
    rule = PricingRule(user=user)
    _assign_rule(rule, data)
    with transaction.atomic():
        _save_rule(rule)
        changes = diff_fields({}, _rule_snapshot(rule))
        audit_record(actor=user, action=AuditLog.Action.CREATE, obj=rule, changes=changes, request=request)
    return rule


def pricing_rule_update(
    *, rule: PricingRule, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> PricingRule:
    with transaction.atomic():
        rule = PricingRule.objects.select_for_update().get(pk=rule.pk)
        before = _rule_snapshot(rule)
        _assign_rule(rule, data)
        changes = diff_fields(before, _rule_snapshot(rule))
        if not changes:
            return rule
        _save_rule(rule)
        audit_record(actor=actor, action=AuditLog.Action.UPDATE, obj=rule, changes=changes, request=request)
    return rule


def pricing_rule_delete(*, rule: PricingRule, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=AuditLog.Action.DELETE, obj=rule, request=request)
        rule.delete()


def pricing_rule_draft(*, user: User, data: dict[str, Any], base: PricingRule | None = None) -> PricingRule:
    """An unsaved rule for previews: `base` (a saved rule) with `data` over it, or a new rule; validated."""
    rule = PricingRule(user=user) if base is None else PricingRule.objects.get(pk=base.pk)
    _assign_rule(rule, data)
    return rule


def pricing_rule_problems(
    *, user: User, rule: PricingRule, changed: frozenset[str] = frozenset(RULE_FIELDS)
) -> dict[str, list[str]]:
    """What is wrong with `rule`'s values, field by field: the DB constraints, in words, and ownership.

    Ownership of the store account and product is checked only for the `changed` fields, so a rule whose
    product the user stopped tracking can still be edited or switched off.
    """
    problems: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        problems.setdefault(name, []).append(message)

    for name in ("shipping_cost", "markup_percent", "fixed_markup", "fee_percent", "break_even_percent"):
        if getattr(rule, name) < 0:
            add(name, "Must not be negative.")
    for name in ("fixed_fee", "min_profit", "compare_at_percent", "cost_min", "cost_max"):
        value = getattr(rule, name)
        if value is not None and value < 0:
            add(name, "Must not be negative.")
    if rule.fee_percent + rule.break_even_percent >= 100:
        add("fee_percent", "Fee % plus break-even % must stay below 100.")
    if rule.cost_min is not None and rule.cost_max is not None and rule.cost_min >= rule.cost_max:
        add("cost_max", "Must be greater than cost_min.")
    if len(rule.currency) != 3 or not rule.currency.isalpha() or not rule.currency.isupper():
        add("currency", "Use a three-letter ISO currency code, e.g. USD.")
    if "store_account" in changed and rule.store_account_id is not None and rule.store_account.user_id != user.pk:
        add("store_account", "Choose one of your own store accounts.")
    if "product" in changed and rule.product_id is not None and not rule.product.trackers.filter(user=user).exists():
        add("product", "Choose a product you track.")
    return problems


def _assign_rule(rule: PricingRule, data: dict[str, Any]) -> None:
    if other := sorted(set(data) - set(RULE_FIELDS)):
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={field: ["This field cannot be set."] for field in other},
        )
    for name, value in data.items():
        setattr(rule, name, value)
    if problems := pricing_rule_problems(user=rule.user, rule=rule, changed=frozenset(data)):
        raise ServiceError("The request is invalid.", code="validation_error", details=problems)


def _save_rule(rule: PricingRule) -> None:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as exc:
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={"rule": ["These values break a pricing-rule constraint."]},
        ) from exc


def _rule_snapshot(rule: PricingRule) -> dict[str, Any]:
    return {name: getattr(rule, f"{name}_id" if name in ("store_account", "product") else name) for name in RULE_FIELDS}


# --- Repricing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult:
    """What `pricing_rule_apply` did: counts per outcome inline, or the job that will do it."""

    listings: int
    outcomes: dict[str, int]
    job: Job | None


def listing_reprice(*, listing: Listing, reason: str) -> PriceDecision:
    """Compute the listing's price from its supplier cost and best rule; record the decision; apply it unless held.

    `reason` is the trigger stored on the decision (`product_changed`, `rule_applied`, `manual`…). Only the
    desired `price`/`compare_at_price` change here; pushing them to the marketplace is the sync's job. An ended or
    delisted listing is not repriced: the request is recorded as a REFUSED decision (refusal code `closed`), so
    the trail says why nothing changed. A HELD decision sends `listings.signals.price_held` after commit.
    """
    with transaction.atomic():
        listing = _locked(listing)
        rules = list(PricingRule.objects.filter(user_id=listing.user_id, is_active=True))
        proposal = price_proposal(listing=listing, rules=rules)
        decision = _record_decision(proposal, trigger=reason)
        if proposal.outcome == PriceDecision.Outcome.APPLIED:
            _apply_price(listing, proposal, trigger=reason)
        elif proposal.outcome == PriceDecision.Outcome.HELD:
            price_held_send(listing_id=listing.pk, decision_id=decision.pk)
    return decision


def _apply_price(listing: Listing, proposal: PriceProposal, *, trigger: str) -> None:
    before = {"price": listing.price, "compare_at_price": listing.compare_at_price}
    listing.price = proposal.price_after
    listing.compare_at_price = proposal.compare_at_after
    listing.save(update_fields=["price", "compare_at_price", "updated_at"])
    after = {"price": listing.price, "compare_at_price": listing.compare_at_price}
    audit_record(
        actor=None,
        action=AuditLog.Action.UPDATE,
        obj=listing,
        changes=diff_fields(before, after),
        message=f"listing repriced: {trigger}",
    )
    _sync_soon(listing)


def pricing_rule_apply(*, rule: PricingRule, actor: User, request: HttpRequest | None = None) -> ApplyResult:
    """Reprice the open listings the rule wins, exactly those its preview shows; past PRICING_APPLY_INLINE_LIMIT
    listings, as a job (which picks the winners again when it runs). An inactive rule is refused (409)."""
    _check_rule_active(rule)
    listing_ids = pricing_rule_listing_ids(rule=rule)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditLog.Action.OTHER,
            obj=rule,
            changes={"listings": [None, len(listing_ids)]},
            request=request,
            message="pricing rule applied",
        )
        if len(listing_ids) > settings.PRICING_APPLY_INLINE_LIMIT:
            job = job_enqueue(
                func="listings.jobs.listings_reprice_for_rule", payload={"rule_id": rule.pk}, user=actor, queue="sync"
            )
            return ApplyResult(listings=len(listing_ids), outcomes={}, job=job)
    outcomes = listings_reprice(listing_ids, reason="rule_applied")
    return ApplyResult(listings=len(listing_ids), outcomes=outcomes, job=None)


def listing_price_accept(
    *, listing: Listing, decision: PriceDecision, actor: User, request: HttpRequest | None = None
) -> PriceDecision:
    """Apply the price a guardrail held, on the customer's word: only the listing's latest decision, if HELD.

    Records an APPLIED decision with trigger `accepted` (the held decision's reading, rule and guardrail, and who
    accepted it), sets the desired price and compare-at price, audits the change and syncs the listing soon.
    """
    with transaction.atomic():
        listing = _locked(listing)
        _check_acceptable(listing, decision)
        accepted = _record_acceptance(listing, decision, actor)
        before = {"price": listing.price, "compare_at_price": listing.compare_at_price}
        listing.price, listing.compare_at_price = decision.price_after, decision.compare_at_after
        listing.save(update_fields=["price", "compare_at_price", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=listing,
            changes=diff_fields(before, {"price": listing.price, "compare_at_price": listing.compare_at_price}),
            request=request,
            message=f"held price accepted: decision {decision.pk}",
        )
        _sync_soon(listing)
    return accepted


def _check_acceptable(listing: Listing, decision: PriceDecision) -> None:
    if listing.status not in OPEN_STATUSES:
        raise ServiceError(
            f"A {listing.status} listing keeps its last price.",
            code="illegal_transition",
            status_code=409,
            details={"from": listing.status, "to": listing.status, "transition": "accept_price"},
        )
    latest = PriceDecision.objects.filter(listing=listing).order_by("-created_at", "-id").first()
    if decision.outcome != PriceDecision.Outcome.HELD or latest is None or latest.pk != decision.pk:
        raise ServiceError(
            "Only the listing's latest price decision can be accepted, and only when it was held.",
            code="decision_not_acceptable",
            status_code=409,
            details={"decision": decision.pk, "latest": latest.pk if latest else None, "outcome": decision.outcome},
        )


def _record_acceptance(listing: Listing, held: PriceDecision, actor: User) -> PriceDecision:
    copied = {
        name: getattr(held, name)
        for name in (
            "cost",
            "cost_currency",
            "converted_cost",
            "fx_rate",
            "price_history_id",
            "reading_at",
            "variant_id",
            "rule_id",
            "rule_name",
            "tier",
            "formula_price",
            "floor_price",
            "floor_hit",
            "guardrail",
            "price_after",
            "compare_at_after",
            "currency",
        )
    }
    return PriceDecision.objects.create(
        listing=listing,
        trigger="accepted",
        outcome=PriceDecision.Outcome.APPLIED,
        price_before=listing.price,
        compare_at_before=listing.compare_at_price,
        explanation=f"held price accepted by {actor.email} (decision {held.pk}): {held.explanation}",
        **copied,
    )


def _check_rule_active(rule: PricingRule) -> None:
    if not rule.is_active:
        raise ServiceError(
            "This rule is switched off; activate it to apply it.",
            code="rule_inactive",
            status_code=409,
            details={"rule": rule.pk},
        )


def _locked(listing: Listing) -> Listing:
    """The listing re-read under a row lock, with the product and variant its price comes from."""
    return Listing.objects.select_for_update(of=("self",)).select_related("product", "variant").get(pk=listing.pk)


def listings_reprice(listing_ids: list[int], *, reason: str) -> dict[str, int]:
    """Reprice each listing in its own transaction; counts per outcome."""
    outcomes = {outcome.value: 0 for outcome in PriceDecision.Outcome}
    for listing in Listing.objects.filter(pk__in=listing_ids, status__in=OPEN_STATUSES).order_by("pk"):
        outcomes[listing_reprice(listing=listing, reason=reason).outcome] += 1
    return outcomes


def _record_decision(proposal: PriceProposal, *, trigger: str) -> PriceDecision:
    listing, reading, rule, quote = proposal.listing, proposal.reading, proposal.rule, proposal.quote
    history = (
        PriceHistory.objects.filter(product_id=listing.product_id, variant_id=reading.variant_id)
        .order_by("-recorded_at")
        .values_list("pk", "recorded_at")
        .first()
    )
    return PriceDecision.objects.create(
        listing=listing,
        trigger=trigger,
        outcome=proposal.outcome,
        refusal_code=proposal.refusal_code,
        cost=reading.cost,
        cost_currency=reading.currency,
        converted_cost=quote.converted_cost if quote else None,
        fx_rate=quote.fx_rate if quote else None,
        price_history_id=history[0] if history else None,
        reading_at=history[1] if history else reading.reading_at,
        variant_id=reading.variant_id,
        rule=rule,
        rule_name=rule.name if rule is not None else "",
        tier=pricing.tier_label(rule) if rule is not None else "",
        formula_price=quote.formula_price if quote else None,
        floor_price=quote.floor_price if quote else None,
        floor_hit=quote.floor_hit if quote else False,
        guardrail=proposal.guardrail,
        price_before=listing.price,
        price_after=proposal.price_after,
        compare_at_before=listing.compare_at_price,
        compare_at_after=proposal.compare_at_after,
        currency=quote.currency if quote else listing.currency,
        explanation=proposal.explanation,
    )


# --- Listing state machine -----------------------------------------------------------------------

PENDING, ACTIVE, PAUSED = Listing.Status.PENDING, Listing.Status.ACTIVE, Listing.Status.PAUSED
ENDED, DELISTED = Listing.Status.ENDED, Listing.Status.DELISTED
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "activate": (frozenset({PENDING}), ACTIVE),
    "pause": (frozenset({ACTIVE}), PAUSED),
    "resume": (frozenset({PAUSED}), ACTIVE),
    "end": (frozenset({PENDING, ACTIVE, PAUSED}), ENDED),
    "delist": (frozenset({PENDING, ACTIVE, PAUSED}), DELISTED),
}
CAS_ATTEMPTS = 3
UNSTOCKED = (Availability.OUT_OF_STOCK, Availability.UNAVAILABLE)


def listing_activate(
    *,
    listing: Listing,
    actor: User | None = None,
    reason: str = StatusReason.MARKETPLACE_CONFIRMED,
    request: HttpRequest | None = None,
) -> Listing:
    """Pending → active, once the marketplace confirms the listing."""
    return _transition(listing, "activate", reason=reason, actor=actor, request=request)


def listing_pause(
    *, listing: Listing, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> Listing:
    """Active → paused (`low_margin`, `out_of_stock`, `manual_pause`, `policy`…)."""
    return _transition(listing, "pause", reason=reason, actor=actor, request=request)


def listing_resume(
    *, listing: Listing, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> Listing:
    """Paused → active (`back_in_stock`, `manual_resume`…)."""
    return _transition(listing, "resume", reason=reason, actor=actor, request=request)


def listing_end(
    *,
    listing: Listing,
    reason: str = StatusReason.ENDED_BY_USER,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Listing:
    """Pending, active or paused → ended (terminal)."""
    return _transition(listing, "end", reason=reason, actor=actor, request=request)


def listing_delist(
    *, listing: Listing, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> Listing:
    """Pending, active or paused → delisted (terminal): the supplier dropped the product or a policy blocks it."""
    return _transition(listing, "delist", reason=reason, actor=actor, request=request)


def listing_set_quantity_zero(
    *, listing: Listing, reason: str, actor: User | None = None, request: HttpRequest | None = None
) -> Listing:
    """Offer nothing without pausing (status unchanged). Refused once the listing is ended or delisted."""
    return _set_quantity(listing, lambda _listing: 0, reason=reason, actor=actor, request=request)


def listing_restore_quantity(
    *,
    listing: Listing,
    reason: str = StatusReason.BACK_IN_STOCK,
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> Listing:
    """Offer the supplier's stock again (capped by `max_quantity`), e.g. after `listing_set_quantity_zero`."""
    return _set_quantity(listing, _stock_to_offer, reason=reason, actor=actor, request=request)


def _check_reason(reason: str) -> None:
    if reason not in StatusReason.values:
        raise ServiceError(
            f"Unknown reason {reason!r}.", code="invalid_reason", details={"reason": sorted(StatusReason.values)}
        )


def _illegal(name: str, current: str, target: str) -> ServiceError:
    return ServiceError(
        f"A {current} listing cannot {name} (from {current} to {target}).",
        code="illegal_transition",
        status_code=409,
        details={"from": current, "to": target, "transition": name},
    )


def _transition(
    listing: Listing, name: str, *, reason: str, actor: User | None, request: HttpRequest | None
) -> Listing:
    """Compare-and-set on the status: of two concurrent movers only one UPDATE matches; the other re-reads."""
    _check_reason(reason)
    sources, target = TRANSITIONS[name]
    current = listing.status
    for _attempt in range(CAS_ATTEMPTS):
        current = Listing.objects.filter(pk=listing.pk).values_list("status", flat=True).get()
        if current not in sources:
            break
        with transaction.atomic():
            if _compare_and_set(listing, current=current, target=target, reason=reason):
                listing.refresh_from_db()
                changes = {"status": [current, target], "status_reason": [None, reason]}
                audit_record(
                    actor=actor,
                    action=AuditLog.Action.UPDATE,
                    obj=listing,
                    changes=changes,
                    request=request,
                    message=f"listing {name}: {reason}",
                )
                _sync_soon(listing)
                product_listed_refresh(product_id=listing.product_id)
                return listing
    raise _illegal(name, current, target)


def product_listed_refresh(*, product_id: int) -> None:
    """Tell the catalog whether an open listing sells the product, so tracking checks it at the selling pace."""
    listed = Listing.objects.filter(product_id=product_id, status__in=OPEN_STATUSES).exists()
    products_listed_set(product_ids=[product_id], listed=listed)


def _compare_and_set(listing: Listing, *, current: str, target: str, reason: str) -> bool:
    now = timezone.now()
    fields: dict[str, Any] = {"status": target, "status_reason": reason, "status_changed_at": now, "updated_at": now}
    if target == ACTIVE:
        fields["published_at"] = Coalesce("published_at", Value(now))
    if target in (ENDED, DELISTED):
        fields["ended_at"] = now
    return bool(Listing.objects.filter(pk=listing.pk, status=current).update(**fields))


def _set_quantity(
    listing: Listing, quantity_of: Any, *, reason: str, actor: User | None, request: HttpRequest | None
) -> Listing:
    _check_reason(reason)
    with transaction.atomic():
        locked = _locked(listing)
        if locked.status not in OPEN_STATUSES:
            raise ServiceError(
                f"A {locked.status} listing offers no quantity.",
                code="illegal_transition",
                status_code=409,
                details={"from": locked.status, "to": locked.status, "transition": "quantity"},
            )
        quantity = quantity_of(locked)
        changes = diff_fields(
            {"quantity": locked.quantity, "quantity_reason": locked.quantity_reason},
            {"quantity": quantity, "quantity_reason": reason},
        )
        if changes:
            locked.quantity, locked.quantity_reason = quantity, reason
            locked.save(update_fields=["quantity", "quantity_reason", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=locked,
                changes=changes,
                request=request,
                message=f"listing quantity: {reason}",
            )
            _sync_soon(locked)
    return locked


def _stock_to_offer(listing: Listing) -> int:
    source = listing.variant or listing.product
    if source.availability in UNSTOCKED:
        return 0
    stock = source.stock_quantity
    if stock is None:
        stock = listing.max_quantity if listing.max_quantity is not None else 1
    return min(stock, listing.max_quantity) if listing.max_quantity is not None else stock


def listing_offer_quantity(*, listing: Listing) -> int:
    """The quantity to offer from the supplier's stock now (0 when out of stock), capped by `max_quantity`."""
    return _stock_to_offer(Listing.objects.select_related("product", "variant").get(pk=listing.pk))


def _sync_soon(listing: Listing) -> None:
    """A published listing's new desired state reaches its marketplace through the store's sync job (on commit)."""
    if listing.external_id:
        store_account_sync_soon(store_account_id=listing.store_account_id)
