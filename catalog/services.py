"""Catalog verbs on a customer's tracking links. The shared products themselves are never changed here."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from catalog.models import Product, TrackedProduct
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.models import AuditLog

TRACKING_FIELDS = ("product_id", "label", "notes")


def tracked_product_untrack(*, user: User, product: Product, request: HttpRequest | None = None) -> None:
    """Stop `user` tracking `product`: the shared product and everyone else's tracking stay."""
    with transaction.atomic():
        tracked = _locked_tracking(user=user, product=product)
        before = _snapshot(tracked)
        audit_record(
            actor=user,
            action=AuditLog.Action.DELETE,
            obj=tracked,
            changes=diff_fields(before, dict.fromkeys(before)),
            request=request,
            message=f"Untracked product {product.pk}",
        )
        tracked.delete()


def tracked_product_update(
    *,
    user: User,
    product: Product,
    label: str | None = None,
    notes: str | None = None,
    request: HttpRequest | None = None,
) -> TrackedProduct:
    """Change the user's own label and notes on their tracking link; None leaves a field as it is."""
    with transaction.atomic():
        tracked = _locked_tracking(user=user, product=product)
        before = _snapshot(tracked)
        if label is not None:
            tracked.label = label
        if notes is not None:
            tracked.notes = notes
        changes = diff_fields(before, _snapshot(tracked))
        if changes:
            tracked.save(update_fields=[field for field in ("label", "notes") if field in changes])
            audit_record(actor=user, action=AuditLog.Action.UPDATE, obj=tracked, changes=changes, request=request)
    return tracked


def _locked_tracking(*, user: User, product: Product) -> TrackedProduct:
    tracked = TrackedProduct.objects.select_for_update().filter(user=user, product=product).first()
    if tracked is None:
        raise ServiceError("You do not track this product.", code="not_found", status_code=404)
    return tracked


def _snapshot(tracked: TrackedProduct) -> dict[str, Any]:
    return {field: getattr(tracked, field) for field in TRACKING_FIELDS}
