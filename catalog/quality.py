"""The data-quality guard: readings implausible against a product's history are held, not believed.

A reading is suspect when, against the product as last accepted:

- `price_drop`: the price fell by `TRACKING_SUSPECT_PRICE_DROP` (90 %) or more, to a price never recorded before;
- `price_spike`: the price rose `TRACKING_SUSPECT_PRICE_RISE` (10x) or more, to a price never recorded before;
- `currency_flip`: the currency changed;
- `all_variants_zero`: every variant (two or more) reads zero stock while the product was in stock;
- `lost_fields`: the parse lost fields the product always had (its title, images, or its price while the
  page still says it is available; or two of brand, rating, seller and category);
- `not_found`: the supplier answered "no such product" for a product it had.

A suspect reading is re-checked through another proxy (`catalog.tracking`); it is accepted only when the
second reading agrees with it, and dropped when the second reading looks normal.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from catalog.models import Availability, PriceHistory, Product
from suppliers.plugins.base import ProductData

SELLABLE = {Availability.IN_STOCK, Availability.LOW_STOCK, Availability.BACKORDER}
GONE = {Availability.OUT_OF_STOCK, Availability.UNAVAILABLE}
SECONDARY_FIELDS = ("brand", "rating", "seller", "category_path")


def reading_suspicions(product: Product, data: ProductData) -> list[str]:
    """Why this reading of a known product is implausible (empty when it is believable)."""
    reasons = [*_price_suspicions(product, data)]
    if product.currency and data.currency and product.currency != data.currency:
        reasons.append("currency_flip")
    if _all_variants_zero(product, data):
        reasons.append("all_variants_zero")
    if _lost_fields(product, data):
        reasons.append("lost_fields")
    return reasons


def readings_agree(first: ProductData, second: ProductData) -> bool:
    """Two readings say the same about what the guard protects: price, currency, availability, stock, fields."""
    return essentials(first) == essentials(second)


def essentials(data: ProductData) -> tuple[Any, ...]:
    variants = tuple(sorted((v.sku, v.price, v.availability, v.stock_quantity) for v in data.variants))
    present = tuple(bool(getattr(data, name)) for name in ("title", "images", *SECONDARY_FIELDS))
    return (data.price, data.currency, data.availability, data.stock_quantity, variants, present)


def _price_suspicions(product: Product, data: ProductData) -> list[str]:
    old, new = product.price, data.price
    if not old or new is None or (product.currency and data.currency and product.currency != data.currency):
        return []
    reason = ""
    if new <= old * (1 - Decimal(str(settings.TRACKING_SUSPECT_PRICE_DROP))):
        reason = "price_drop"
    elif new >= old * Decimal(str(settings.TRACKING_SUSPECT_PRICE_RISE)):
        reason = "price_spike"
    if reason and _price_seen_before(product, new):
        return []
    return [reason] if reason else []


def _price_seen_before(product: Product, price: Decimal) -> bool:
    """A price the product has really had before is not implausible, however far it is from the last one."""
    return PriceHistory.objects.filter(product=product, variant__isnull=True, price=price).exists()


def _all_variants_zero(product: Product, data: ProductData) -> bool:
    if len(data.variants) < 2 or product.availability not in SELLABLE:
        return False
    return all(v.stock_quantity == 0 or v.availability in GONE for v in data.variants)


def _lost_fields(product: Product, data: ProductData) -> bool:
    if (product.title and not data.title) or (product.images and not data.images):
        return True
    if product.price is not None and data.price is None and data.availability not in GONE:
        return True
    had = {
        "brand": bool(product.brand),
        "rating": product.rating is not None,
        "seller": product.seller_id is not None,
        "category_path": bool(product.category_path),
    }
    lost = [name for name in SECONDARY_FIELDS if had[name] and not getattr(data, name)]
    return len(lost) >= 2
