"""Alert verbs: a customer reads and acknowledges alerts, edits policy rules and notification settings; the
policy engine (conditions in `alerts.policies`) turns supplier changes into listing actions and alerts.

Alert hygiene lives here. Each (rule, product[, listing]) has one `PolicyState` keyed by its dedupe key: a
condition alerts when it starts holding (also on the first evaluation of a new rule), not again while it keeps
holding, and again only after it cleared, or when `params.min_further_move_percent` is set and the reading
moved that much further the wrong way since the last alert. Actions (pause, zero, resume) are applied on
every evaluation where the condition holds, so a listing created later is handled too.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from dataclasses import field as dataclass_field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from rest_framework import status

from accounts.models import User
from alerts.models import (
    Alert,
    Delivery,
    Notification,
    NotificationSettings,
    PolicyAction,
    PolicyKind,
    PolicyRule,
    PolicyState,
    Severity,
)
from alerts.policies import (
    ALLOWED_ACTIONS,
    NEEDS_MEMORY,
    NUMERIC_KINDS,
    TERM_KINDS,
    Finding,
    Subject,
    evaluate,
    moved_further,
    rule_terms,
)
from alerts.selectors import alerts_for_user
from catalog.models import Product, TrackedProduct
from catalog.signals import ProductChange
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.jobs import job_enqueue
from dropship_central.models import AuditLog, Job
from listings.models import OPEN_STATUSES, Listing, PriceDecision, PricingRule

logger = structlog.get_logger(__name__)

SEVERITY_RANK = {"info": 0, "warning": 1, "critical": 2}
NOTIFY_MAX_ATTEMPTS = 5
WEBHOOK_SECRET_MIN = 16


def alert_mark_read(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    """Mark the alert read; the first read time is kept."""
    with transaction.atomic():
        now = timezone.now()
        if Alert.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now):
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=alert,
                changes={"read_at": [None, now.isoformat()]},
                request=request,
            )
    alert.refresh_from_db()
    return alert


def alert_acknowledge(*, alert: Alert, actor: User, request: HttpRequest | None = None) -> Alert:
    """Acknowledge the alert, which also marks it read; the first times are kept."""
    with transaction.atomic():
        now = timezone.now()
        changed = Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, read_at=Coalesce("read_at", now)
        )
        if changed:
            audit_record(
                actor=actor,
                action=AuditLog.Action.UPDATE,
                obj=alert,
                changes={"acknowledged_at": [None, now.isoformat()]},
                request=request,
            )
    alert.refresh_from_db()
    return alert


def alert_mark_all_read(*, user: User, request: HttpRequest | None = None) -> int:
    """Mark every unread alert of the user read; returns how many changed. Audited as one entry."""
    with transaction.atomic():
        count = alerts_for_user(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())
        if count:
            audit_record(
                actor=user, action=AuditLog.Action.UPDATE, request=request, message=f"Marked {count} alerts read"
            )
    return count


# --- Policy rules ----------------------------------------------------------------------------------

RULE_FIELDS = ("name", "kind", "action", "threshold", "params", "severity", "store_account", "product", "is_active")
CONDITION_FIELDS = frozenset({"kind", "threshold", "params", "store_account", "product", "is_active"})
MAX_TERMS = 10_000
MAX_DROP_PERCENT = Decimal(100)
MAX_TERM_LENGTH = 200
TERM_HEADERS = frozenset({"brand", "brands", "keyword", "keywords", "term", "terms"})


def policy_rule_create(
    *, user: User, data: dict[str, Any], actor: User | None = None, request: HttpRequest | None = None
) -> PolicyRule:
    """Create a rule for `user` after the checks of its kind (`actor`, default `user`, is audited); an active
    rule is evaluated soon by a job, so a condition that already holds alerts without waiting for a change."""
    rule = PolicyRule(user=user)
    _assign(rule, data)
    _check_rule(rule)
    with transaction.atomic():
        rule.save()
        audit_record(
            actor=actor or user,
            action=AuditLog.Action.CREATE,
            obj=rule,
            changes=diff_fields({}, _rule_snapshot(rule)),
            request=request,
        )
        _evaluate_later(rule)
    return rule


def policy_rule_update(
    *, rule: PolicyRule, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> PolicyRule:
    with transaction.atomic():
        rule = PolicyRule.objects.select_for_update().get(pk=rule.pk)
        before = _rule_snapshot(rule)
        _assign(rule, data)
        _check_rule(rule)
        changes = diff_fields(before, _rule_snapshot(rule))
        if changes:
            rule.save()
            audit_record(actor=actor, action=AuditLog.Action.UPDATE, obj=rule, changes=changes, request=request)
        if "kind" in changes or ("is_active" in changes and rule.is_active):
            # The old condition's memory means nothing to the new one; a re-activated rule starts afresh, so a
            # condition that holds when it is switched back on alerts on the first evaluation.
            PolicyState.objects.filter(rule=rule).delete()
        if rule.is_active and set(changes) & CONDITION_FIELDS:
            _evaluate_later(rule)
    return rule


def _evaluate_later(rule: PolicyRule) -> None:
    """Evaluate a new or changed rule soon, so a condition that already holds alerts without waiting for a change."""
    if rule.is_active:
        job_enqueue(
            func="alerts.jobs.policy_rule_evaluate", payload={"rule_id": rule.pk}, user=rule.user, queue="default"
        )


def policy_rule_delete(*, rule: PolicyRule, actor: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=AuditLog.Action.DELETE, obj=rule, request=request)
        rule.delete()


def policy_rule_import_terms(
    *, rule: PolicyRule, text: str, actor: User | None, replace: bool = False, request: HttpRequest | None = None
) -> dict[str, int]:
    """Add the terms in `text` (one a line, or CSV: the first column; a header row is skipped) to a blocked
    brand or keyword rule, case-insensitively without duplicates. `replace` drops the current terms first."""
    if rule.kind not in TERM_KINDS:
        raise ServiceError(
            "Only blocked brand and blocked keyword rules hold terms.",
            code="validation_error",
            details={"kind": ["This rule kind has no terms."]},
        )
    incoming = parse_terms(text)
    with transaction.atomic():
        rule = PolicyRule.objects.select_for_update().get(pk=rule.pk)
        current = [] if replace else rule_terms(rule)
        merged = _merge_terms(current, incoming)
        _check_terms(merged)
        before = rule_terms(rule)
        rule.params = {**(rule.params or {}), "terms": merged}
        rule.save(update_fields=["params", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=rule,
            request=request,
            message=f"imported {len(incoming)} blocked terms" + (" (replace)" if replace else ""),
            changes={"terms_count": [len(before), len(merged)]},
        )
        _evaluate_later(rule)
    return {"read": len(incoming), "added": len(merged) - (0 if replace else len(current)), "total": len(merged)}


def parse_terms(text: str) -> list[str]:
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    terms = [row[0].strip() for row in rows if row and row[0].strip() and not row[0].strip().startswith("#")]
    if terms and terms[0].casefold() in TERM_HEADERS:
        terms = terms[1:]
    return terms


def _merge_terms(current: list[str], incoming: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for term in [*current, *incoming]:
        seen.setdefault(term.casefold(), term)
    return list(seen.values())


def _assign(rule: PolicyRule, data: dict[str, Any]) -> None:
    if other := sorted(set(data) - set(RULE_FIELDS)):
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={field: ["This field cannot be set."] for field in other},
        )
    for field, value in data.items():
        setattr(rule, field, value)


def _check_rule(rule: PolicyRule) -> None:
    if problems := policy_rule_problems(rule=rule):
        raise ServiceError("The request is invalid.", code="validation_error", details=problems)


def policy_rule_problems(*, rule: PolicyRule) -> dict[str, list[str]]:
    """What is wrong with `rule`'s values, field by field (empty when it may be saved): the checks the API and
    the admin share."""
    problems: dict[str, list[str]] = {}
    kind = PolicyKind(rule.kind)
    if kind in NUMERIC_KINDS and rule.threshold is None:
        problems["threshold"] = ["A threshold is required for this kind."]
    if kind not in NUMERIC_KINDS and rule.threshold is not None:
        problems["threshold"] = ["This kind takes no threshold."]
    if kind == PolicyKind.PRICE_DROP and rule.threshold is not None and rule.threshold > MAX_DROP_PERCENT:
        problems["threshold"] = ["A price cannot drop by more than 100 %."]
    if rule.action not in ALLOWED_ACTIONS[kind]:
        problems["action"] = [f"Choose one of: {', '.join(sorted(ALLOWED_ACTIONS[kind]))}."]
    if kind in TERM_KINDS and not rule_terms(rule):
        problems["params"] = ["Give the blocked terms as params.terms (or import them)."]
    problems.update(_check_params(rule))
    problems.update(_check_scope(rule))
    return problems


def _check_params(rule: PolicyRule) -> dict[str, list[str]]:
    params = rule.params
    if not isinstance(params, dict):
        return {"params": ["Must be an object."]}
    move = params.get("min_further_move_percent")
    if move is not None and (isinstance(move, bool) or not isinstance(move, int | float | str) or _bad_percent(move)):
        return {"params": ["min_further_move_percent must be a number of at least 0."]}
    if "currency" in params and (problem := _currency_problem(rule)):
        return {"params": [problem]}
    terms = params.get("terms")
    if terms is not None and (not isinstance(terms, list) or not all(isinstance(t, str) for t in terms)):
        return {"params": ["terms must be a list of strings."]}
    if terms:
        try:
            _check_terms(terms)
        except ServiceError as exc:
            return exc.details
    return {}


def _currency_problem(rule: PolicyRule) -> str | None:
    if rule.kind != PolicyKind.PRICE_CEILING:
        return "currency applies to price ceiling rules only."
    currency = rule.params["currency"]
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isalpha()):
        return "currency must be a three-letter ISO code, e.g. USD."
    if not currency.isupper():
        return "currency must be upper case, e.g. USD."
    return None


def _bad_percent(value: Any) -> bool:
    try:
        return Decimal(str(value)) < 0
    except InvalidOperation:
        return True


def _check_terms(terms: list[str]) -> None:
    if len(terms) > MAX_TERMS or any(len(term) > MAX_TERM_LENGTH for term in terms):
        raise ServiceError(
            "Too many or too long terms.",
            code="validation_error",
            details={"params": [f"At most {MAX_TERMS} terms of at most {MAX_TERM_LENGTH} characters."]},
        )


def _check_scope(rule: PolicyRule) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if rule.store_account is not None and rule.store_account.user_id != rule.user_id:
        problems["store_account"] = ["Choose one of your own store accounts."]
    if rule.product is not None and not _user_has_product(rule.user_id, rule.product.pk):
        problems["product"] = ["Choose a product you track or list."]
    return problems


def _user_has_product(user_id: int, product_id: int) -> bool:
    return (
        TrackedProduct.objects.filter(user_id=user_id, product_id=product_id).exists()
        or Listing.objects.filter(user_id=user_id, product_id=product_id).exists()
    )


def _rule_snapshot(rule: PolicyRule) -> dict[str, Any]:
    values = {field: getattr(rule, field) for field in RULE_FIELDS if field not in ("store_account", "product")}
    values["store_account"] = rule.store_account_id
    values["product"] = rule.product_id
    return values


# --- Alerts from policies, and their notifications ---------------------------------------------------


def alert_dispatch(*, alert: Alert) -> Alert:
    """Decide how the user hears about a new alert, in the caller's transaction. In order:

    1. below the user's minimum severity, or no channel on: recorded only (`none`);
    2. the daily digest applies to email only: with it on, the email waits for the digest (`digest_pending`);
    3. every other channel (the webhook, and email without the digest) is notified now by a `notify` job
       (`immediate`), unless more than `max_alerts_per_hour` alerts were notified in the last hour: then it
       is recorded, not notified (`rate_limited`; visible in the API, never sent later, so a flapping
       supplier cannot flood the user). An alert held for the digest stays `digest_pending` either way.

    The user's settings row is locked so concurrent evaluations count the hourly limit exactly.
    """
    with transaction.atomic():
        prefs = _locked_settings(alert.user)
        channels = _channels(prefs)
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[prefs.min_severity] or not channels:
            delivery = Delivery.NONE
        else:
            delivery = _notify(alert, prefs, channels)
        Alert.objects.filter(pk=alert.pk).update(delivery=delivery)
        alert.delivery = delivery
    return alert


def _notify(alert: Alert, prefs: NotificationSettings, channels: list[tuple[str, str]]) -> str:
    """Queue the notifications due now (every channel but a digested email) unless over the hourly limit."""
    digest_email = prefs.digest_enabled and any(channel == Notification.Channel.EMAIL for channel, _ in channels)
    now = [(channel, destination) for channel, destination in channels if not _digested(prefs, channel)]
    if now and _notified_last_hour(alert) >= prefs.max_alerts_per_hour:
        return Delivery.DIGEST_PENDING if digest_email else Delivery.RATE_LIMITED
    for channel, destination in now:
        _notification_queue(alert=alert, channel=channel, destination=destination)
    return Delivery.DIGEST_PENDING if digest_email else Delivery.IMMEDIATE


def _digested(prefs: NotificationSettings, channel: str) -> bool:
    return prefs.digest_enabled and channel == Notification.Channel.EMAIL


def _locked_settings(user: User) -> NotificationSettings:
    NotificationSettings.objects.get_or_create(user=user)
    return NotificationSettings.objects.select_for_update().get(user=user)


def _channels(prefs: NotificationSettings) -> list[tuple[str, str]]:
    channels = []
    if prefs.email_enabled and prefs.user.email:
        channels.append((Notification.Channel.EMAIL, prefs.user.email))
    if prefs.webhook_url and prefs.webhook_secret:
        channels.append((Notification.Channel.WEBHOOK, prefs.webhook_url))
    return channels


def _notified_last_hour(alert: Alert) -> int:
    """Alerts of the user created in the last hour that were notified at once (on any channel)."""
    since = timezone.now() - timedelta(hours=1)
    notified = Notification.objects.filter(alert_id=OuterRef("pk"))
    return (
        Alert.objects.filter(user_id=alert.user_id, created_at__gte=since)
        .filter(Q(delivery=Delivery.IMMEDIATE) | Exists(notified))
        .exclude(pk=alert.pk)
        .count()
    )


def _notification_queue(*, alert: Alert, channel: str, destination: str) -> Notification:
    from alerts.delivery import alert_payload, email_subject

    notification = Notification.objects.create(
        user_id=alert.user_id,
        alert=alert,
        channel=channel,
        destination=destination,
        subject=email_subject(alert),
        payload=alert_payload(alert),
    )
    _deliver_later(notification)
    return notification


def _deliver_later(notification: Notification) -> None:
    job_enqueue(
        func="alerts.jobs.notification_deliver",
        payload={"notification_id": notification.pk},
        user=notification.user,
        queue="notify",
        max_attempts=NOTIFY_MAX_ATTEMPTS,
    )


def digest_send(*, user: User, now: datetime | None = None) -> Notification | None:
    """Send one email with every alert held for the digest; claims them so a retry never sends them twice."""
    now = now or timezone.now()
    with transaction.atomic():
        prefs = _locked_settings(user)
        ids = list(
            Alert.objects.select_for_update(skip_locked=True)
            .filter(user=user, delivery=Delivery.DIGEST_PENDING, created_at__lte=now)
            .order_by("created_at")
            .values_list("pk", flat=True)
        )
        prefs.last_digest_at = now
        prefs.save(update_fields=["last_digest_at", "updated_at"])
        if not ids:
            return None
        Alert.objects.filter(pk__in=ids).update(delivery=Delivery.DIGEST_SENT)
        if not (prefs.email_enabled and user.email):
            return None
        from alerts.delivery import digest_payload

        notification = Notification.objects.create(
            user=user,
            channel=Notification.Channel.EMAIL,
            destination=user.email,
            subject=f"[Dropship Central] Daily digest: {len(ids)} alert{'s' if len(ids) != 1 else ''}",
            payload=digest_payload(Alert.objects.filter(pk__in=ids).order_by("created_at")),
        )
        _deliver_later(notification)
    return notification


def digests_due() -> list[int]:
    """Users with alerts waiting for their digest."""
    return list(Alert.objects.filter(delivery=Delivery.DIGEST_PENDING).values_list("user_id", flat=True).distinct())


# --- Notification settings -------------------------------------------------------------------------

SETTINGS_FIELDS = frozenset(
    {"email_enabled", "webhook_url", "webhook_secret", "min_severity", "digest_enabled", "max_alerts_per_hour"}
)


def notification_settings_update(
    *, user: User, data: dict[str, Any], request: HttpRequest | None = None
) -> NotificationSettings:
    """Change the user's notification settings; a webhook URL is checked (https, public address) and needs a
    secret of at least 16 characters. The secret is write-only and audited masked."""
    from alerts.delivery import webhook_url_check

    if other := sorted(set(data) - SETTINGS_FIELDS):
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={field: ["This field cannot be changed."] for field in other},
        )
    with transaction.atomic():
        prefs = _locked_settings(user)
        before = _settings_snapshot(prefs)
        for field, value in data.items():
            setattr(prefs, field, value)
        if "webhook_url" in data and prefs.webhook_url:
            webhook_url_check(prefs.webhook_url)
        if prefs.webhook_url and len(prefs.webhook_secret or "") < WEBHOOK_SECRET_MIN:
            raise ServiceError(
                "The request is invalid.",
                code="validation_error",
                details={"webhook_secret": [f"Set a secret of at least {WEBHOOK_SECRET_MIN} characters."]},
            )
        changes = diff_fields(before, _settings_snapshot(prefs), secret_fields=frozenset({"webhook_secret"}))
        if changes:
            prefs.save()
            audit_record(actor=user, action=AuditLog.Action.UPDATE, obj=prefs, changes=changes, request=request)
    return prefs


def _settings_snapshot(prefs: NotificationSettings) -> dict[str, Any]:
    return {field: getattr(prefs, field) for field in SETTINGS_FIELDS}


# --- Policy evaluation -----------------------------------------------------------------------------

LIVE_LISTINGS = ("pending", "active", "paused")
ACTION_REASONS = {
    PolicyKind.LOW_STOCK: "out_of_stock",
    PolicyKind.OUT_OF_STOCK: "out_of_stock",
    PolicyKind.BACK_IN_STOCK: "back_in_stock",
    PolicyKind.LOW_MARGIN: "low_margin",
    PolicyKind.PRICE_CEILING: "price_ceiling",
    PolicyKind.SHIPPING_DAYS: "on_hold",
}
STOCK_REASON = "out_of_stock"


@dataclass
class Outcome:
    """One finding of one rule, after hygiene: whether it holds, whether it alerted, what was done."""

    rule_id: int
    product_id: int
    listing_id: int | None
    holds: bool
    alerted: bool
    message: str
    reading: str | None
    threshold: str | None
    alert_id: int | None = None
    actions: list[dict[str, Any]] = dataclass_field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PricingRules:
    """Each rule owner's active pricing rules, loaded once per evaluation (low-margin rules read them)."""

    def __init__(self) -> None:
        self._by_user: dict[int, list[PricingRule]] = {}

    def for_user(self, user_id: int) -> list[PricingRule]:
        if user_id not in self._by_user:
            self._by_user[user_id] = list(PricingRule.objects.filter(user_id=user_id, is_active=True))
        return self._by_user[user_id]


@dataclass(frozen=True)
class Evaluation:
    """An on-demand evaluation: the outcomes when it ran now, or the job that runs it (a large scope)."""

    products: int
    outcomes: list[Outcome]
    job: Job | None


def policies_evaluate_product(
    *, product: Product, change: ProductChange | None = None, user: User | None = None
) -> list[Outcome]:
    """Run every active rule of every user who tracks or lists `product` (or only `user`'s). A rule that
    raises is logged and skipped, so it never keeps the other rules or users from being evaluated.

    Low-margin rules are left out when the supplier price changed and the product has open listings: those are
    being repriced (a `sync` job), and judged now the margin would set the new cost against the old price. The
    repricing job's `listings_repriced` signal runs them (`policies_evaluate_repriced`) once the new prices exist.
    """
    deferred = _deferred_kinds(product, change)
    pricing_rules = PricingRules()
    return [
        outcome
        for rule in _rules_for_product(product=product, user=user)
        if rule.kind not in deferred
        for outcome in _run_safely(rule=rule, product=product, change=change, pricing_rules=pricing_rules)
    ]


def policies_evaluate_repriced(*, product: Product) -> list[Outcome]:
    """Run the low-margin rules of every user who tracks or lists `product`, after its listings were repriced."""
    pricing_rules = PricingRules()
    return [
        outcome
        for rule in _rules_for_product(product=product, user=None)
        if rule.kind == PolicyKind.LOW_MARGIN
        for outcome in _run_safely(rule=rule, product=product, change=None, pricing_rules=pricing_rules)
    ]


def _deferred_kinds(product: Product, change: ProductChange | None) -> frozenset[str]:
    if change is None or not change.price_changed:
        return frozenset()
    if not Listing.objects.filter(product=product, status__in=OPEN_STATUSES).exists():
        return frozenset()
    return frozenset({PolicyKind.LOW_MARGIN})


def policy_rule_evaluate(*, rule: PolicyRule) -> list[Outcome]:
    """Run `rule` on each product in its scope (its product, or every product its owner tracks or lists)."""
    pricing_rules = PricingRules()
    return [
        outcome
        for product in _products(_product_ids_of_rule(rule))
        for outcome in policy_rule_run(rule=rule, product=product, change=None, pricing_rules=pricing_rules)
    ]


def policies_evaluate_user(*, user: User) -> list[Outcome]:
    """Run every active rule of `user` on each product in its scope, resumes last (as on a change); a rule that
    raises on a product is logged and skipped."""
    pricing_rules = PricingRules()
    outcomes: list[Outcome] = []
    for rule in _resumes_last(PolicyRule.objects.filter(user=user, is_active=True).select_related("user")):
        for product in _products(_product_ids_of_rule(rule)):
            outcomes += _run_safely(rule=rule, product=product, change=None, pricing_rules=pricing_rules)
    return outcomes


def policy_rule_evaluate_now(*, rule: PolicyRule) -> Evaluation:
    """On demand: evaluate an active rule now, or past POLICY_EVALUATE_INLINE_LIMIT products as a job."""
    if not rule.is_active:
        raise ServiceError(
            "This rule is switched off; activate it to evaluate it.",
            code="rule_inactive",
            status_code=status.HTTP_409_CONFLICT,
        )
    product_ids = _product_ids_of_rule(rule)
    if len(product_ids) > _inline_limit():
        job = job_enqueue(
            func="alerts.jobs.policy_rule_evaluate", payload={"rule_id": rule.pk}, user=rule.user, queue="default"
        )
        return Evaluation(products=len(product_ids), outcomes=[], job=job)
    return Evaluation(products=len(product_ids), outcomes=policy_rule_evaluate(rule=rule), job=None)


def policies_evaluate_user_now(*, user: User) -> Evaluation:
    """On demand: every active rule of `user` now, or as a job past POLICY_EVALUATE_INLINE_LIMIT products
    (counted once per rule)."""
    rules = PolicyRule.objects.filter(user=user, is_active=True)
    count = sum(len(_product_ids_of_rule(rule)) for rule in rules)
    if count > _inline_limit():
        job = job_enqueue(
            func="alerts.jobs.policies_evaluate_for_user", payload={"user_id": user.pk}, user=user, queue="default"
        )
        return Evaluation(products=count, outcomes=[], job=job)
    return Evaluation(products=count, outcomes=policies_evaluate_user(user=user), job=None)


def _inline_limit() -> int:
    return int(getattr(settings, "POLICY_EVALUATE_INLINE_LIMIT", 200))


def _run_safely(
    *, rule: PolicyRule, product: Product, change: ProductChange | None, pricing_rules: PricingRules
) -> list[Outcome]:
    try:
        return policy_rule_run(rule=rule, product=product, change=change, pricing_rules=pricing_rules)
    except Exception:
        logger.exception("policy_rule_failed", rule_id=rule.pk, product_id=product.pk, kind=rule.kind)
        return []


def policy_rule_run(
    *, rule: PolicyRule, product: Product, change: ProductChange | None, pricing_rules: PricingRules | None = None
) -> list[Outcome]:
    """Judge one rule on one product: update its states, act on listings while it holds, alert when it fires."""
    listings = _scoped_listings(rule, product)
    if rule.store_account_id is not None and not listings:
        return []
    subject = Subject(product=product, change=change, listings=listings)
    if rule.kind == PolicyKind.LOW_MARGIN and listings:
        subject.pricing_rules = (pricing_rules or PricingRules()).for_user(rule.user_id)
    with transaction.atomic():
        memory = None
        if rule.kind in NEEDS_MEMORY:
            state, created = _locked_state(rule, product, None)
            memory = None if created else state.memory
        findings = evaluate(rule, subject, memory)
        return [outcome for finding in findings if (outcome := _settle(rule, subject, finding)) is not None]


def _rules_for_product(*, product: Product, user: User | None) -> list[PolicyRule]:
    owners = set(TrackedProduct.objects.filter(product=product).values_list("user_id", flat=True))
    owners |= set(Listing.objects.filter(product=product).values_list("user_id", flat=True))
    if user is not None:
        owners &= {user.pk}
    rules = (
        PolicyRule.objects.filter(user_id__in=owners, is_active=True)
        .filter(Q(product__isnull=True) | Q(product=product))
        .select_related("user")
        .order_by("id")
    )
    return _resumes_last(rules)


def _resumes_last(rules: Iterable[PolicyRule]) -> list[PolicyRule]:
    """Resumes run last, after every rule that may still hold the listing has had its say (stable by id)."""
    return sorted(rules, key=lambda rule: (rule.action == PolicyAction.RESUME, rule.pk))


def _product_ids_of_rule(rule: PolicyRule) -> set[int]:
    if rule.product_id is not None:
        return {rule.product_id} if _user_has_product(rule.user_id, rule.product_id) else set()
    listed = Listing.objects.filter(user_id=rule.user_id, status__in=LIVE_LISTINGS)
    if rule.store_account_id is not None:
        listed = listed.filter(store_account_id=rule.store_account_id)
    ids = set(listed.values_list("product_id", flat=True))
    if rule.store_account_id is None:
        ids |= set(TrackedProduct.objects.filter(user_id=rule.user_id).values_list("product_id", flat=True))
    return ids


def _products(ids: set[int]) -> Iterator[Product]:
    return Product.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=200)


def _scoped_listings(rule: PolicyRule, product: Product) -> list[Listing]:
    listings = Listing.objects.filter(user_id=rule.user_id, product=product, status__in=LIVE_LISTINGS)
    if rule.store_account_id is not None:
        listings = listings.filter(store_account_id=rule.store_account_id)
    return list(listings.select_related("pricing_rule", "variant").order_by("pk"))


def dedupe_key(rule: PolicyRule, product: Product, listing: Listing | None) -> str:
    key = f"rule:{rule.pk}:product:{product.pk}"
    return f"{key}:listing:{listing.pk}" if listing is not None else key


def _locked_state(rule: PolicyRule, product: Product, listing: Listing | None) -> tuple[PolicyState, bool]:
    state, created = PolicyState.objects.get_or_create(
        dedupe_key=dedupe_key(rule, product, listing), defaults={"rule": rule, "product": product, "listing": listing}
    )
    if not created:
        state = PolicyState.objects.select_for_update().get(pk=state.pk)
    return state, created


def _settle(rule: PolicyRule, subject: Subject, finding: Finding) -> Outcome | None:
    if finding.holds is None:
        return None
    product, listing = subject.product, finding.listing
    now = timezone.now()
    outcome = Outcome(
        rule_id=rule.pk,
        product_id=product.pk,
        listing_id=listing.pk if listing else None,
        holds=finding.holds,
        alerted=False,
        message=finding.message,
        reading=None if finding.reading is None else str(finding.reading),
        threshold=None if finding.threshold is None else str(finding.threshold),
    )
    if not finding.holds and finding.memory is None:
        PolicyState.objects.filter(dedupe_key=dedupe_key(rule, product, listing), firing=True).update(
            firing=False, cleared_at=now, updated_at=now
        )
        return outcome
    state, _created = _locked_state(rule, product, listing)
    if finding.memory is not None:
        state.memory = finding.memory
    if not finding.holds:
        if state.firing:
            state.firing, state.cleared_at = False, now
        state.save()
        return outcome
    outcome.actions = _act(rule, subject, finding)
    if not state.firing or _moved_further(rule, state, finding):
        alert = _alert_create(rule, subject, finding, outcome)
        state.last_alert, state.last_reading, state.fired_at = alert, finding.reading, now
        outcome.alerted, outcome.alert_id = True, alert.pk
    state.firing = True
    state.save()
    return outcome


def _moved_further(rule: PolicyRule, state: PolicyState, finding: Finding) -> bool:
    percent = (rule.params or {}).get("min_further_move_percent")
    if percent is None:
        return False
    return moved_further(
        kind=rule.kind, last=state.last_reading, reading=finding.reading, percent=Decimal(str(percent))
    )


def _alert_create(rule: PolicyRule, subject: Subject, finding: Finding, outcome: Outcome) -> Alert:
    product = subject.product
    what = f"listing {finding.listing.sku}" if finding.listing else f"'{product.title[:80]}'"
    message = f"{rule.name} ({rule.get_kind_display()}) on {what}: {finding.message}."
    context = {
        "rule": {"id": rule.pk, "name": rule.name, "kind": rule.kind, "action": rule.action},
        "reading": outcome.reading,
        "threshold": outcome.threshold,
        "unit": finding.unit,
        "explanation": finding.message,
        "details": finding.details,
        "actions": outcome.actions,
        "change": subject.change.to_payload() if subject.change else None,
    }
    alert = Alert.objects.create(
        user=rule.user,
        rule=rule,
        product=product,
        listing=finding.listing,
        type=rule.kind,
        severity=rule.severity,
        message=message[:500],
        context=context,
        dedupe_key=dedupe_key(rule, product, finding.listing),
    )
    return alert_dispatch(alert=alert)


def _act(rule: PolicyRule, subject: Subject, finding: Finding) -> list[dict[str, Any]]:
    """Apply the rule's action to the owner's listings in scope; a refused transition means nothing to do."""
    if rule.action == PolicyAction.ALERT:
        return []
    targets = [finding.listing] if finding.listing is not None else subject.listings
    reason = ACTION_REASONS.get(PolicyKind(rule.kind), "policy")
    return [_apply_verb(verb, listing, reason) for listing in targets for verb in _verbs_for(rule, listing)]


def _verbs_for(rule: PolicyRule, listing: Listing) -> list[str]:
    """What the rule's action means for this listing now. A resume undoes only what stock did: it resumes a
    listing paused for stock (a manual, low-margin or policy pause stays) and restores a quantity zeroed for
    stock, each unless another firing rule still holds it that way."""
    if rule.action == PolicyAction.PAUSE:
        return ["pause"] if listing.status == "active" else []
    if rule.action == PolicyAction.ZERO_QUANTITY:
        return ["zero_quantity"] if listing.quantity else []
    verbs = []
    paused_for_stock = listing.status == "paused" and listing.status_reason == STOCK_REASON
    if paused_for_stock and not _held_by_other_rule(rule, listing, PAUSING_ACTIONS):
        verbs.append("resume")
    zeroed_for_stock = listing.quantity == 0 and listing.quantity_reason == STOCK_REASON
    if zeroed_for_stock and not _held_by_other_rule(rule, listing, ZEROING_ACTIONS):
        verbs.append("restore_quantity")
    return verbs


PAUSING_ACTIONS = (PolicyAction.PAUSE, PolicyAction.ZERO_QUANTITY)
ZEROING_ACTIONS = (PolicyAction.ZERO_QUANTITY,)


def _held_by_other_rule(rule: PolicyRule, listing: Listing, actions: tuple[str, ...]) -> bool:
    """Whether another of the owner's rules with one of `actions` is firing on this product or listing."""
    return (
        PolicyState.objects.filter(
            rule__user_id=rule.user_id,
            rule__is_active=True,
            rule__action__in=actions,
            product_id=listing.product_id,
            firing=True,
        )
        .filter(Q(listing__isnull=True) | Q(listing=listing))
        .exclude(rule=rule)
        .exists()
    )


def _apply_verb(verb: str, listing: Listing, reason: str) -> dict[str, Any]:
    from listings import services as listing_services

    functions = {
        "pause": listing_services.listing_pause,
        "resume": listing_services.listing_resume,
        "zero_quantity": listing_services.listing_set_quantity_zero,
        "restore_quantity": listing_services.listing_restore_quantity,
    }
    try:
        with transaction.atomic():
            functions[verb](listing=listing, reason=reason, actor=None)
    except ServiceError as exc:
        result = "nothing_to_do" if exc.code == "illegal_transition" else f"refused: {exc.detail}"
        return {"listing": listing.pk, "action": verb, "result": result}
    return {"listing": listing.pk, "action": verb, "result": "done"}


# --- Held prices -------------------------------------------------------------------------------------

PRICE_HELD = "price_held"


def price_held_alert(*, decision: PriceDecision) -> Alert | None:
    """Tell the customer a guardrail held a listing's new price, with the decision's explanation.

    One alert per listing until a price is applied again (a newer APPLIED decision, e.g. the customer accepting
    it): repeated held decisions in between do not alert again. A decision already overtaken by an applied
    price, or on a closed listing, alerts nothing. The listing row is locked so concurrent jobs alert once.
    """
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=decision.listing_id).first()
        if listing is None or listing.status not in OPEN_STATUSES:
            return None
        applied_at = (
            PriceDecision.objects.filter(listing=listing, outcome=PriceDecision.Outcome.APPLIED)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if applied_at is not None and applied_at > decision.created_at:
            return None
        key = f"{PRICE_HELD}:listing:{listing.pk}"
        earlier = Alert.objects.filter(user_id=listing.user_id, dedupe_key=key)
        if applied_at is not None:
            earlier = earlier.filter(created_at__gt=applied_at)
        if earlier.exists():
            return None
        return alert_dispatch(alert=_price_held_create(listing, decision, key))


def _price_held_create(listing: Listing, decision: PriceDecision, key: str) -> Alert:
    message = (
        f"Price held on listing {listing.sku}: {decision.price_before} → {decision.price_after} "
        f"{decision.currency} ({decision.guardrail}). Accept it or adjust the pricing rule."
    )
    context = {
        "decision": decision.pk,
        "guardrail": decision.guardrail,
        "price_before": None if decision.price_before is None else str(decision.price_before),
        "price_after": None if decision.price_after is None else str(decision.price_after),
        "currency": decision.currency,
        "explanation": decision.explanation,
        "accept": f"/api/v1/listings/{listing.pk}/price-decisions/{decision.pk}/accept",
    }
    return Alert.objects.create(
        user_id=listing.user_id,
        product_id=listing.product_id,
        listing=listing,
        type=PRICE_HELD,
        severity=Severity.WARNING,
        message=message[:500],
        context=context,
        dedupe_key=key,
    )
