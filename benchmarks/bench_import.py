"""Import throughput end to end: recorded import jobs run by one RQ worker process against a slow supplier.

A loopback server answers `/dp/<ASIN>` with a real Amazon product page (from `../shared`, its ASIN rewritten to
the one asked for) after 300 ms. One forking RQ worker (`dropship_central.worker.JobWorker`, burst mode) runs
the jobs; each import job claims a batch of waiting imports and fetches them concurrently. Reported: imports
per minute at increasing supplier concurrency, and the database work per import (ingest, tracking link,
job outcome) measured on its own.
"""

import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import django_rq
from django.conf import settings
from django.db import connections

from accounts.models import User
from benchmarks.report import Figure, median
from catalog.imports import ImportItem, _complete_member
from catalog.services import product_import_request
from dropship_central.jobs import jobs_claim_batch
from dropship_central.models import Job
from dropship_central.worker import JobWorker
from suppliers.models import Supplier
from suppliers.plugins.amazon import AmazonScraper
from suppliers.scraping import supplier_http_reset

DESCRIPTION = "import jobs through one RQ worker process, 300 ms supplier latency, at rising concurrency"
NAME = "import"
LATENCY_SECONDS = 0.3
CONCURRENCY_STEPS = (8, 32, 64, 128)
PAGE = (
    Path(settings.BASE_DIR).parent
    / "shared/fixtures/amazon/dp/Muhammadsheraz492__Amazon_Scraper__2be4b06__product_page.html"
)
PAGE_ASIN = b"B0823MDHDJ"
GOAL_PER_MINUTE = 1500


class _SlowAmazon(BaseHTTPRequestHandler):
    """Answers `/dp/<ASIN>` with the real page, rewritten to that ASIN, after the supplier latency."""

    protocol_version = "HTTP/1.1"
    page = b""

    def do_GET(self) -> None:
        asin = self.path.rsplit("/", 1)[-1].split("?", 1)[0].encode()
        body = self.page.replace(PAGE_ASIN, asin)
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
    request_queue_size = 1024  # the default listen backlog (5) would drop concurrent connects


@contextmanager
def _server() -> Iterator[str]:
    _SlowAmazon.page = PAGE.read_bytes()
    server = _Server(("127.0.0.1", 0), _SlowAmazon)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _asins(prefix: int, count: int) -> list[str]:
    return [f"B{prefix:03d}{number:06d}" for number in range(count)]


def _run_step(*, user: User, supplier: Supplier, concurrency: int, count: int) -> tuple[float, str]:
    """Seconds one worker process takes to finish `count` recorded imports, and a note on the failed ones."""
    supplier.concurrency = concurrency
    supplier.save(update_fields=["concurrency"])
    settings.IMPORT_BATCH_SIZE = max(64, concurrency)
    supplier_http_reset()
    jobs = [
        product_import_request(user=user, supplier="amazon", external_id=asin) for asin in _asins(concurrency, count)
    ]
    queue = django_rq.get_queue("scrape")
    connections.close_all()  # the forking worker must not hand this connection to its work horses
    started = time.perf_counter()
    JobWorker([queue], connection=queue.connection).work(burst=True, logging_level="ERROR")
    elapsed = time.perf_counter() - started
    failed = Job.objects.filter(pk__in=[job.pk for job in jobs]).exclude(status=Job.Status.SUCCESS)
    errors = Counter(error.split(":", 1)[0] for error in failed.values_list("error", flat=True))
    return elapsed, ", ".join(f"{number} {name or 'unfinished'}" for name, number in errors.most_common()) or "none"


def _db_ms_per_import(*, user: User, supplier: Supplier, count: int) -> tuple[float, float]:
    """Median ms of the database work of one batched import: new products, then the same readings again."""
    reading = AmazonScraper(http=None).parse_product(PAGE.read_text(encoding="utf-8"), "https://www.amazon.com/dp/x")
    asins = _asins(999, count)
    supplier.freshness_seconds = 0
    supplier.save(update_fields=["freshness_seconds"])
    samples = []
    for _ in range(2):
        holder = product_import_request(user=user, supplier="amazon", external_id=asins[0])
        for asin in asins:
            product_import_request(user=user, supplier="amazon", external_id=asin)
        claimed = jobs_claim_batch(holder=holder, payload_match={"supplier": "amazon"}, limit=count + 1)
        timings = []
        for job in claimed:
            item = ImportItem(job=job, external_id=job.payload["external_id"], user_id=user.pk)
            item.reading = replace(reading, external_id=item.external_id)
            started = time.perf_counter()
            _complete_member(item, supplier=supplier)
            timings.append((time.perf_counter() - started) * 1000)
        Job.objects.filter(pk=holder.pk).update(status=Job.Status.CANCELLED)
        samples.append(median(timings))
    django_rq.get_queue("scrape").empty()
    return samples[0], samples[1]


def run(*, scale: float) -> list[Figure]:
    if not PAGE.is_file():
        return [Figure(NAME, "skipped", 0, "", f"{PAGE} is absent (../shared not beside the checkout)")]
    user = User.objects.create_user(email="bench-import@example.com", password="x", tier=User.Tier.ENTERPRISE)
    supplier = Supplier.objects.create(
        slug="amazon", name="Amazon", requests_per_minute=1_000_000, config={"http": {"max_attempts": 2}}
    )
    figures = []
    count = max(64, int(1000 * scale))
    with _server() as url:
        settings.AMAZON_BASE_URL = url
        for concurrency in CONCURRENCY_STEPS:
            elapsed, failed = _run_step(user=user, supplier=supplier, concurrency=concurrency, count=count)
            note = f"{count} jobs, failed: {failed}; goal >= {GOAL_PER_MINUTE}/min"
            figures.append(
                Figure(NAME, f"imports/min at concurrency {concurrency}", count / elapsed * 60, "/min", note)
            )
    new_ms, same_ms = _db_ms_per_import(user=user, supplier=supplier, count=min(count, 200))
    figures.append(Figure(NAME, "db work per new import", new_ms, "ms", "ingest + tracking link + job outcome"))
    figures.append(Figure(NAME, "db work per unchanged re-import", same_ms, "ms", "same reading again"))
    return figures
