"""The Amazon plugin fetching through the shared client and real loopback proxies: blocks, timeouts, drops,
rotation, required proxies and direct connections."""

import asyncio
import json
from collections.abc import Iterator
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from suppliers.models import Proxy, Supplier
from suppliers.plugins.amazon import AmazonScraper
from suppliers.plugins.base import CaptchaError, ProductData, TransientScraperError
from suppliers.proxies import NoProxyAvailableError
from suppliers.scraping import SupplierHttp
from tests.factories import ProxyFactory, SupplierFactory
from tests.loopback import LoopbackProxy, Reply

pytestmark = [pytest.mark.django_db, pytest.mark.shared]

PRODUCT = "Muhammadsheraz492__Amazon_Scraper__2be4b06__product_page.html"
CAPTCHA = "Muhammadsheraz492__Amazon_Scraper__a14e9d0__captcha_page.html"
ASIN = "B0823MDHDJ"


@pytest.fixture
def product_page(shared_dir) -> str:
    return (shared_dir / "fixtures/amazon/dp" / PRODUCT).read_text(encoding="utf-8")


@pytest.fixture
def captcha_page(shared_dir) -> str:
    return (shared_dir / "fixtures/amazon/blocked" / CAPTCHA).read_text(encoding="utf-8")


@pytest.fixture
def truth(shared_dir) -> dict:
    return json.loads((shared_dir / "fixtures/amazon/dp/ground_truth.json").read_text(encoding="utf-8"))[PRODUCT]


@pytest.fixture
def amazon(loopback, product_page, settings, redis_conn):
    """The loopback server as amazon.com, serving one real product page."""
    settings.AMAZON_BASE_URL = loopback.url
    loopback.route(f"/dp/{ASIN}", Reply(body=product_page))
    return loopback


@pytest.fixture
def proxies() -> Iterator[tuple[LoopbackProxy, LoopbackProxy]]:
    first, second = LoopbackProxy().start(), LoopbackProxy().start()
    yield first, second
    first.stop()
    second.stop()


@pytest.fixture
def healthiest_first(monkeypatch) -> None:
    """The pool's weighted choice made deterministic: it takes the healthiest candidate."""
    monkeypatch.setattr(
        "suppliers.proxies.random.choices",
        lambda population, weights, k: [population[weights.index(max(weights))]],
    )


def _supplier(rotate_proxy_every: int = 100, **http: object) -> Supplier:
    options = {"backoff_initial": 0.01, "backoff_max": 0.02, **http}
    return SupplierFactory(
        slug="amazon", requests_per_minute=10_000, rotate_proxy_every=rotate_proxy_every, config={"http": options}
    )


def _proxy_row(proxy: LoopbackProxy, **fields: object) -> Proxy:
    return ProxyFactory(host="127.0.0.1", port=proxy.port, **fields)


def _scraper(supplier: Supplier) -> AmazonScraper:
    return AmazonScraper(http=SupplierHttp.for_supplier(supplier))


def _refreshed(*rows: Proxy) -> list[Proxy]:
    for row in rows:
        row.refresh_from_db()
    return list(rows)


def test_a_captcha_penalises_the_proxy_and_the_fetch_succeeds_through_another(
    amazon, proxies, captcha_page, truth, healthiest_first
):
    burnt, clean = proxies
    burnt.reply = Reply(body=captcha_page)
    burnt_row, clean_row = _proxy_row(burnt, health_score=100), _proxy_row(clean, health_score=90)

    product = _scraper(_supplier()).fetch_product(ASIN)

    assert product.title == truth["title"]
    assert product.price == Decimal(str(truth["price"]))
    assert burnt.relayed == clean.relayed == [f"{amazon.url}/dp/{ASIN}"]
    burnt_row, clean_row = _refreshed(burnt_row, clean_row)
    assert burnt_row.health_score == 75
    assert burnt_row.failures == 1
    assert burnt_row.last_failure_reason.startswith("captcha:")
    assert (clean_row.health_score, clean_row.successes) == (95, 1)


def test_captchas_through_every_proxy_end_in_a_captcha_error(amazon, proxies, captcha_page):
    for proxy in proxies:
        proxy.reply = Reply(body=captcha_page)
        _proxy_row(proxy)
    with pytest.raises(CaptchaError):
        _scraper(_supplier(max_attempts=2)).fetch_product(ASIN)
    assert sorted(row.health_score for row in Proxy.objects.all()) == [75, 75]


def test_a_timeout_penalises_the_proxy_and_the_retry_goes_through_another(amazon, proxies, truth, healthiest_first):
    slow, fast = proxies
    slow.reply = Reply(delay=2, body="late")
    slow_row, fast_row = _proxy_row(slow, health_score=100), _proxy_row(fast, health_score=90)

    product = _scraper(_supplier(connect_timeout=0.3, read_timeout=0.3)).fetch_product(ASIN)

    assert product.external_id == truth["asin"]
    slow_row, fast_row = _refreshed(slow_row, fast_row)
    assert slow_row.health_score == 85
    assert slow_row.last_failure_reason.startswith("timeout:")
    assert fast_row.successes == 1


def test_timeouts_until_retries_run_out_end_in_a_transient_scraper_error(amazon, proxies):
    slow = proxies[0]
    slow.reply = Reply(delay=2, body="late")
    row = _proxy_row(slow)

    with pytest.raises(TransientScraperError) as info:
        _scraper(_supplier(connect_timeout=0.3, read_timeout=0.3, max_attempts=3)).fetch_product(ASIN)

    assert type(info.value) is TransientScraperError
    assert len(slow.relayed) == 3
    [row] = _refreshed(row)
    assert (row.failures, row.consecutive_failures, row.health_score) == (3, 3, 55)
    assert row.last_failure_reason.startswith("timeout:")


def test_dropped_connections_are_retried_then_end_in_a_transient_scraper_error(amazon, proxies):
    dropping = proxies[0]
    dropping.reply = Reply(drop=True)
    row = _proxy_row(dropping)

    with pytest.raises(TransientScraperError) as info:
        _scraper(_supplier(max_attempts=2)).fetch_product(ASIN)

    assert type(info.value) is TransientScraperError
    assert len(dropping.relayed) == 2
    [row] = _refreshed(row)
    assert (row.failures, row.health_score) == (2, 70)
    assert row.last_failure_reason.startswith("connection_error:")


def test_a_dropped_connection_is_retried_through_another_proxy(amazon, proxies, truth, healthiest_first):
    dropping, working = proxies
    dropping.reply = Reply(drop=True)
    _proxy_row(dropping, health_score=100)
    _proxy_row(working, health_score=90)
    assert _scraper(_supplier()).fetch_product(ASIN).title == truth["title"]
    assert len(dropping.relayed) == len(working.relayed) == 1


def test_the_proxy_rotates_every_n_requests_per_the_suppliers_config(amazon, proxies, product_page):
    asins = [f"B0ROTATE0{i}" for i in range(6)]
    for asin in asins:
        amazon.route(f"/dp/{asin}", Reply(body=product_page))
    for proxy in proxies:
        _proxy_row(proxy)
    scraper = _scraper(_supplier(rotate_proxy_every=2))

    for asin in asins:
        scraper.fetch_product(asin)

    served_by = [0 if f"{amazon.url}/dp/{asin}" in proxies[0].relayed else 1 for asin in asins]
    first = served_by[0]
    assert served_by == [first, first, 1 - first, 1 - first, first, first]


def test_required_proxies_without_a_usable_one_refuse_to_fetch(amazon, settings):
    settings.PROXIES_REQUIRED = True
    with pytest.raises(NoProxyAvailableError):
        _scraper(_supplier(max_attempts=2)).fetch_product(ASIN)
    assert amazon.hits[f"/dp/{ASIN}"] == 0


def test_a_supplier_that_requires_proxies_refuses_when_its_only_proxy_is_quarantined(amazon, proxies):
    from django.utils import timezone

    _proxy_row(proxies[0], health_score=10, quarantined_until=timezone.now() + timezone.timedelta(minutes=5))
    supplier = _supplier(max_attempts=1)
    supplier.require_proxy = True
    supplier.save()
    with pytest.raises(NoProxyAvailableError):
        _scraper(supplier).fetch_product(ASIN)
    assert proxies[0].relayed == []


def test_without_proxies_the_scraper_goes_direct(amazon, proxies, truth):
    _proxy_row(proxies[0], supplier=SupplierFactory(slug="uzum"))  # serves another supplier only
    product = _scraper(_supplier()).fetch_product(ASIN)
    assert product.title == truth["title"]
    assert amazon.hits[f"/dp/{ASIN}"] == 1
    assert proxies[0].relayed == []


def test_the_suppliers_accept_language_reaches_the_site(amazon):
    _scraper(_supplier(accept_language="de-DE,de;q=0.9")).fetch_product(ASIN)
    assert amazon.requests[-1].headers["accept-language"] == "de-DE,de;q=0.9"


@pytest.mark.django_db(transaction=True)
def test_the_async_client_also_moves_off_a_captcha_proxy(amazon, proxies, captcha_page, truth, healthiest_first):
    burnt, clean = proxies
    burnt.reply = Reply(body=captcha_page)
    burnt_row = _proxy_row(burnt, health_score=100)
    _proxy_row(clean, health_score=90)
    scraper = _scraper(_supplier())

    async def fetch() -> ProductData:
        client = scraper.http.async_client()
        try:
            return await scraper.afetch_product(ASIN, client)
        finally:
            await client.close()
            await sync_to_async(connections.close_all)()  # the proxy reports ran in asgiref's worker thread

    assert asyncio.run(fetch()).title == truth["title"]
    [burnt_row] = _refreshed(burnt_row)
    assert burnt_row.health_score == 75
    assert burnt_row.last_failure_reason.startswith("captcha:")
