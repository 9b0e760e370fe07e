"""Catalog ingest throughput: readings per second for new, unchanged and changed products."""

import time
from dataclasses import replace
from decimal import Decimal

from benchmarks.report import Figure
from catalog.ingest import product_ingest
from suppliers.models import Supplier
from suppliers.plugins.base import ProductData, VariantData

DESCRIPTION = "catalog.ingest.product_ingest on new, unchanged and price-changed readings (2 variants each)"
NAME = "ingest"


def _reading(number: int) -> ProductData:
    external_id = f"B0BENCH{number:05d}"
    return ProductData(
        external_id=external_id,
        url=f"https://www.amazon.com/dp/{external_id}",
        title=f"Benchmark Widget {number} with a Realistic Length Title, Stainless Steel, 2-Pack",
        brand="Acme",
        price=Decimal("19.99") + number % 50,
        currency="USD",
        list_price=Decimal("29.99") + number % 50,
        availability="in_stock",
        stock_quantity=100 + number % 7,
        rating=Decimal("4.5"),
        review_count=1000 + number,
        seller=f"Seller {number % 40}",
        images=[f"https://m.media-amazon.com/images/I/{number:011d}.jpg"],
        bullets=["Durable", "Dishwasher safe"],
        category_path=["Home & Kitchen", "Kitchen", f"Gadgets {number % 20}"],
        variants=[
            VariantData(sku=f"{external_id}-{color}", title=color, attributes={"Color": color},
                        price=Decimal("19.99") + number % 50, currency="USD", availability="in_stock",
                        stock_quantity=50)
            for color in ("Red", "Blue")
        ],
    )  # fmt: skip


def _pass(supplier: Supplier, readings: list[ProductData]) -> tuple[float, int, int]:
    """Ingest every reading once: seconds taken, readings that changed, history rows written."""
    changed = rows = 0
    started = time.perf_counter()
    for data in readings:
        result = product_ingest(supplier=supplier, data=data)
        changed += result.changed
        rows += result.history_rows
    return time.perf_counter() - started, changed, rows


def run(*, scale: float) -> list[Figure]:
    count = max(20, int(500 * scale))
    supplier = Supplier.objects.create(slug="amazon", name="Amazon")
    readings = [_reading(n) for n in range(count)]
    repriced = [replace(r, price=r.price + Decimal("1.00")) for r in readings]
    new_s, _, new_rows = _pass(supplier, readings)
    same_s, same_changed, same_rows = _pass(supplier, readings)
    changed_s, changed, changed_rows = _pass(supplier, repriced)
    note = f"{count} readings"
    return [
        Figure(NAME, "new products", count / new_s, "readings/s", note),
        Figure(NAME, "unchanged products", count / same_s, "readings/s", note),
        Figure(NAME, "price-changed products", count / changed_s, "readings/s", note),
        Figure(NAME, "history rows per new product", new_rows / count, "rows", "price+stock, product+2 variants"),
        Figure(NAME, "history rows per unchanged product", same_rows / count, "rows", f"{same_changed} changed"),
        Figure(NAME, "history rows per changed product", changed_rows / max(changed, 1), "rows", "product price only"),
    ]
