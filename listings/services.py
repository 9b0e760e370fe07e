"""Listing verbs. Status moves only through the state-machine services; here the customer edits content."""

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from accounts.models import User
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.models import AuditLog
from listings.models import Listing, PricingRule

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
    if other := sorted(set(data) - USER_EDITABLE_FIELDS):
        raise ServiceError(
            "The request is invalid.",
            code="validation_error",
            details={field: ["This field cannot be changed here."] for field in other},
        )


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
