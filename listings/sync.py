"""The sync engine: push the difference between each listing's desired and pushed state to its marketplace.

Desired state lives on the listing (`price`, `quantity`, `status`); what the marketplace last confirmed lives in
`pushed_price`, `pushed_quantity` and `withdrawn_at`. A paused listing's desired marketplace quantity is 0; an ended
or delisted one is withdrawn. One pass over one store account (`store_account_sync`):

1. Claims up to SYNC_CLAIM_BATCH listings that differ, stock-outs and withdrawals first, then price rises, then
   quantity changes, then price drops, with `SELECT … FOR UPDATE SKIP LOCKED` and a lease (`sync_lease_until`), so
   any number of workers never push the same listing twice and no row lock is held during HTTP calls.
2. Plans each claimed listing from the row as it is now (coalescing: only the newest desired state is sent), drops
   price moves inside the deadband (max(SYNC_PRICE_DEADBAND_PERCENT of the pushed price, SYNC_PRICE_DEADBAND_MIN)),
   and keeps within the marketplace's daily revisions per listing (eBay: 250): when few are left, price drops and
   quantity changes wait for tomorrow first, then everything but stock-outs.
3. Sends the plans in calls of the client's bulk limit, in that order, and records each outcome (`ListingPush`).
   A listing failing SYNC_MAX_FAILURES times in a row is flagged (`sync_flagged_at`) and left alone until a person
   forces a sync. A throttled or unreachable marketplace ends the pass with a transient error, so the job ledger
   retries it with backoff; a store that needs reconnecting ends it quietly.
4. Claims again until nothing is left that this pass has not already handled.

Values pushed are absolute, so sending one twice (a retry after a worker died) is harmless.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DecimalField, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Abs, Greatest
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.jobs import job_enqueue
from dropship_central.models import AuditLog, Job
from listings.models import Listing, ListingPush
from marketplaces.models import StoreAccount
from marketplaces.plugins.base import (
    InvalidDataError,
    MarketplaceClient,
    MarketplaceError,
    PriceQuantityUpdate,
    ReconnectNeededError,
    UpdateResult,
)
from marketplaces.registry import client_class

SYNC_JOB = "listings.jobs.store_account_sync_run"
# Revisions a marketplace allows per listing and day; marketplaces not named here have no such limit.
DAILY_REVISION_LIMITS = {StoreAccount.Marketplace.EBAY: 250}
RESPONSE_EXCERPT = 500
MAX_PUSHES_PER_PASS = 2

STOCK_OUT, RISE, QUANTITY, DROP = 0, 1, 2, 3
LIVE = (Listing.Status.ACTIVE, Listing.Status.PAUSED)
GONE = (Listing.Status.ENDED, Listing.Status.DELISTED)
MONEY_FIELD = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class SyncSettings:
    deadband_percent: Decimal
    deadband_min: Decimal
    quantity_deadband: int
    max_failures: int
    revision_reserve: int
    claim_batch: int
    lease_seconds: int

    @classmethod
    def current(cls) -> SyncSettings:
        return cls(
            deadband_percent=Decimal(str(getattr(settings, "SYNC_PRICE_DEADBAND_PERCENT", "0.5"))),
            deadband_min=Decimal(str(getattr(settings, "SYNC_PRICE_DEADBAND_MIN", "0.01"))),
            quantity_deadband=int(getattr(settings, "SYNC_QUANTITY_DEADBAND", 0)),
            max_failures=int(getattr(settings, "SYNC_MAX_FAILURES", 5)),
            revision_reserve=int(getattr(settings, "SYNC_REVISION_RESERVE", 20)),
            claim_batch=int(getattr(settings, "SYNC_CLAIM_BATCH", 500)),
            lease_seconds=int(getattr(settings, "SYNC_LEASE_SECONDS", 300)),
        )


@dataclass(frozen=True)
class Plan:
    """What one listing needs on its marketplace now; `price`/`quantity` None means that field is not sent."""

    listing: Listing
    kind: str
    priority: int
    price: Decimal | None = None
    quantity: int | None = None
    deferred: str = ""


@dataclass
class SyncResult:
    store_account_id: int
    pushed: int = 0
    withdrawn: int = 0
    failed: int = 0
    flagged: int = 0
    deferred: int = 0
    calls: int = 0
    skipped: str = ""
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "errors": self.errors[:20]}


class SyncInterrupted(MarketplaceError):
    """The marketplace was throttled or unreachable mid-pass; the job is retried with backoff."""


# --- desired vs pushed ---------------------------------------------------------------------------


def desired_quantity(listing: Listing) -> int:
    """What the marketplace should offer: nothing while paused."""
    return 0 if listing.status == Listing.Status.PAUSED else listing.quantity


def price_needs_push(*, desired: Decimal | None, pushed: Decimal | None, config: SyncSettings) -> bool:
    if desired is None:
        return False
    if pushed is None:
        return True
    return abs(desired - pushed) >= max(pushed * config.deadband_percent / 100, config.deadband_min)


def quantity_needs_push(*, desired: int, pushed: int | None, config: SyncSettings) -> bool:
    if pushed is None:
        return True
    if desired == pushed:
        return False
    return (desired == 0) != (pushed == 0) or abs(desired - pushed) > config.quantity_deadband


def listing_plan(listing: Listing, *, config: SyncSettings, today: date, marketplace: str) -> Plan | None:
    """The push a listing needs now, None when its marketplace already shows its desired state."""
    if not listing.external_id:
        return None
    if listing.status in GONE:
        return None if listing.withdrawn_at else Plan(listing=listing, kind=ListingPush.Kind.WITHDRAW, priority=0)
    if listing.status not in LIVE:
        return None
    want = desired_quantity(listing)
    moved = price_needs_push(desired=listing.price, pushed=listing.pushed_price, config=config)
    price = listing.price if moved else None
    quantity = want if quantity_needs_push(desired=want, pushed=listing.pushed_quantity, config=config) else None
    if price is None and quantity is None:
        return None
    priority = _priority(listing, price=price, quantity=quantity)
    plan = Plan(listing=listing, kind=ListingPush.Kind.UPDATE, priority=priority, price=price, quantity=quantity)
    deferred = _over_budget(listing, priority=priority, config=config, today=today, marketplace=marketplace)
    return Plan(**{**plan.__dict__, "deferred": deferred}) if deferred else plan


def revisions_left(listing: Listing, *, today: date, marketplace: str) -> int | None:
    limit = DAILY_REVISION_LIMITS.get(marketplace)
    if limit is None:
        return None
    used = listing.revisions_today if listing.revisions_date == today else 0
    return limit - used


def _priority(listing: Listing, *, price: Decimal | None, quantity: int | None) -> int:
    if quantity == 0 and listing.pushed_quantity != 0:
        return STOCK_OUT
    if price is not None and listing.pushed_price is not None and price > listing.pushed_price:
        return RISE
    if price is not None and listing.pushed_price is not None and price < listing.pushed_price:
        return DROP
    return QUANTITY


def _over_budget(listing: Listing, *, priority: int, config: SyncSettings, today: date, marketplace: str) -> str:
    """Why this push waits for tomorrow's revisions, or an empty string."""
    left = revisions_left(listing, today=today, marketplace=marketplace)
    if left is None:
        return ""
    if left <= 0:
        return "daily revision limit reached"
    if left <= max(1, config.revision_reserve // 4) and priority != STOCK_OUT:
        return "revisions kept for stock-outs"
    if left <= config.revision_reserve and priority in (QUANTITY, DROP):
        return "revisions low: price drops and quantity changes wait"
    return ""


# --- claiming ------------------------------------------------------------------------------------


def listings_needing_sync(*, config: SyncSettings | None = None) -> QuerySet[Listing]:
    """Published, unflagged listings whose marketplace state differs from the desired one (price inside the
    deadband excluded), annotated with `sync_priority` (lower goes first)."""
    config = config or SyncSettings.current()
    want = Case(When(status=Listing.Status.PAUSED, then=Value(0)), default=F("quantity"), output_field=IntegerField())
    band = Greatest(
        F("pushed_price") * Value(config.deadband_percent / 100, output_field=MONEY_FIELD),
        Value(config.deadband_min, output_field=MONEY_FIELD),
        output_field=MONEY_FIELD,
    )
    listings = (
        Listing.objects.filter(sync_flagged_at__isnull=True)
        .exclude(external_id="")
        .annotate(want_quantity=want, price_gap=Abs(F("price") - F("pushed_price")), band=band)
    )
    live = Q(status__in=LIVE) & (
        Q(pushed_quantity__isnull=True)
        | ~Q(pushed_quantity=F("want_quantity"))
        | Q(price__isnull=False, pushed_price__isnull=True)
        | Q(price_gap__gte=F("band"))
    )
    gone = Q(status__in=GONE, withdrawn_at__isnull=True)
    priority = Case(
        When(gone, then=Value(STOCK_OUT)),
        When(Q(want_quantity=0, pushed_quantity__gt=0), then=Value(STOCK_OUT)),
        When(Q(price_gap__gte=F("band"), price__gt=F("pushed_price")), then=Value(RISE)),
        When(Q(price_gap__gte=F("band"), price__lt=F("pushed_price")), then=Value(DROP)),
        default=Value(QUANTITY),
        output_field=IntegerField(),
    )
    return listings.filter(live | gone).annotate(sync_priority=priority)


def _claim(*, account_id: int, skip: set[int], config: SyncSettings) -> tuple[list[Listing], datetime]:
    """Lease up to `claim_batch` differing listings of the account; the lease time is the claim's token."""
    now = timezone.now()
    lease = now + timedelta(seconds=config.lease_seconds)
    with transaction.atomic():
        candidates = (
            listings_needing_sync(config=config)
            .filter(store_account_id=account_id)
            .filter(Q(sync_lease_until__isnull=True) | Q(sync_lease_until__lt=now))
            .exclude(pk__in=skip)
            .order_by("sync_priority", "pk")
        )
        locked = candidates.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)
        ids = list(locked[: config.claim_batch])
        if ids:
            Listing.objects.filter(pk__in=ids).update(sync_lease_until=lease)
    return list(Listing.objects.filter(pk__in=ids).order_by("pk")), lease


# --- the pass ------------------------------------------------------------------------------------


def client_for(account: StoreAccount) -> MarketplaceClient:
    return client_class(account.marketplace)(account)


def store_account_sync(
    *, store_account_id: int, trigger: str = "sync", client: MarketplaceClient | None = None
) -> SyncResult:
    """Bring every differing listing of one store account to its desired state (see the module docstring)."""
    result = SyncResult(store_account_id=store_account_id)
    account = StoreAccount.objects.filter(pk=store_account_id).first()
    if account is None or account.status != StoreAccount.Status.CONNECTED:
        result.skipped = "store not connected"
        return result
    client = client or client_for(account)
    config = SyncSettings.current()
    skip: set[int] = set()
    pushes: dict[int, int] = {}
    while True:
        claimed, lease = _claim(account_id=account.pk, skip=skip, config=config)
        if not claimed:
            return result
        pass_ = _Pass(client=client, account=account, config=config, lease=lease, trigger=trigger, result=result)
        try:
            done = pass_.run(claimed)
        finally:
            Listing.objects.filter(pk__in=[listing.pk for listing in claimed], sync_lease_until=lease).update(
                sync_lease_until=None
            )
        if pass_.stopped:
            return result
        for listing_id in done:
            pushes[listing_id] = pushes.get(listing_id, 0) + 1
        skip |= {pk for pk in (listing.pk for listing in claimed) if pushes.get(pk, 0) in (0, MAX_PUSHES_PER_PASS)}


@dataclass
class _Pass:
    """One claimed batch: plan, push in order, record."""

    client: MarketplaceClient
    account: StoreAccount
    config: SyncSettings
    lease: datetime
    trigger: str
    result: SyncResult
    stopped: bool = False
    done: set[int] = field(default_factory=set)

    def run(self, claimed: list[Listing]) -> set[int]:
        today = timezone.localdate()
        plans = []
        for listing in claimed:
            plan = listing_plan(listing, config=self.config, today=today, marketplace=self.account.marketplace)
            if plan is None:
                continue
            if plan.deferred:
                self.result.deferred += 1
                continue
            plans.append(plan)
        plans.sort(key=lambda plan: (plan.priority, plan.listing.pk))
        try:
            self._withdraw([plan for plan in plans if plan.kind == ListingPush.Kind.WITHDRAW])
            self._update([plan for plan in plans if plan.kind == ListingPush.Kind.UPDATE])
        except ReconnectNeededError as exc:
            self.stopped = True
            self.result.skipped = f"reconnect needed: {exc}"
        except (InvalidDataError, SyncInterrupted):
            raise
        except MarketplaceError as exc:
            raise SyncInterrupted(f"{self.account.marketplace} sync interrupted: {exc}", response=exc.response) from exc
        return self.done

    def _withdraw(self, plans: list[Plan]) -> None:
        for plan in plans:
            listing = plan.listing
            self.result.calls += 1
            try:
                self.client.withdraw(external_id=listing.external_id, offer_id=listing.offer_id)
            except InvalidDataError as exc:
                self._record(plan, ok=False, error=str(exc), response=exc.response)
                continue
            self._record(plan, ok=True)

    def _update(self, plans: list[Plan]) -> None:
        size = max(1, self.client.meta.bulk_limit)
        for start in range(0, len(plans), size):
            self._send(plans[start : start + size])

    def _send(self, chunk: list[Plan]) -> None:
        updates = [_update_of(plan) for plan in chunk]
        self.result.calls += 1
        try:
            outcomes = self.client.update_price_quantity(updates)
        except InvalidDataError as exc:
            if len(chunk) > 1:
                # The marketplace refused the whole call: send each alone so one bad listing fails alone.
                for plan in chunk:
                    self._send([plan])
                return
            self._record(chunk[0], ok=False, error=str(exc), response=exc.response)
            return
        by_sku = {outcome.sku: outcome for outcome in outcomes}
        for plan in chunk:
            outcome = by_sku.get(plan.listing.sku) or UpdateResult(sku=plan.listing.sku, ok=False, error="no answer")
            self._record(plan, ok=outcome.ok, error=outcome.error)

    def _record(self, plan: Plan, *, ok: bool, error: str = "", response: Any = None) -> None:
        listing, now = plan.listing, timezone.now()
        excerpt = _excerpt(response)
        fields: dict[str, Any] = {"sync_lease_until": None, "last_synced_at": now}
        if ok:
            fields.update(_confirmed_fields(plan, now=now, response=excerpt))
            self.done.add(listing.pk)
            if plan.kind == ListingPush.Kind.WITHDRAW:
                self.result.withdrawn += 1
            else:
                self.result.pushed += 1
        else:
            failures = listing.sync_failures + 1
            flagged = failures >= self.config.max_failures
            fields.update(
                sync_failures=failures,
                last_error=error,
                last_response={"status": "failed", "at": now.isoformat(), "error": error[:RESPONSE_EXCERPT], **excerpt},
                sync_flagged_at=now if flagged else None,
            )
            self.result.failed += 1
            self.result.flagged += int(flagged)
            self.result.errors.append(f"{listing.sku}: {error}")
        with transaction.atomic():
            if not Listing.objects.filter(pk=listing.pk, sync_lease_until=self.lease).update(**fields):
                return
            ListingPush.objects.create(
                listing=listing,
                kind=plan.kind,
                status=ListingPush.Status.SUCCESS if ok else ListingPush.Status.FAILED,
                trigger=self.trigger,
                price_before=listing.pushed_price,
                price_after=plan.price,
                quantity_before=listing.pushed_quantity,
                quantity_after=plan.quantity,
                response=excerpt,
                error=error,
            )


def _update_of(plan: Plan) -> PriceQuantityUpdate:
    listing = plan.listing
    return PriceQuantityUpdate(
        sku=listing.sku,
        external_id=listing.external_id,
        offer_id=listing.offer_id,
        price=plan.price,
        quantity=plan.quantity,
        currency=listing.currency,
    )


def _confirmed_fields(plan: Plan, *, now: datetime, response: dict[str, Any]) -> dict[str, Any]:
    listing = plan.listing
    sent = {"price": str(plan.price) if plan.price is not None else None, "quantity": plan.quantity}
    fields: dict[str, Any] = {
        "sync_failures": 0,
        "last_error": "",
        "last_response": {"status": "ok", "at": now.isoformat(), "kind": plan.kind, "sent": sent, **response},
    }
    if plan.kind == ListingPush.Kind.WITHDRAW:
        fields["withdrawn_at"] = now
        return fields
    if plan.price is not None:
        fields["pushed_price"] = plan.price
    if plan.quantity is not None:
        fields["pushed_quantity"] = plan.quantity
    today = timezone.localdate()
    fields["revisions_today"] = (listing.revisions_today if listing.revisions_date == today else 0) + 1
    fields["revisions_date"] = today
    return fields


def _excerpt(response: Any) -> dict[str, Any]:
    if response is None:
        return {}
    if isinstance(response, dict):
        return {"response": {key: str(value)[:RESPONSE_EXCERPT] for key, value in list(response.items())[:10]}}
    return {"response": str(response)[:RESPONSE_EXCERPT]}


def listing_pushes_for_listing(*, listing: Listing) -> QuerySet[ListingPush]:
    """What was sent to the listing's marketplace, newest first (callers reach the listing through
    `listings_for_user`)."""
    return ListingPush.objects.filter(listing=listing).order_by("-created_at", "-id")


# --- triggers ------------------------------------------------------------------------------------


def store_account_sync_soon(*, store_account_id: int) -> Job | None:
    """The store's sync job: the one already waiting to start, else a new one (enqueued after the caller's commit).

    One waiting job per store coalesces a burst of changes: it reads every listing as it is when it runs.
    Nothing is enqueued for a store that is not connected (None).
    """
    if not StoreAccount.objects.filter(pk=store_account_id, status=StoreAccount.Status.CONNECTED).exists():
        return None
    payload = {"store_account_id": store_account_id}
    waiting = Job.objects.filter(type=SYNC_JOB, status=Job.Status.QUEUED, payload=payload).first()
    return waiting or job_enqueue(func=SYNC_JOB, payload=payload, queue="sync")


def listings_sync_sweep() -> dict[str, Any]:
    """Enqueue a sync for every connected store with a listing that differs (the periodic safety net)."""
    account_ids = sorted(
        set(
            listings_needing_sync()
            .filter(store_account__status=StoreAccount.Status.CONNECTED)
            .values_list("store_account_id", flat=True)
        )
    )
    jobs = [store_account_sync_soon(store_account_id=account_id) for account_id in account_ids]
    return {"stores": len(account_ids), "jobs": sorted({str(job.pk) for job in jobs if job is not None})}


def listing_sync_force(*, listing: Listing, actor: User | None, request: HttpRequest | None = None) -> Job:
    """Push the listing's whole desired state again, past the deadband, and lift a failure flag.

    Returns the store's sync job (the one already waiting, when there is one).
    """
    account = listing.store_account
    if not listing.external_id:
        raise ServiceError(
            "The listing is not on its marketplace yet: publish it first.", code="not_published", status_code=409
        )
    if account.status != StoreAccount.Status.CONNECTED:
        raise ServiceError(
            f"The store {account.name} is not connected: connect it before syncing.",
            code="store_not_connected",
            status_code=409,
            details={"store_account": account.pk, "status": account.status},
        )
    with transaction.atomic():
        locked = Listing.objects.select_for_update().get(pk=listing.pk)
        before = {"sync_flagged_at": locked.sync_flagged_at, "sync_failures": locked.sync_failures}
        fields: dict[str, Any] = {"sync_flagged_at": None, "sync_failures": 0}
        if locked.status in LIVE:
            fields.update(pushed_price=None, pushed_quantity=None)
        Listing.objects.filter(pk=locked.pk).update(**fields)
        audit_record(
            actor=actor,
            action=AuditLog.Action.UPDATE,
            obj=locked,
            changes=diff_fields(before, {name: fields[name] for name in before}),
            request=request,
            message="listing sync forced",
        )
        job = store_account_sync_soon(store_account_id=account.pk)
        if job is None:
            raise ServiceError("The store was disconnected meanwhile.", code="store_not_connected", status_code=409)
    return job
