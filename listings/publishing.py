"""Publishing: a pending listing of a tracked product goes to its connected store at the price its rules give.

`listing_publish` checks and enqueues; the `sync` job runs `listing_publish_now`, which prices the listing
(`listing_reprice`), sends it (`MarketplaceClient.create_listing`), records the marketplace's ids and what was
pushed, and moves it pending → active through `listing_activate` only once the marketplace confirmed. A refusal
leaves it pending with the marketplace's message in `last_error` (eBay: exactly which policy or location is
missing). Running it again is safe: an already confirmed listing is only activated.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from catalog.models import TrackedProduct
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record
from dropship_central.jobs import job_enqueue
from dropship_central.models import AuditLog, Job
from listings.models import Listing, ListingPush, PriceDecision, StatusReason
from listings.services import listing_activate, listing_offer_quantity, listing_reprice
from listings.sync import RESPONSE_EXCERPT, client_for
from marketplaces.models import StoreAccount
from marketplaces.plugins.base import InvalidDataError, ListingPayload, MarketplaceClient, MarketplaceError

PUBLISH_JOB = "listings.jobs.listing_publish_run"
ACTIVE_JOB_STATUSES = (Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.RETRYING)


class PublishRefused(InvalidDataError):
    """The listing cannot be published as it is (store not connected, no price); retrying will not help."""


def listing_publish(*, listing: Listing, actor: User, request: HttpRequest | None = None) -> Job:
    """Check that a pending listing can go to its store and enqueue its publication (one at a time per listing)."""
    _check_publishable(listing)
    running = Job.objects.filter(
        type=PUBLISH_JOB, status__in=ACTIVE_JOB_STATUSES, payload={"listing_id": listing.pk}
    ).first()
    if running is not None:
        return running
    with transaction.atomic():
        job = job_enqueue(func=PUBLISH_JOB, payload={"listing_id": listing.pk}, user=actor, queue="sync")
        audit_record(
            actor=actor,
            action=AuditLog.Action.OTHER,
            obj=listing,
            changes={"publish_job": [None, str(job.pk)]},
            request=request,
            message="listing publish requested",
        )
    return job


def listing_publish_now(*, listing_id: int, client: MarketplaceClient | None = None) -> dict[str, Any]:
    """Publish the listing now (the job's body). Raises the marketplace's typed error when it refuses or fails."""
    listing = Listing.objects.select_related("store_account", "product", "variant").filter(pk=listing_id).first()
    if listing is None:
        return {"listing_id": listing_id, "skipped": "listing deleted"}
    if listing.status != Listing.Status.PENDING:
        return {"listing_id": listing_id, "skipped": f"listing is {listing.status}"}
    if listing.external_id:
        listing_activate(listing=listing, reason=StatusReason.MARKETPLACE_CONFIRMED)
        return {"listing_id": listing_id, "external_id": listing.external_id, "status": "active"}
    account = listing.store_account
    if account.status != StoreAccount.Status.CONNECTED:
        _failed(listing, PublishRefused(f"The store {account.name} is not connected ({account.status})."))
    payload = _payload(listing)
    try:
        result = (client or client_for(account)).create_listing(payload)
    except MarketplaceError as exc:
        _failed(listing, exc, payload=payload)
    with transaction.atomic():
        _confirmed(listing, payload=payload, external_id=result.external_id, offer_id=result.offer_id, url=result.url)
        listing = listing_activate(listing=listing, reason=StatusReason.MARKETPLACE_CONFIRMED)
    return {"listing_id": listing_id, "external_id": listing.external_id, "status": listing.status}


def _check_publishable(listing: Listing) -> None:
    if listing.status != Listing.Status.PENDING:
        raise ServiceError(
            f"Only a pending listing can be published; this one is {listing.status}.",
            code="illegal_transition",
            status_code=409,
            details={"from": listing.status, "to": Listing.Status.ACTIVE.value, "transition": "publish"},
        )
    account = listing.store_account
    if account.status != StoreAccount.Status.CONNECTED:
        raise ServiceError(
            f"The store {account.name} is not connected: connect it before publishing.",
            code="store_not_connected",
            status_code=409,
            details={"store_account": account.pk, "status": account.status},
        )
    if not TrackedProduct.objects.filter(user_id=listing.user_id, product_id=listing.product_id).exists():
        raise ServiceError(
            "Track the product before publishing a listing of it.",
            code="product_not_tracked",
            status_code=409,
            details={"product": listing.product_id},
        )


def _payload(listing: Listing) -> ListingPayload:
    """Price the listing from its rules and offer the supplier's stock; refused without a price."""
    decision = listing_reprice(listing=listing, reason="publish")
    quantity = listing_offer_quantity(listing=listing)
    Listing.objects.filter(pk=listing.pk).update(quantity=quantity, updated_at=timezone.now())
    listing.refresh_from_db()
    if listing.price is None or decision.outcome == PriceDecision.Outcome.REFUSED:
        _failed(listing, PublishRefused(f"The pricing rules give no price to publish at: {decision.explanation}"))
    product = listing.product
    images = [str(image) for image in product.images if isinstance(image, str)][:12]
    return ListingPayload(
        sku=listing.sku,
        title=listing.title,
        description=listing.description or product.description or listing.title,
        price=Decimal(listing.price),
        currency=listing.currency,
        quantity=quantity,
        images=images,
        aspects={"Brand": [product.brand]} if product.brand else {},
        compare_at_price=listing.compare_at_price,
    )


def _failed(listing: Listing, error: MarketplaceError, *, payload: ListingPayload | None = None) -> NoReturn:
    """Keep the refusal on the listing (it stays pending) and in its push history, then raise it."""
    response = error.response if isinstance(error.response, dict) else {}
    excerpt = {key: str(value)[:RESPONSE_EXCERPT] for key, value in list(response.items())[:10]}
    now = timezone.now()
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(
            last_error=str(error),
            last_response={"status": "failed", "at": now.isoformat(), "kind": "publish", "error": str(error)},
            updated_at=now,
        )
        ListingPush.objects.create(
            listing=listing,
            kind=ListingPush.Kind.PUBLISH,
            status=ListingPush.Status.FAILED,
            trigger="publish",
            price_after=payload.price if payload else None,
            quantity_after=payload.quantity if payload else None,
            response=excerpt,
            error=str(error),
        )
    raise error


def _confirmed(listing: Listing, *, payload: ListingPayload, external_id: str, offer_id: str, url: str) -> None:
    now = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(
        external_id=external_id,
        offer_id=offer_id,
        external_url=url[:500],
        pushed_price=payload.price,
        pushed_quantity=payload.quantity,
        last_synced_at=now,
        sync_failures=0,
        sync_flagged_at=None,
        last_error="",
        last_response={"status": "ok", "at": now.isoformat(), "kind": "publish", "external_id": external_id},
        revisions_today=1,
        revisions_date=timezone.localdate(),
        updated_at=now,
    )
    ListingPush.objects.create(
        listing=listing,
        kind=ListingPush.Kind.PUBLISH,
        status=ListingPush.Status.SUCCESS,
        trigger="publish",
        price_after=payload.price,
        quantity_after=payload.quantity,
        response={"external_id": external_id, "offer_id": offer_id, "url": url[:RESPONSE_EXCERPT]},
    )
