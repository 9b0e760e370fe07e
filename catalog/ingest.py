"""Writing what a scraper read into the shared catalog: upsert, and history only on change."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Availability, Category, PriceHistory, Product, ProductVariant, Seller, StockHistory
from catalog.rollups import history_record
from catalog.signals import ProductChange
from suppliers.models import Supplier
from suppliers.plugins.base import ProductData, VariantData

DESCRIPTIVE_FIELDS = ("title", "brand", "url", "images", "bullets", "variations", "category_path")
PRICE_FIELDS = ("price", "list_price", "currency")
STOCK_FIELDS = ("availability", "stock_quantity")
# Product columns a reading can change; an UPDATE writes only those that did (plus `last_scraped_at`).
PRODUCT_FIELDS = (
    *DESCRIPTIVE_FIELDS,
    "parent_external_id",
    *PRICE_FIELDS,
    *STOCK_FIELDS,
    "rating",
    "review_count",
    "orders_count",
    "seller_id",
    "category_id",
    "is_gone",
    "scrape_failures",
    "last_error",
    "reading_digest",
    "last_changed_at",
)
VARIANT_FIELDS = (
    "title",
    "attributes",
    "price",
    "list_price",
    "currency",
    "availability",
    "stock_quantity",
    "is_active",
)


@dataclass(frozen=True)
class Reading:
    """Price and stock as they were before or after an ingest."""

    price: Decimal | None
    list_price: Decimal | None
    currency: str
    availability: str
    stock_quantity: int | None

    @classmethod
    def of(cls, obj: Product | ProductVariant) -> Reading:
        return cls(obj.price, obj.list_price, obj.currency, obj.availability, obj.stock_quantity)


@dataclass
class IngestResult:
    product: Product
    created: bool
    before: Reading | None
    after: Reading
    price_changed: bool
    stock_changed: bool
    history_rows: int = 0
    variant_changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.price_changed or self.stock_changed or bool(self.variant_changes)


def product_ingest(*, supplier: Supplier, data: ProductData, scraped_at: datetime | None = None) -> IngestResult:
    """Upsert one product and its variants from a reading; append price/stock history only where it changed.

    Runs in one transaction with the product row locked, so concurrent workers ingesting the same product
    serialise and a retried job never writes a duplicate history row.
    """
    scraped_at = scraped_at or timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                return _ingest_locked(supplier=supplier, data=data, scraped_at=scraped_at)
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def _ingest_locked(*, supplier: Supplier, data: ProductData, scraped_at: datetime) -> IngestResult:
    product = (
        Product.objects.select_for_update(of=("self",))
        .select_related("seller", "category")
        .filter(supplier=supplier, external_id=data.external_id)
        .first()
    )
    created = product is None
    if product is None:
        product = Product(supplier=supplier, external_id=data.external_id)
    before = None if created else Reading.of(product)
    snapshot = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    _apply(product, data, supplier=supplier, scraped_at=scraped_at)
    after = Reading.of(product)
    price_changed = before is None or _differs(before, after, PRICE_FIELDS)
    stock_changed = before is None or _differs(before, after, STOCK_FIELDS)
    if price_changed or stock_changed:
        product.last_changed_at = scraped_at
    _save(product, created=created, snapshot=snapshot)
    history = _history_rows(
        product=product, variant=None, reading=after, price=price_changed, stock=stock_changed, at=scraped_at
    )
    variant_changes, variant_history = _ingest_variants(product=product, variants=data.variants, at=scraped_at)
    history += variant_history
    history_record(rows=history)
    return IngestResult(product, created, before, after, price_changed, stock_changed, len(history), variant_changes)


def product_gone_ingest(*, product_id: int, scraped_at: datetime | None = None) -> IngestResult | None:
    """The supplier no longer has the product: unavailable, no stock, history on change. None if it is gone."""
    scraped_at = scraped_at or timezone.now()
    with transaction.atomic():
        product = Product.objects.select_for_update(of=("self",)).filter(pk=product_id).first()
        if product is None:
            return None
        before = Reading.of(product)
        snapshot = {name: getattr(product, name) for name in PRODUCT_FIELDS}
        product.is_gone = True
        product.availability = Availability.UNAVAILABLE
        product.stock_quantity = 0
        product.reading_digest = ""
        product.last_scraped_at = scraped_at
        after = Reading.of(product)
        stock_changed = _differs(before, after, STOCK_FIELDS)
        if stock_changed:
            product.last_changed_at = scraped_at
        _save(product, created=False, snapshot=snapshot)
        history = _history_rows(
            product=product, variant=None, reading=after, price=False, stock=stock_changed, at=scraped_at
        )
        history_record(rows=history)
    return IngestResult(product, False, before, after, False, stock_changed, len(history))


def change_of(ingested: IngestResult) -> ProductChange:
    """The `product_changed` payload of an ingest: product-level price, stock and availability, before and after."""
    before, after = ingested.before, ingested.after
    return ProductChange(
        old_price=before.price if before else None,
        new_price=after.price,
        old_currency=before.currency if before else "",
        new_currency=after.currency,
        old_stock=before.stock_quantity if before else None,
        new_stock=after.stock_quantity,
        old_availability=before.availability if before else None,
        new_availability=after.availability,
    )


def _save(product: Product, *, created: bool, snapshot: dict[str, Any]) -> None:
    """Insert a new product; for a known one, write only the columns that changed (and the scrape time)."""
    if created:
        product.save()
        return
    changed = [name for name in PRODUCT_FIELDS if getattr(product, name) != snapshot[name]]
    product.save(update_fields=[*changed, "last_scraped_at", *(["updated_at"] if changed else [])])


def _apply(product: Product, data: ProductData, *, supplier: Supplier, scraped_at: datetime) -> None:
    same_category_path = bool(product.category_id) and product.category_path == data.category_path
    for name in DESCRIPTIVE_FIELDS:
        value = getattr(data, name)
        if value:
            setattr(product, name, value)
    product.parent_external_id = data.parent_id or product.parent_external_id
    product.price = data.price
    product.list_price = data.list_price
    product.currency = data.currency or product.currency
    product.availability = data.availability
    product.stock_quantity = data.stock_quantity
    if data.rating is not None:
        product.rating = data.rating
    if data.review_count is not None:
        product.review_count = data.review_count
    if data.orders_count is not None:
        product.orders_count = data.orders_count
    if data.seller and not _same_seller(product.seller, name=data.seller, external_id=data.seller_id):
        product.seller = _seller(supplier=supplier, name=data.seller, external_id=data.seller_id)
    if data.seller and product.seller is not None:
        _seller_stats(product.seller, data.extra.get("seller"))
    if data.category_path and not same_category_path:
        product.category = _category(supplier=supplier, path=data.category_path, ids=data.extra.get("category_ids"))
    product.is_gone = False
    product.reading_digest = reading_digest(data)
    product.last_scraped_at = scraped_at
    product.scrape_failures = 0
    product.last_error = ""


def reading_digest(data: ProductData) -> str:
    """A fingerprint of everything a reading says: equal digests mean ingesting it again would change nothing."""
    text = json.dumps(data.to_dict(), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _differs(before: Reading, after: Reading, names: tuple[str, ...]) -> bool:
    return any(getattr(before, name) != getattr(after, name) for name in names)


def _ingest_variants(
    *, product: Product, variants: list[VariantData], at: datetime
) -> tuple[list[str], list[PriceHistory | StockHistory]]:
    if not variants:
        return [], []
    existing = {v.sku: v for v in ProductVariant.objects.filter(product=product, sku__in=[v.sku for v in variants])}
    to_create, to_update, changed, history = [], [], [], []
    for data in variants:
        row = existing.get(data.sku) or ProductVariant(product=product, sku=data.sku)
        before = None if row.pk is None else Reading.of(row)
        columns = [getattr(row, name) for name in VARIANT_FIELDS]
        row.title, row.attributes = data.title or row.title, data.attributes or row.attributes
        row.price, row.list_price, row.currency = data.price, data.list_price, data.currency or product.currency
        row.availability, row.stock_quantity, row.is_active = data.availability, data.stock_quantity, True
        after = Reading.of(row)
        price = before is None or _differs(before, after, PRICE_FIELDS)
        stock = before is None or _differs(before, after, STOCK_FIELDS)
        if row.pk is None:
            to_create.append(row)
        elif columns != [getattr(row, name) for name in VARIANT_FIELDS]:
            to_update.append(row)
        if price or stock:
            changed.append(data.sku)
        history.append((row, after, price, stock))
    if to_create:
        ProductVariant.objects.bulk_create(to_create)
    if to_update:
        ProductVariant.objects.bulk_update(to_update, [*VARIANT_FIELDS, "updated_at"])
    rows: list[PriceHistory | StockHistory] = []
    for row, reading, price, stock in history:
        rows += _history_rows(product=product, variant=row, reading=reading, price=price, stock=stock, at=at)
    return changed, rows


def _history_rows(
    *, product: Product, variant: ProductVariant | None, reading: Reading, price: bool, stock: bool, at: datetime
) -> list[PriceHistory | StockHistory]:
    rows: list[PriceHistory | StockHistory] = []
    if price:
        rows.append(
            PriceHistory(
                product=product,
                variant=variant,
                price=reading.price,
                list_price=reading.list_price,
                currency=reading.currency,
                recorded_at=at,
            )
        )
    if stock:
        rows.append(
            StockHistory(
                product=product,
                variant=variant,
                stock_quantity=reading.stock_quantity,
                availability=reading.availability,
                recorded_at=at,
            )
        )
    return rows


def _same_seller(seller: Seller | None, *, name: str, external_id: str | None) -> bool:
    """Whether the product's current seller is already the one the reading names (no lookup needed)."""
    if seller is None:
        return False
    return seller.name == name[:255] and seller.external_id == (external_id or _digest(name.casefold()))


def _seller(*, supplier: Supplier, name: str, external_id: str | None) -> Seller:
    key = external_id or _digest(name.casefold())
    seller, _ = Seller.objects.get_or_create(supplier=supplier, external_id=key, defaults={"name": name[:255]})
    if seller.name != name[:255]:
        seller.name = name[:255]
        seller.save(update_fields=["name", "updated_at"])
    return seller


def _seller_stats(seller: Seller, stats: Any) -> None:
    """Store the seller's rating, review and order counts and registration date when the reading carries them."""
    if not isinstance(stats, dict):
        return
    values = {
        "rating": _rating(stats.get("rating")),
        "review_count": _count(stats.get("reviews")),
        "orders_count": _count(stats.get("orders")),
        "registered_at": _epoch_ms(stats.get("registrationDate")),
    }
    changed = [name for name, value in values.items() if value is not None and getattr(seller, name) != value]
    for name in changed:
        setattr(seller, name, values[name])
    if changed:
        seller.save(update_fields=[*changed, "updated_at"])


def _rating(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        rating = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError:
        return None
    return rating if 0 <= rating <= 5 else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31 else None


def _epoch_ms(value: Any) -> datetime | None:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _category(*, supplier: Supplier, path: list[str], ids: Any = None) -> Category:
    """The leaf category of a breadcrumb path, creating the chain from the root as needed."""
    parent: Category | None = None
    ids = ids if isinstance(ids, list) and len(ids) == len(path) else None
    keys = [str(ids[level]) if ids else _digest(" > ".join(path[: level + 1]).casefold()) for level in range(len(path))]
    leaf = Category.objects.filter(supplier=supplier, external_id=keys[-1]).first()
    if leaf is not None:
        return leaf
    for level, name in enumerate(path):
        joined = " > ".join(path[: level + 1])
        external_id = keys[level]
        parent, _ = Category.objects.get_or_create(
            supplier=supplier,
            external_id=external_id,
            defaults={"name": name[:255], "parent": parent, "path": joined[:1000], "level": level},
        )
    assert parent is not None
    return parent


def _digest(text: str) -> str:
    return "h:" + hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:24]
