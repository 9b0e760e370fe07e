"""Catalog verbs: import requests and a customer's tracking links. Shared products change only through ingest."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from accounts.models import User
from accounts.services import quota_check
from catalog.models import Product, TrackedProduct
from catalog.schedule import product_schedule_for_tracker
from dropship_central.api.exceptions import ServiceError
from dropship_central.audit import audit_record, diff_fields
from dropship_central.jobs import job_enqueue
from dropship_central.models import AuditLog, Job
from dropship_central.plugins import UnknownPluginError
from suppliers.models import Supplier
from suppliers.plugins.base import BaseScraper, InvalidExternalIdError
from suppliers.registry import scraper_class, scraper_class_for_url

TRACKING_FIELDS = ("product_id", "label", "notes")
IMPORT_JOB = "catalog.jobs.product_import"
IMPORT_QUEUE = "scrape"


def product_import_request(
    *,
    user: User,
    supplier: str | None = None,
    external_id: str | None = None,
    url: str | None = None,
    idempotency_key: str | None = None,
    request: HttpRequest | None = None,
) -> Job:
    """Record a job that imports one supplier product for `user` (a supplier and id, or a product URL).

    Refuses unknown suppliers, malformed ids, URLs of another supplier, and imports past the tier's
    `tracked_products` quota (a product the user already tracks is always allowed: it is only refreshed).
    The same `idempotency_key` returns the job already recorded for it.
    """
    if idempotency_key:
        existing = Job.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    slug, product_id = import_target(supplier=supplier, external_id=external_id, url=url)
    with transaction.atomic():
        _check_tracking_quota(user=user, supplier=slug, external_id=product_id)
        job = job_enqueue(
            func=IMPORT_JOB,
            payload={"supplier": slug, "external_id": product_id, "user_id": user.pk},
            user=user,
            queue=IMPORT_QUEUE,
            idempotency_key=idempotency_key or None,
        )
        audit_record(
            actor=user,
            action=AuditLog.Action.CREATE,
            obj=job,
            changes={"supplier": [None, slug], "external_id": [None, product_id]},
            request=request,
            message="product import requested",
        )
    return job


def import_target(*, supplier: str | None, external_id: str | None, url: str | None) -> tuple[str, str]:
    """The supplier slug and canonical product id an import names; `ServiceError` (400) when it names none."""
    if url:
        return _target_from_url(url=url, supplier=supplier)
    if not supplier or not external_id:
        raise ServiceError(
            "Give a supplier and a product id, or a product URL.",
            code="invalid_import",
            details={"supplier": ["Required without a url."], "external_id": ["Required without a url."]},
        )
    plugin = _scraper_for(supplier)
    return plugin.meta.slug, _normalized(plugin, external_id)


def tracked_product_link(*, user: User, product: Product, request: HttpRequest | None = None) -> bool:
    """Make `user` track `product` (idempotent); True when the link is new."""
    with transaction.atomic(savepoint=False):
        tracked, created = TrackedProduct.objects.get_or_create(user=user, product=product)
        if created:
            tier = User.objects.filter(pk=user.pk).values_list("tier", flat=True).first() or User.Tier.FREE
            product_schedule_for_tracker(product=product, tier=tier)
            audit_record(
                actor=user,
                action=AuditLog.Action.CREATE,
                obj=tracked,
                changes=diff_fields(dict.fromkeys(TRACKING_FIELDS), _snapshot(tracked)),
                request=request,
                message=f"Tracked product {product.pk}",
            )
    return created


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


def _target_from_url(*, url: str, supplier: str | None) -> tuple[str, str]:
    plugin = scraper_class_for_url(url)
    if plugin is None:
        raise ServiceError(
            "The URL is not a product page of a supported supplier.",
            code="unsupported_url",
            details={"url": ["No installed supplier serves this host."]},
        )
    if supplier and supplier != plugin.meta.slug:
        raise ServiceError(
            f"The URL belongs to {plugin.meta.name}, not {supplier}.",
            code="supplier_mismatch",
            details={"url": [f"This host is served by {plugin.meta.slug}, not {supplier}."]},
        )
    _active_supplier(plugin.meta.slug)
    try:
        product_id = plugin.external_id_from_url(url)
    except InvalidExternalIdError as exc:
        raise ServiceError(str(exc), code="invalid_url", details={"url": [str(exc)]}) from exc
    return plugin.meta.slug, _normalized(plugin, product_id)


def _scraper_for(slug: str) -> type[BaseScraper]:
    try:
        plugin = scraper_class(slug)
    except UnknownPluginError as exc:
        message = f"Unknown supplier {slug!r}."
        raise ServiceError(message, code="unknown_supplier", details={"supplier": [message]}) from exc
    _active_supplier(slug)
    return plugin


def _active_supplier(slug: str) -> None:
    if not Supplier.objects.filter(slug=slug, is_active=True).exists():
        raise ServiceError(
            f"Supplier {slug!r} is not available.",
            code="unknown_supplier",
            details={"supplier": [f"Supplier {slug!r} is not available."]},
        )


def _normalized(plugin: type[BaseScraper], external_id: str) -> str:
    try:
        return plugin.normalize_external_id(external_id)
    except InvalidExternalIdError as exc:
        raise ServiceError(str(exc), code="invalid_external_id", details={"external_id": [str(exc)]}) from exc


def _check_tracking_quota(*, user: User, supplier: str, external_id: str) -> None:
    tracked = TrackedProduct.objects.filter(user=user)
    if tracked.filter(product__supplier__slug=supplier, product__external_id=external_id).exists():
        return
    quota_check(user=user, resource="tracked_products", current=tracked.count())


def products_check_now(*, product_ids: list[int], actor: User | None = None) -> list[Job]:
    """Queue a tracking pass over these products now (due or not): one job per supplier."""
    by_supplier: dict[str, list[int]] = {}
    for product_id, slug in Product.objects.filter(pk__in=product_ids).values_list("pk", "supplier__slug"):
        by_supplier.setdefault(slug, []).append(product_id)
    return [
        job_enqueue(
            func="catalog.jobs.tracking_products",
            payload={"supplier": slug, "product_ids": sorted(ids)},
            user=actor,
            queue="scrape",
        )
        for slug, ids in sorted(by_supplier.items())
    ]
