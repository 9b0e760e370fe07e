"""Marketplace analytics at scale: backfill history with COPY, roll it up, then time the research and history reads.

At scale 1: 10 million price readings and half as many stock readings over 10,000 products and a year.
`load_history` is the reusable loader (a business-data benchmark can build on its products).
"""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import User
from benchmarks.report import Figure, median, percentile
from catalog.backfill import COLUMNS, BackfillResult, history_backfill
from catalog.models import Category, Product, Seller, TrackedProduct
from listings.models import Listing
from marketplaces.models import StoreAccount
from suppliers.models import Supplier
from tests.factories import UserFactory

DESCRIPTION = "history backfill (COPY) + rollups, then p50/p95 of research and history endpoints"
NAME = "analytics"
PRICE_ROWS = 10_000_000
PRODUCTS = 10_000
STOCK_SHARE = 0.5
DAYS = 365
SELLERS_PER_1000 = 50
SAMPLES = 20
SOLD_PRODUCTS = 2_000  # one customer's listings, open all year: what the stock-out report reads
GOALS_MS = {"history daily 90d": 20.0}
DEFAULT_GOAL_MS = 200.0


@dataclass
class LoadedHistory:
    supplier: Supplier
    products: list[int]
    backfill: BackfillResult
    now: datetime


def load_history(
    *, products: int = PRODUCTS, price_rows: int = PRICE_ROWS, days: int = DAYS, seed: int = 6
) -> LoadedHistory:
    """An Uzum-like catalogue (sellers, a two-level category tree, products) and a year of price and stock history
    written to a CSV file and loaded with `history_backfill` (COPY + rollup rebuild)."""
    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    supplier = Supplier.objects.create(slug="uzum", name="Uzum Market")
    ids = _catalogue(supplier, products, rng, now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE catalog_product; ANALYZE catalog_seller; ANALYZE catalog_category")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "history.csv"
        _write_csv(path, ids, price_rows // products, days, now, rng)
        with path.open(encoding="utf-8", newline="") as lines:
            result = history_backfill(lines=lines)
    return LoadedHistory(supplier=supplier, products=ids, backfill=result, now=now)


def _catalogue(supplier: Supplier, count: int, rng: random.Random, now: datetime) -> list[int]:
    roots = Category.objects.bulk_create(
        Category(supplier=supplier, external_id=f"r{n}", name=f"Root {n}", path=f"Root {n}") for n in range(10)
    )
    leaves = Category.objects.bulk_create(
        Category(
            supplier=supplier,
            external_id=f"c{n}",
            name=f"Leaf {n}",
            path=f"Root {n % 10} > Leaf {n}",
            parent=roots[n % 10],
            level=1,
        )
        for n in range(100)
    )
    sellers = Seller.objects.bulk_create(
        Seller(supplier=supplier, external_id=str(n), name=f"Shop {n}", rating=Decimal("4.50"))
        for n in range(max(2, count * SELLERS_PER_1000 // 1000))
    )
    rows = []
    for n in range(count):
        price = Decimal(rng.randrange(10_000, 500_000, 1000))
        rows.append(
            Product(
                supplier=supplier,
                external_id=str(100_000 + n),
                title=f"Item {n % (count // 4 or 1)} cable",
                category=leaves[n % len(leaves)],
                seller=sellers[rng.randrange(len(sellers))],
                currency="UZS",
                price=price,
                list_price=price * 2,
                availability="in_stock",
                stock_quantity=100,
                last_scraped_at=now - timedelta(minutes=rng.randrange(600)),
            )
        )
    return [product.pk for product in Product.objects.bulk_create(rows, batch_size=5000)]


def _write_csv(path: Path, ids: list[int], per_product: int, days: int, now: datetime, rng: random.Random) -> None:
    """A random walk of price and stock per product, written day by day as collection would append it."""
    start = int(now.timestamp()) - days * 86400
    price_rate, stock_rate = per_product / days, per_product * STOCK_SHARE / days
    prices = {product_id: rng.randrange(10_000, 500_000, 1000) for product_id in ids}
    stocks = {product_id: rng.randrange(100, 500) for product_id in ids}
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(COLUMNS) + "\n")
        for day in range(days):
            midnight = start + day * 86400
            lines = []
            for product_id in ids:
                for ts in sorted(rng.randrange(86400) for _ in range(_count(price_rate, rng))):
                    prices[product_id] = price = max(1000, prices[product_id] + rng.choice((-2000, -1000, 1000, 2000)))
                    at = datetime.fromtimestamp(midnight + ts, UTC).isoformat()
                    lines.append(f"price,{product_id},,{at},{price},{price * 2},UZS,,\n")
                for ts in sorted(rng.randrange(86400) for _ in range(_count(stock_rate, rng))):
                    stocks[product_id] = stock = _next_stock(stocks[product_id], rng)
                    availability = "in_stock" if stock else "out_of_stock"
                    at = datetime.fromtimestamp(midnight + ts, UTC).isoformat()
                    lines.append(f"stock,{product_id},,{at},,,,{stock},{availability}\n")
            out.write("".join(lines))


def _count(rate: float, rng: random.Random) -> int:
    """Readings in a day: the whole part of the rate, plus one with the fraction's chance."""
    whole = int(rate)
    return whole + (rng.random() < rate - whole)


def _next_stock(stock: int, rng: random.Random) -> int:
    roll = rng.random()
    if stock < 5 and roll < 0.5:
        return rng.randrange(200, 500)  # a restock
    if roll > 0.95:
        return stock + rng.randrange(1, 3)  # a return
    return max(0, stock - rng.randrange(1, 6))


def _sell(user: User, product_ids: list[int], *, published_at: datetime) -> None:
    store = StoreAccount.objects.create(
        user=user, marketplace="ebay", name="Bench store", status=StoreAccount.Status.CONNECTED
    )
    Listing.objects.bulk_create(
        (
            Listing(
                user=user,
                store_account=store,
                product_id=product_id,
                sku=f"BENCH-{product_id}",
                title=f"Item {product_id}",
                status=Listing.Status.ACTIVE,
                price=Decimal("29.99"),
                quantity=5,
                published_at=published_at,
            )
            for product_id in product_ids
        ),
        batch_size=2000,
    )


def _timed(name: str, call: Callable[[], object], samples: int) -> Figure | list[Figure]:
    call()  # warm up
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    goal = GOALS_MS.get(name, DEFAULT_GOAL_MS)
    p95 = percentile(times, 95)
    verdict = "ok" if p95 < goal else "OVER"
    return [
        Figure(NAME, f"{name} p50", median(times), "ms"),
        Figure(NAME, f"{name} p95", p95, "ms", f"goal < {goal:.0f} ms: {verdict}"),
    ]


def _get(client: Client, url: str, params: dict[str, object]) -> Callable[[], object]:
    def call() -> object:
        response = client.get(url, params)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    return call


def run(*, scale: float) -> list[Figure]:
    products = max(100, int(PRODUCTS * scale))
    rows = max(10_000, int(PRICE_ROWS * scale))
    started = time.perf_counter()
    loaded = load_history(products=products, price_rows=rows)
    total = time.perf_counter() - started
    backfill = loaded.backfill
    note = f"{backfill.price_rows:,} price + {backfill.stock_rows:,} stock rows, {products:,} products"
    figures = [
        Figure(NAME, "backfill ingest (validate + COPY)", backfill.rows / backfill.load_seconds, "rows/s", note),
        Figure(NAME, "rollup rebuild", backfill.rollup_seconds, "s", "one statement for days, one for series"),
        Figure(NAME, "load total (generate CSV + backfill + rollups)", total, "s"),
    ]
    user = UserFactory()
    client = Client()
    client.force_login(user)
    product_id = loaded.products[len(loaded.products) // 2]
    TrackedProduct.objects.create(user=user, product_id=product_id)
    _sell(user, loaded.products[:SOLD_PRODUCTS], published_at=loaded.now - timedelta(days=DAYS))
    today = timezone.localdate()
    research = "/api/v1/analytics/research/"
    reads = {
        "sellers 30d": (research + "sellers", {"supplier": "uzum", "days": 30}),
        "categories 30d": (research + "categories", {"supplier": "uzum", "days": 30}),
        "price-comparison": (research + "price-comparison", {"supplier": "uzum"}),
        "best-deals 30d": (research + "best-deals", {"supplier": "uzum", "days": 30}),
        "stats": (research + "stats", {"supplier": "uzum"}),
        "history daily 90d": (
            "/api/v1/analytics/history",
            {"product": product_id, "from": today - timedelta(days=89), "to": today},
        ),
        "stock-outs 30d": ("/api/v1/analytics/stock-outs", {}),
        "stock-outs 365d": ("/api/v1/analytics/stock-outs", {"from": today - timedelta(days=DAYS - 1), "to": today}),
        "history hourly 90d": (
            "/api/v1/analytics/history",
            {"product": product_id, "from": today - timedelta(days=89), "to": today, "resolution": "hourly"},
        ),
        "history raw 90d": (
            "/api/v1/analytics/history",
            {"product": product_id, "from": today - timedelta(days=89), "to": today, "resolution": "raw"},
        ),
    }
    for name, (url, params) in reads.items():
        figures += _timed(name, _get(client, url, params), SAMPLES)
    return figures
