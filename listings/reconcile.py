"""Reconciliation: read each connected store back, correct drift, and turn its orders into daily figures.

Listings: the marketplace's actual price and quantity are compared with what we last pushed (`pushed_price`,
`pushed_quantity`). Where they differ, the actual values are written into the pushed fields (a compare-and-set that
skips listings a sync pass holds), so the sync engine sees the real difference from the desired state and pushes
it (the store's sync job is enqueued); every drifted listing gets an audit entry with the old and new values, and
the result lists them all. A listing the marketplace no longer has, or shows as not live while ours is active, is
reported (and audited) but left to the listing services to end or resume.

Orders: lines of the orders modified since the account's cursor (`StoreAccount.orders_imported_until`) are matched
to listings by SKU, then offer id, then external id, and summed per listing and order day into `MarketplaceData`.
Each order's contribution is kept on its `ImportedOrder` row, so reading it again (a re-import, or a later
refund) applies only the difference: nothing is ever counted twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import structlog
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from catalog.models import PriceHistory
from dropship_central.audit import audit_record
from dropship_central.models import AuditLog
from listings.models import Listing, MarketplaceData, PriceDecision, PricingRule
from listings.signals import marketplace_data_changed_send
from listings.sync import client_for, store_account_sync_soon
from marketplaces.models import ImportedOrder, StoreAccount
from marketplaces.plugins.base import (
    ListingReader,
    ListingRef,
    ListingState,
    MarketplaceClient,
    ModifiedOrdersReader,
    OrderLine,
)

logger = structlog.get_logger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
READ_BATCH = 500
RECONCILED_STATUSES = (Listing.Status.ACTIVE, Listing.Status.PAUSED)
# First import of a store reads this far back; later imports start at the cursor minus the overlap (marketplaces
# index order changes with a small delay; anything read twice is not counted twice).
ORDER_IMPORT_FIRST_DAYS = 30
ORDER_IMPORT_OVERLAP = timedelta(minutes=15)
# Marketplace statuses of a listing shoppers cannot buy (eBay offers, Shopify products): reported, not changed here.
NOT_LIVE = frozenset({"UNPUBLISHED", "ARCHIVED", "DRAFT"})
FIGURES = ("orders", "units_sold", "revenue", "cost", "fees", "refunds")


# --- listings ------------------------------------------------------------------------------------


@dataclass
class ReconcileResult:
    store_account_id: int
    checked: int = 0
    drifted: int = 0
    missing: int = 0
    not_live: int = 0
    busy: int = 0
    skipped: str = ""
    sync_job: str = ""
    drifts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def store_account_reconcile(*, store_account_id: int, client: MarketplaceClient | None = None) -> ReconcileResult:
    """Read the store's published listings back and take the marketplace's values as the pushed state."""
    result = ReconcileResult(store_account_id=store_account_id)
    account = StoreAccount.objects.filter(pk=store_account_id).first()
    if account is None or account.status != StoreAccount.Status.CONNECTED:
        result.skipped = "store not connected"
        return result
    client = client or client_for(account)
    if not isinstance(client, ListingReader):
        result.skipped = f"the {account.marketplace} client cannot read listings back"
        return result
    listings = (
        Listing.objects.filter(store_account=account, status__in=RECONCILED_STATUSES)
        .exclude(external_id="")
        .order_by("pk")
    )
    last_pk = 0
    while batch := list(listings.filter(pk__gt=last_pk)[:READ_BATCH]):
        last_pk = batch[-1].pk
        refs = [ListingRef(sku=item.sku, external_id=item.external_id, offer_id=item.offer_id) for item in batch]
        for listing, state in zip(batch, client.read_listings(refs), strict=True):
            _reconcile_one(listing, state, result)
    if result.drifted:
        job = store_account_sync_soon(store_account_id=account.pk)
        result.sync_job = str(job.pk) if job else ""
    logger.info("listings_reconciled", **{k: v for k, v in result.as_dict().items() if k != "drifts"})
    return result


def _reconcile_one(listing: Listing, state: ListingState, result: ReconcileResult) -> None:
    result.checked += 1
    if not state.found:
        result.missing += 1
        result.drifts.append({"listing_id": listing.pk, "sku": listing.sku, "missing": True, "fields": {}})
        _audit_drift(listing, {}, message="reconcile: not found on the marketplace")
        return
    if listing.status == Listing.Status.ACTIVE and state.status.upper() in NOT_LIVE:
        result.not_live += 1
        fields = {"status": [listing.status, state.status]}
        result.drifts.append({"listing_id": listing.pk, "sku": listing.sku, "missing": False, "fields": fields})
        _audit_drift(listing, fields, message="reconcile: not live on the marketplace")
    changes: dict[str, list[Any]] = {}
    actual_price = state.price.quantize(CENT) if state.price is not None else None
    if actual_price is not None and actual_price != listing.pushed_price:
        changes["pushed_price"] = [listing.pushed_price, actual_price]
    if state.quantity is not None and state.quantity != listing.pushed_quantity:
        changes["pushed_quantity"] = [listing.pushed_quantity, max(state.quantity, 0)]
    if not changes:
        return
    now = timezone.now()
    written = (
        Listing.objects.filter(pk=listing.pk, pushed_price=listing.pushed_price)
        .filter(_same_quantity(listing.pushed_quantity))
        .filter(Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now))
        .update(**{name: values[1] for name, values in changes.items()}, updated_at=now)
    )
    if not written:
        result.busy += 1
        return
    result.drifted += 1
    desired = {"price": _text(listing.price), "quantity": listing.quantity}
    fields = {name.removeprefix("pushed_"): [_text(old), _text(new)] for name, (old, new) in changes.items()}
    result.drifts.append(
        {"listing_id": listing.pk, "sku": listing.sku, "missing": False, "fields": fields, "desired": desired}
    )
    _audit_drift(listing, {name: [_text(old), _text(new)] for name, (old, new) in changes.items()})


def _same_quantity(quantity: int | None) -> Q:
    return Q(pushed_quantity__isnull=True) if quantity is None else Q(pushed_quantity=quantity)


def _audit_drift(
    listing: Listing, changes: dict[str, list[Any]], *, message: str = "reconcile: marketplace drift"
) -> None:
    audit_record(actor=None, action=AuditLog.Action.UPDATE, obj=listing, changes=changes, message=message)


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


# --- orders --------------------------------------------------------------------------------------


@dataclass
class OrderImportResult:
    store_account_id: int
    since: str = ""
    until: str = ""
    orders: int = 0
    lines: int = 0
    matched_lines: int = 0
    unmatched_skus: list[str] = field(default_factory=list)
    rows_changed: int = 0
    cost_unknown_lines: int = 0
    skipped: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Figures:
    orders: int = 0
    units_sold: int = 0
    revenue: Decimal = ZERO
    cost: Decimal = ZERO
    fees: Decimal = ZERO
    refunds: Decimal = ZERO
    currency: str = ""

    def as_json(self) -> dict[str, Any]:
        return {name: str(getattr(self, name)) for name in FIGURES} | {"currency": self.currency}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Figures:
        return cls(
            orders=int(data.get("orders", 0)),
            units_sold=int(data.get("units_sold", 0)),
            **{name: Decimal(str(data.get(name, "0"))) for name in ("revenue", "cost", "fees", "refunds")},
            currency=str(data.get("currency", "")),
        )


def store_account_orders_import(
    *, store_account_id: int, client: MarketplaceClient | None = None, now: datetime | None = None
) -> OrderImportResult:
    """Import the orders modified since the cursor into daily `MarketplaceData`; then move the cursor."""
    result = OrderImportResult(store_account_id=store_account_id)
    account = StoreAccount.objects.filter(pk=store_account_id).first()
    if account is None or account.status != StoreAccount.Status.CONNECTED:
        result.skipped = "store not connected"
        return result
    client = client or client_for(account)
    started = now or timezone.now()
    if account.orders_imported_until is None:
        since = started - timedelta(days=ORDER_IMPORT_FIRST_DAYS)
    else:
        since = account.orders_imported_until - ORDER_IMPORT_OVERLAP
    if isinstance(client, ModifiedOrdersReader):
        lines = client.fetch_orders_modified(since=since)
    else:
        lines = client.fetch_orders(since=since)
    by_order: dict[str, list[OrderLine]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    matcher = _ListingMatcher(account)
    try:
        for order_id, order_lines in by_order.items():
            _import_order(account, order_id, order_lines, matcher, result)
    finally:  # each order commits on its own: the rows of those imported before a failure changed too
        if result.rows_changed:
            marketplace_data_changed_send(user_ids=[account.user_id])
    StoreAccount.objects.filter(pk=account.pk).update(orders_imported_until=started)
    result.since, result.until = since.isoformat(), started.isoformat()
    result.orders, result.lines = len(by_order), len(lines)
    result.unmatched_skus = sorted(set(result.unmatched_skus))
    logger.info("orders_imported", **{k: v for k, v in result.as_dict().items() if k != "unmatched_skus"})
    return result


class _ListingMatcher:
    """Every listing of the store by SKU, offer id and external id (in that order of trust)."""

    def __init__(self, account: StoreAccount) -> None:
        self.by_key: list[dict[str, Listing]] = [{}, {}, {}]
        listings = Listing.objects.filter(store_account=account).select_related("pricing_rule", "product", "variant")
        for listing in listings.order_by("pk"):
            for index, key in enumerate((listing.sku, listing.offer_id, listing.external_id)):
                if key:
                    self.by_key[index].setdefault(key, listing)

    def match(self, key: str) -> Listing | None:
        for table in self.by_key:
            if key and key in table:
                return table[key]
        return None


def _import_order(
    account: StoreAccount, order_id: str, lines: list[OrderLine], matcher: _ListingMatcher, result: OrderImportResult
) -> None:
    contributions, unmatched = _contributions(lines, matcher, result)
    with transaction.atomic():
        record, _ = ImportedOrder.objects.select_for_update().get_or_create(
            store_account=account, order_id=order_id, defaults={"ordered_at": lines[0].created_at}
        )
        previous = {key: _Figures.from_json(value) for key, value in record.counted.items()}
        for key in sorted(set(previous) | set(contributions)):
            old, new = previous.get(key, _Figures()), contributions.get(key, _Figures())
            if _apply_delta(key, old, new):
                result.rows_changed += 1
        record.counted = {key: figures.as_json() for key, figures in contributions.items()}
        record.unmatched_skus = unmatched
        record.ordered_at = lines[0].created_at
        record.save()
    result.unmatched_skus.extend(unmatched)


def _contributions(
    lines: list[OrderLine], matcher: _ListingMatcher, result: OrderImportResult
) -> tuple[dict[str, _Figures], list[str]]:
    """What the order adds to each `listing id|day` row now; and the SKUs no listing matched."""
    fees_given = sum((line.fees for line in lines), ZERO) > 0
    figures: dict[str, _Figures] = {}
    unmatched: list[str] = []
    for line in lines:
        listing = matcher.match(line.sku)
        if listing is None:
            unmatched.append(line.sku or "(no sku)")
            continue
        result.matched_lines += 1
        key = f"{listing.pk}|{line.created_at.astimezone(UTC).date().isoformat()}"
        row = figures.setdefault(key, _Figures(orders=1, currency=line.currency or listing.currency))
        unit_cost = _unit_cost(listing, at=line.created_at)
        if unit_cost is None:
            result.cost_unknown_lines += 1
        row.units_sold += line.quantity
        row.revenue += line.revenue
        row.cost += ((unit_cost or ZERO) * line.quantity).quantize(CENT, ROUND_HALF_UP)
        row.fees += line.fees if fees_given else _estimated_fee(listing, line.revenue)
        row.refunds += line.refunds
    return figures, unmatched


def _unit_cost(listing: Listing, *, at: datetime) -> Decimal | None:
    """The supplier cost when the order was placed: the listing's price decision then (cost converted into the
    selling currency), else the supplier's price reading then in the listing's currency."""
    decision = (
        PriceDecision.objects.filter(listing=listing, created_at__lte=at)
        .filter(Q(converted_cost__isnull=False) | Q(cost__isnull=False, cost_currency=listing.currency))
        .order_by("-created_at", "-id")
        .first()
    )
    if decision is not None:
        return decision.converted_cost if decision.converted_cost is not None else decision.cost
    readings = PriceHistory.objects.filter(
        product_id=listing.product_id, recorded_at__lte=at, price__isnull=False, currency=listing.currency
    )
    if listing.variant_id:
        readings = readings.filter(variant_id=listing.variant_id)
    reading = readings.order_by("-recorded_at").first()
    return reading.price if reading is not None else None


def _estimated_fee(listing: Listing, revenue: Decimal) -> Decimal:
    """The marketplace fee the pricing rule assumes, when the order carries none: fee % of revenue plus the fixed
    fee. The listing's own rule, else the rule of its latest price decision."""
    rule = listing.pricing_rule
    if rule is None:
        decision = PriceDecision.objects.filter(listing=listing, rule__isnull=False).order_by("-created_at").first()
        rule = PricingRule.objects.filter(pk=decision.rule_id).first() if decision else None
    if rule is None or revenue <= 0:
        return ZERO
    return (revenue * rule.fee_percent / 100 + rule.fixed_fee).quantize(CENT, ROUND_HALF_UP)


def _apply_delta(key: str, old: _Figures, new: _Figures) -> bool:
    """Add `new - old` to the `listing|day` row (created when missing); False when nothing changed."""
    delta = {name: getattr(new, name) - getattr(old, name) for name in FIGURES}
    if not any(delta.values()):
        return False
    listing_id, day = key.split("|")
    currency = new.currency or old.currency or "USD"
    MarketplaceData.objects.bulk_create(
        [MarketplaceData(listing_id=int(listing_id), date=day, currency=currency)], ignore_conflicts=True
    )
    profit = delta["revenue"] - delta["cost"] - delta["fees"] - delta["refunds"]
    MarketplaceData.objects.filter(listing_id=int(listing_id), date=day).update(
        **{name: F(name) + value for name, value in delta.items()},
        profit=F("profit") + profit,
        updated_at=timezone.now(),
    )
    return True
