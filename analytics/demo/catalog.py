"""The demo catalog: products, variants, 90 days of price and stock history (only on change), tracking."""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from analytics.demo.data import CATALOG, SUPPLIERS, DemoProduct
from analytics.demo.state import CENT, DAYS, STOCKOUTS, Demo, Walk, backdate
from catalog.models import (
    Availability,
    Category,
    PriceHistory,
    Product,
    ProductVariant,
    Seller,
    StockHistory,
    TrackedProduct,
)
from catalog.rollups import rollups_rebuild
from suppliers.models import Supplier


def _catalog(demo: Demo) -> None:
    suppliers = {slug: _supplier(slug) for slug in SUPPLIERS}
    for item in CATALOG:
        demo.walks[item.external_id] = _walk(demo, item)
    products = [_product(demo, item, suppliers[item.supplier]) for item in CATALOG]
    Product.objects.bulk_create(products)
    backdate(products, [demo.start - timedelta(days=demo.rng.randint(1, 30)) for _ in products])
    demo.products = {p.external_id: p for p in products}
    variants = [v for item in CATALOG for v in _variants(demo, item)]
    ProductVariant.objects.bulk_create(variants)
    for variant in variants:
        demo.variants.setdefault(variant.product.external_id, []).append(variant)
    PriceHistory.objects.bulk_create([row for item in CATALOG for row in _price_rows(demo, item)])
    StockHistory.objects.bulk_create([row for item in CATALOG for row in _stock_rows(demo, item)])
    rollups_rebuild(product_ids=[product.pk for product in products])


def _supplier(slug: str) -> Supplier:
    config = dict(SUPPLIERS[slug])
    supplier, _ = Supplier.objects.get_or_create(slug=slug, defaults=config)
    return supplier


def _walk(demo: Demo, item: DemoProduct) -> Walk:
    walk, rng = Walk(), demo.rng
    price, quantity = item.price, rng.randint(40, 400)
    first_out, last_out = STOCKOUTS.get(item.external_id, (DAYS, None))
    for index in range(DAYS):
        at = demo.day(index) + timedelta(hours=rng.randint(0, 22), minutes=rng.randint(0, 59))
        if index == 0 or rng.random() < 0.22:
            price = _next_price(rng, prev=price, base=item.price, currency=item.currency) if index else price
            if not walk.prices or walk.prices[-1][1] != price:
                walk.prices.append((at, price))
        quantity = _next_quantity(rng, index=index, quantity=quantity, first_out=first_out, last_out=last_out)
        reading = (quantity, _availability(quantity))
        if not walk.stock or walk.stock[-1][1:] != reading:
            walk.stock.append((at, *reading))
    return walk


def _next_price(rng: random.Random, *, prev: Decimal, base: Decimal, currency: str) -> Decimal:
    step = Decimal(rng.randint(2, 8)) / 100 * rng.choice((-1, 1))
    raw = min(max(prev * (1 + step), base * Decimal("0.75")), base * Decimal("1.25"))
    if currency == "UZS":
        return (raw / 1000).quantize(Decimal(1), ROUND_HALF_UP) * 1000
    if base % 1 == Decimal("0.99"):
        return raw.quantize(Decimal(1), ROUND_HALF_UP) - CENT
    return raw.quantize(CENT, ROUND_HALF_UP)


def _next_quantity(rng: random.Random, *, index: int, quantity: int, first_out: int, last_out: int | None) -> int:
    if first_out <= index and (last_out is None or index <= last_out):
        return 0
    if quantity == 0:
        return rng.randint(80, 300)
    if rng.random() >= 0.35:
        return quantity
    quantity -= rng.randint(1, max(2, quantity // 5))
    return quantity + rng.randint(60, 300) if quantity < 3 else quantity


def _availability(quantity: int) -> str:
    if quantity == 0:
        return Availability.OUT_OF_STOCK
    return Availability.LOW_STOCK if quantity <= 10 else Availability.IN_STOCK


def _product(demo: Demo, item: DemoProduct, supplier: Supplier) -> Product:
    walk = demo.walks[item.external_id]
    _, quantity, availability = walk.stock[-1]
    rng = demo.rng
    return Product(
        supplier=supplier,
        external_id=item.external_id,
        url=_product_url(item),
        title=item.title,
        brand=item.brand,
        description=f"{item.title}. Sold by {item.seller}.",
        category=_category(supplier, item.category),
        seller=_seller(supplier, item),
        currency=item.currency,
        price=walk.prices[-1][1],
        list_price=(item.price * Decimal("1.2")).quantize(Decimal(1) if item.currency == "UZS" else CENT),
        availability=availability,
        stock_quantity=quantity,
        rating=item.rating,
        review_count=item.reviews,
        orders_count=item.reviews * rng.randint(3, 9),
        images=[item.image],
        bullets=[f"Brand: {item.brand}", f"Ships from {SUPPLIERS[item.supplier]['name']}"],
        variations=_variations(item),
        category_path=list(item.category),
        attributes={"Brand": item.brand},
        last_scraped_at=demo.now - timedelta(minutes=rng.randint(5, 55)),
        next_check_at=demo.now + timedelta(minutes=rng.randint(5, 60)),
    )


def _product_url(item: DemoProduct) -> str:
    if item.supplier == "amazon":
        return f"https://www.amazon.com/dp/{item.external_id}"
    if item.supplier == "aliexpress":
        return f"https://www.aliexpress.com/item/{item.external_id}.html"
    return f"https://uzum.uz/ru/product/{item.external_id}"


def _variations(item: DemoProduct) -> list[dict[str, object]]:
    if not item.variants:
        return []
    name = next(iter(item.variants[0].attributes))
    return [{"name": name, "values": [v.attributes[name] for v in item.variants]}]


def _digest(text: str) -> str:
    return "demo:" + hashlib.sha1(text.casefold().encode(), usedforsecurity=False).hexdigest()[:20]


def _category(supplier: Supplier, path: tuple[str, ...]) -> Category:
    parent = None
    for level, name in enumerate(path):
        joined = " > ".join(path[: level + 1])
        parent, _ = Category.objects.get_or_create(
            supplier=supplier,
            external_id=_digest(joined),
            defaults={"name": name, "parent": parent, "path": joined, "level": level},
        )
    assert parent is not None
    return parent


def _seller(supplier: Supplier, item: DemoProduct) -> Seller:
    seller, _ = Seller.objects.get_or_create(
        supplier=supplier,
        external_id=_digest(item.seller),
        defaults={"name": item.seller, "rating": Decimal("4.8"), "review_count": item.reviews * 4},
    )
    return seller


def _variants(demo: Demo, item: DemoProduct) -> list[ProductVariant]:
    product = demo.products[item.external_id]
    walk = demo.walks[item.external_id]
    rows = []
    for share, spec in zip(_shares(len(item.variants)), item.variants, strict=True):
        quantity = int(walk.stock[-1][1] * share)
        rows.append(
            ProductVariant(
                product=product,
                sku=spec.sku,
                title=spec.title,
                attributes=spec.attributes,
                currency=item.currency,
                price=walk.prices[-1][1] + spec.price_offset,
                availability=_availability(quantity),
                stock_quantity=quantity,
            )
        )
    return rows


def _shares(count: int) -> list[Decimal]:
    return [Decimal(1) / count] * count if count else []


def _price_rows(demo: Demo, item: DemoProduct) -> list[PriceHistory]:
    product = demo.products[item.external_id]
    rows = []
    for at, price in demo.walks[item.external_id].prices:
        rows.append(
            PriceHistory(
                product=product, price=price, list_price=product.list_price, currency=item.currency, recorded_at=at
            )
        )
        for variant, spec in zip(demo.variants.get(item.external_id, []), item.variants, strict=True):
            rows.append(
                PriceHistory(
                    product=product,
                    variant=variant,
                    price=price + spec.price_offset,
                    currency=item.currency,
                    recorded_at=at,
                )
            )
    return rows


def _stock_rows(demo: Demo, item: DemoProduct) -> list[StockHistory]:
    product = demo.products[item.external_id]
    variants = demo.variants.get(item.external_id, [])
    shares = _shares(len(variants))
    last: dict[int | None, int] = {}
    rows = []
    for at, quantity, availability in demo.walks[item.external_id].stock:
        rows.append(StockHistory(product=product, stock_quantity=quantity, availability=availability, recorded_at=at))
        for variant, share in zip(variants, shares, strict=True):
            part = int(quantity * share)
            if last.get(variant.pk) != part:
                last[variant.pk] = part
                rows.append(
                    StockHistory(
                        product=product,
                        variant=variant,
                        stock_quantity=part,
                        availability=_availability(part),
                        recorded_at=at,
                    )
                )
    return rows


def _tracked(demo: Demo) -> None:
    labels = {"B0BDHWDR12": "Best seller", "738211": "Watch for Ramadan sale", "1005005567001122": "Flaky supplier"}
    rows = [
        TrackedProduct(user=demo.user, product=product, label=labels.get(external_id, ""))
        for external_id, product in demo.products.items()
        if external_id not in {"653321", "777001"}
    ]
    TrackedProduct.objects.bulk_create(rows)
    backdate(rows, [demo.start + timedelta(days=demo.rng.randint(0, 20)) for _ in rows])


def build_catalog(demo: Demo) -> None:
    """Products with their variants and history, and the demo user's tracked products."""
    _catalog(demo)
    _tracked(demo)
