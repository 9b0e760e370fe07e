"""A tracking pass over 10,000 products against a slow supplier, and how fast a change reaches listings and alerts.

A loopback server answers `/dp/<ASIN>` with a real Amazon product page (from `../shared`) after 300 ms; 5 % of
the products answer with a new price. Every product is due. The RQ cron tick (`tracking_enqueue_due`) enqueues
tracking batches; one forking RQ worker process (burst) runs them, each batch topping the queue up. Meanwhile a
second worker process serves the `default` and `sync` queues, where the repricing and policy jobs of each change
run. Reported: products refreshed per minute by the one scrape worker process, the CPU time its work-horse
processes spent per refreshed product (user + system, as the kernel counts it for reaped children: unlike the
rate, it hardly moves when other work shares the machine), rows written per refreshed product (PostgreSQL's own
counters) and write statements per product (an in-process sample), and the time from a changed reading being
stored to the listing's new price decision and the price-drop alert existing.
"""

import os
import resource
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import django_rq
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, PolicyRule
from benchmarks.report import Figure, median, percentile
from catalog.ingest import reading_digest
from catalog.jobs import tracking_enqueue_due
from catalog.models import PriceHistory, Product, ProductVariant, TrackedProduct
from catalog.tracking import tracking_pass
from dropship_central.worker import JobWorker
from listings.models import Listing, PriceDecision, PricingRule
from marketplaces.models import StoreAccount
from suppliers.models import Supplier
from suppliers.plugins.amazon import AmazonScraper
from suppliers.plugins.base import ProductData
from suppliers.scraping import supplier_http_reset

DESCRIPTION = "tracking pass over 10,000 products, 300 ms supplier latency, 5 % price changes, change -> alert"
NAME = "tracking"
LATENCY_SECONDS = 0.3
CHANGE_RATE = 0.05
CONCURRENCY = 64
PAGE = (
    Path(settings.BASE_DIR).parent
    / "shared/fixtures/amazon/dp/Muhammadsheraz492__Amazon_Scraper__2be4b06__product_page.html"
)
NEW_PRICE = "151.00"
GOAL_PER_MINUTE = 3000
GOAL_CPU_MS = 60_000 / GOAL_PER_MINUTE
GOAL_ALERT_SECONDS = 2.0


def _changes(asin: str) -> bool:
    return zlib.crc32(asin.encode()) % 1000 < CHANGE_RATE * 1000


class _SlowAmazon(BaseHTTPRequestHandler):
    """The real page (with a new price for 5 % of the ASINs), after the latency. The page keeps its own ASIN: a
    tracking pass reads it as the product asked for, so every product's reading is known in advance."""

    protocol_version = "HTTP/1.1"
    page = b""
    changed_page = b""

    def do_GET(self) -> None:
        asin = self.path.rsplit("/", 1)[-1].split("?", 1)[0]
        body = self.changed_page if _changes(asin) else self.page
        time.sleep(LATENCY_SECONDS)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024


@contextmanager
def _server() -> Iterator[str]:
    _SlowAmazon.page = PAGE.read_bytes()
    whole = NEW_PRICE.split(".")[0]
    _SlowAmazon.changed_page = _SlowAmazon.page.replace(b"159.00", NEW_PRICE.encode()).replace(
        b'price-whole">159', f'price-whole">{whole}'.encode()
    )
    server = _Server(("127.0.0.1", 0), _SlowAmazon)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _alert_worker() -> Iterator[None]:
    """A long-running RQ worker process on `default` and `sync`: where repricing and policy jobs run."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "BENCH_DATABASE_URL": _database_url(),
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rqworker", "default", "sync", "--name", f"bench-alerts-{os.getpid()}"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # let it start and register before the pass begins
        yield
    finally:
        process.terminate()
        process.wait(30)


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _seed(*, count: int, supplier: Supplier, base_url: str) -> list[Product]:
    """`count` due products as an import left them (with variants), each tracked and listed by one user."""
    reading = AmazonScraper(http=None).parse_product(PAGE.read_text(encoding="utf-8"), base_url)
    user = User.objects.create_user(email="bench-tracking@example.com", password="x", tier=User.Tier.ENTERPRISE)
    store = StoreAccount.objects.create(user=user, marketplace="ebay", name="Bench store", status="pending")
    PricingRule.objects.create(user=user, name="Bench rule", markup_percent=Decimal(30), fee_percent=Decimal(13))
    PolicyRule.objects.create(user=user, name="Price drop", kind="price_drop", threshold=Decimal(3))
    now = timezone.now()
    products = Product.objects.bulk_create(
        [
            _product(reading, asin=f"B7{number:08d}", base_url=base_url, supplier=supplier, now=now)
            for number in range(count)
        ],
        batch_size=2000,
    )
    ProductVariant.objects.bulk_create(
        [_variant(product, variant) for product in products for variant in reading.variants], batch_size=5000
    )
    TrackedProduct.objects.bulk_create([TrackedProduct(user=user, product=p) for p in products], batch_size=5000)
    Listing.objects.bulk_create([_listing(user, store, p) for p in products], batch_size=5000)
    return products


def _product(reading: ProductData, *, asin: str, base_url: str, supplier: Supplier, now: Any) -> Product:
    data = replace(reading, external_id=asin, url=f"{base_url}/dp/{asin}")
    return Product(
        supplier=supplier,
        external_id=asin,
        title=data.title or "",
        brand=data.brand or "",
        url=data.url,
        images=data.images,
        bullets=data.bullets,
        variations=data.variations,
        category_path=data.category_path,
        price=data.price,
        list_price=data.list_price,
        currency=data.currency or "",
        availability=data.availability,
        rating=data.rating,
        review_count=data.review_count or 0,
        reading_digest=reading_digest(data),
        last_scraped_at=now - timedelta(hours=1),
        next_check_at=now - timedelta(seconds=1),
        check_interval_seconds=900,
        is_listed=True,
    )


def _variant(product: Product, variant: Any) -> ProductVariant:
    return ProductVariant(
        product=product,
        sku=variant.sku,
        title=variant.title,
        attributes=variant.attributes,
        currency=variant.currency or product.currency,
        price=variant.price,
        list_price=variant.list_price,
        availability=variant.availability,
        stock_quantity=variant.stock_quantity,
    )


def _listing(user: User, store: StoreAccount, product: Product) -> Listing:
    return Listing(
        user=user,
        store_account=store,
        product=product,
        sku=f"BT-{product.external_id}",
        title=product.title[:80],
        status=Listing.Status.ACTIVE,
        price=Decimal("249.99"),
        quantity=5,
    )


def _rows_written() -> int:
    """Rows inserted, updated and deleted in every table so far, by PostgreSQL's counters. A backend reports its
    counts when it exits (or at most every second), so every connection is closed and given time first."""
    connections.close_all()
    time.sleep(2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_user_tables")
        return int(cursor.fetchone()[0])


def _run_pass() -> tuple[float, float]:
    """Seconds the scrape worker process takes to drain every due product (cron tick, then burst), and the CPU
    seconds of the work-horses it forked for the jobs (the only children reaped meanwhile)."""
    queue = django_rq.get_queue("scrape")
    tracking_enqueue_due()
    connections.close_all()
    cpu_before = _children_cpu()
    started = time.perf_counter()
    JobWorker([queue], connection=queue.connection).work(burst=True, logging_level="ERROR")
    return time.perf_counter() - started, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _latencies(products: list[Product], *, wait: float = 60.0) -> tuple[list[float], int]:
    """Seconds from each changed product's new price row to its listing's decision and its alert (the later)."""
    changed = {p.pk for p in products if _changes(p.external_id)}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and Alert.objects.filter(product_id__in=changed).count() < len(changed):
        time.sleep(0.5)
    landed = dict(
        PriceHistory.objects.filter(product_id__in=changed, variant__isnull=True, price=Decimal(NEW_PRICE)).values_list(
            "product_id", "recorded_at"
        )
    )
    decided = dict(
        PriceDecision.objects.filter(listing__product_id__in=changed, trigger="product_changed").values_list(
            "listing__product_id", "created_at"
        )
    )
    alerted = dict(Alert.objects.filter(product_id__in=changed).values_list("product_id", "created_at"))
    seconds = [
        (max(decided[pk], alerted[pk]) - landed[pk]).total_seconds()
        for pk in changed
        if pk in landed and pk in decided and pk in alerted
    ]
    return seconds, len(changed) - len(seconds)


def _statements_per_product(*, supplier: Supplier, count: int) -> float:
    """Write statements of an in-process pass over `count` products that did not change, per product."""
    from django.db.backends import utils

    Product.objects.filter(pk__in=Product.objects.filter(supplier=supplier).values("pk")[:count]).update(
        next_check_at=timezone.now() - timedelta(seconds=1)
    )
    seen: list[str] = []
    original = utils.CursorWrapper._execute_with_wrappers

    def recording(self: Any, sql: str, params: Any, many: bool, executor: Any) -> Any:
        seen.append(sql)
        return original(self, sql, params, many, executor)

    utils.CursorWrapper._execute_with_wrappers = recording  # type: ignore[method-assign]
    try:
        summary = tracking_pass(supplier=supplier, limit=count)
    finally:
        utils.CursorWrapper._execute_with_wrappers = original  # type: ignore[method-assign]
    writes = sum(1 for sql in seen if sql.startswith(("INSERT", "UPDATE", "DELETE")))
    return writes / max(summary.refreshed, 1)


def run(*, scale: float) -> list[Figure]:
    if not PAGE.is_file():
        return [Figure(NAME, "skipped", 0, "", f"{PAGE} is absent (../shared not beside the checkout)")]
    count = max(200, int(10_000 * scale))
    supplier = Supplier.objects.create(
        slug="amazon",
        name="Amazon",
        requests_per_minute=1_000_000,
        concurrency=CONCURRENCY,
        config={"http": {"max_attempts": 2}},
    )
    with _server() as url:
        settings.AMAZON_BASE_URL = url
        supplier_http_reset()
        products = _seed(count=count, supplier=supplier, base_url=url)
        rows_before = _rows_written()
        with _alert_worker():
            elapsed, cpu = _run_pass()
            rows = _rows_written() - rows_before
            seconds, missing = _latencies(products)
        refreshed = Product.objects.filter(supplier=supplier, last_scraped_at__gt=timezone.now() - timedelta(hours=1))
        done = refreshed.count()
        per_statement = _statements_per_product(supplier=supplier, count=min(count, 500))
    changed = sum(_changes(p.external_id) for p in products)
    note = f"{done:,} of {count:,} refreshed, {changed} changed; concurrency {CONCURRENCY}; goal >= {GOAL_PER_MINUTE:,}"
    return [
        Figure(NAME, "products refreshed/min, one worker process", done / elapsed * 60, "/min", note),
        Figure(
            NAME,
            "worker CPU per refreshed product",
            cpu / max(done, 1) * 1000,
            "ms",
            f"work-horse user+sys; {GOAL_CPU_MS:.0f} ms = {GOAL_PER_MINUTE:,}/min on one core",
        ),
        Figure(NAME, "rows written per refreshed product", rows / max(done, 1), "rows", "all tables, incl. jobs"),
        Figure(NAME, "write statements per unchanged product", per_statement, "stmts", "in-process sample of 500"),
        Figure(
            NAME, "change -> decision + alert, median", median(seconds) if seconds else 0, "s", f"{missing} missing"
        ),
        Figure(
            NAME,
            "change -> decision + alert, p95",
            percentile(seconds, 95) if seconds else 0,
            "s",
            f"goal < {GOAL_ALERT_SECONDS} s",
        ),
    ]
