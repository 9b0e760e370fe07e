"""Imports end to end: the real Amazon plugin against a loopback server serving the shared real pages."""

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from suppliers.models import Supplier
from suppliers.scraping import supplier_http_reset
from tests.core_jobs.conftest import jobs_env, run_worker  # noqa: F401  (fixture reused from the job tests)
from tests.factories import SupplierFactory
from tests.loopback import LoopbackServer, Reply

DP_DIR = "fixtures/amazon/dp"
CAPTCHA = "fixtures/amazon/blocked/Muhammadsheraz492__Amazon_Scraper__a14e9d0__captcha_page.html"
# Two real product pages and their ASINs (from ground_truth.json): plain price and list-price discount.
SLOWPLAY = "B0823MDHDJ"
DARONG = "B0CFR36HR9"
MISSING = "B0MISSING1"


class AmazonSite:
    """Real product pages served at `/dp/<their own ASIN>` on a loopback server."""

    def __init__(self, server: LoopbackServer, shared_dir: Path) -> None:
        self.server = server
        self.shared_dir = shared_dir
        truth = json.loads((shared_dir / DP_DIR / "ground_truth.json").read_text(encoding="utf-8"))
        self.truth = {entry["asin"]: entry for entry in truth.values()}
        self.files = {entry["asin"]: name for name, entry in truth.items()}

    def page(self, asin: str) -> bytes:
        return (self.shared_dir / DP_DIR / self.files[asin]).read_bytes()

    def captcha(self) -> bytes:
        return (self.shared_dir / CAPTCHA).read_bytes()

    def serve(self, asin: str, *before: Reply) -> None:
        """Serve the product page of `asin`, after the given replies (each served once, in turn)."""
        self.server.route(f"/dp/{asin}", *before, Reply(body=self.page(asin)))

    def hits(self, asin: str) -> int:
        return self.server.hits[f"/dp/{asin}"]


@pytest.fixture
def amazon(db, settings, loopback, shared_dir, redis_conn) -> Iterator[Supplier]:
    """The Amazon supplier pointed at the loopback server; one attempt per job so retries are the job's."""
    settings.AMAZON_BASE_URL = loopback.url
    supplier_http_reset()
    supplier = SupplierFactory(
        slug="amazon",
        requests_per_minute=100_000,
        concurrency=8,
        config={"http": {"max_attempts": 1, "read_timeout": 1.0, "connect_timeout": 1.0}},
    )
    yield supplier
    supplier_http_reset()


@pytest.fixture
def site(amazon, loopback, shared_dir) -> AmazonSite:
    return AmazonSite(loopback, shared_dir)


@pytest.fixture
def worker(jobs_env) -> Callable[[], None]:  # noqa: F811
    """Runs a real RQ burst worker in this process until the queues are empty."""
    return run_worker


@pytest.fixture(autouse=True)
def _batch_size(settings) -> None:
    settings.IMPORT_BATCH_SIZE = 16
