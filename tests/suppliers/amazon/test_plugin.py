"""The Amazon plugin class: metadata, URLs, ASIN helpers, and fetching real pages from a loopback server."""

import pytest

from dropship_central.http import FetchResult
from suppliers.plugins.amazon import AmazonScraper, asin_from_amazon_url, is_amazon_host, is_asin
from suppliers.plugins.base import BaseScraper, CaptchaError, ErrorPageError, LoginWallError, ProductNotFoundError
from suppliers.scraping import SupplierHttp
from tests.factories import SupplierFactory
from tests.loopback import Reply

DP = "fixtures/amazon/dp/CadeLawless__wishlist__5939329__amazon_debug.html"
SEARCH = "fixtures/amazon/search/pavelolofinskiy__amazon_scraper__d1c034a__amazon_page.html"
CAPTCHA = "fixtures/amazon/blocked/Muhammadsheraz492__Amazon_Scraper__a14e9d0__captcha_page.html"
DOGS = "fixtures/amazon/blocked/liquidx__liquidx-mem__46a40c5__tests_unit_fixtures_amazon.html"


@pytest.fixture
def scraper(db, settings, loopback, redis_conn):
    settings.AMAZON_BASE_URL = loopback.url
    supplier = SupplierFactory(slug="amazon", config={"http": {"max_attempts": 1}})
    return AmazonScraper(http=SupplierHttp.for_supplier(supplier))


def _result(text: str, status: int = 200) -> FetchResult:
    return FetchResult(status=status, url="https://www.amazon.com/dp/B0CFR36HR9", text=text, headers={}, elapsed_ms=1.0)


def test_meta_declares_the_amazon_storefronts():
    meta = AmazonScraper.meta

    assert (meta.slug, meta.name) == ("amazon", "Amazon")
    assert {"amazon.com", "amazon.co.uk", "amazon.de", "amazon.in", "amazon.com.br", "amazon.co.jp"} <= set(meta.hosts)


def test_plugin_is_a_scraper():
    assert issubclass(AmazonScraper, BaseScraper)


@pytest.mark.parametrize(
    ("value", "valid"), [("B0CFR36HR9", True), ("0596007124", True), ("b0cfr36hr9", False), ("B0CFR36", False)]
)
def test_is_asin_checks_the_shape(value, valid):
    assert is_asin(value) is valid


@pytest.mark.parametrize(
    ("url", "asin"),
    [
        ("https://www.amazon.com/Darong-Womens/dp/B0CFR36HR9/ref=sr_1_1?th=1", "B0CFR36HR9"),
        ("https://www.amazon.de/gp/product/B0CFR36HR9?psc=1", "B0CFR36HR9"),
        ("https://www.amazon.co.jp/gp/aw/d/B0CFR36HR9", "B0CFR36HR9"),
        ("https://amazon.in/dp/B0CFR36HR9", "B0CFR36HR9"),
        ("https://www.amazon.com/s?k=kettle", None),
        ("https://www.aliexpress.com/dp/B0CFR36HR9", None),
    ],
)
def test_asin_is_read_from_product_urls_on_amazon_hosts(url, asin):
    assert asin_from_amazon_url(url) == asin


def test_lookalike_hosts_are_not_amazon():
    assert not is_amazon_host("https://notamazon.com/dp/B0CFR36HR9")


def test_validate_raises_typed_errors_for_block_pages(shared_dir):
    scraper = AmazonScraper(http=None)
    errors = []
    for path in (CAPTCHA, DOGS):
        with pytest.raises((CaptchaError, ErrorPageError)) as raised:
            scraper.validate(_result((shared_dir / path).read_text(encoding="utf-8")))
        errors.append(raised.value.kind)

    assert errors == ["captcha", "error_page"]


def test_validate_raises_login_wall_for_sign_in_page():
    page = '<html><head><title>Amazon Sign-In</title></head><body><form name="signIn" action="/ap/signin"></form>'

    with pytest.raises(LoginWallError):
        AmazonScraper(http=None).validate(_result(page))


def test_validate_reports_404_as_missing_product():
    with pytest.raises(ProductNotFoundError):
        AmazonScraper(http=None).validate(_result("<html>dogs</html>", status=404))


def test_product_and_search_urls_live_under_the_base_url(scraper, loopback):
    assert scraper.product_url("B0CFR36HR9") == f"{loopback.url}/dp/B0CFR36HR9"
    assert scraper.search_url("usb c kabel") == f"{loopback.url}/s?k=usb+c+kabel"


def test_fetch_product_reads_a_served_product_page(scraper, loopback, shared_dir):
    loopback.route("/dp/B0CFR36HR9", Reply(body=(shared_dir / DP).read_bytes()))

    product = scraper.fetch_product("B0CFR36HR9")

    assert (product.external_id, product.parent_id) == ("B0CFR36HR9", "B0D1KHSGRB")


def test_fetch_product_raises_captcha_for_a_served_captcha(scraper, loopback, shared_dir):
    loopback.route("/dp/B0DP95NPLY", Reply(body=(shared_dir / CAPTCHA).read_bytes()))

    with pytest.raises(CaptchaError):
        scraper.fetch_product("B0DP95NPLY")


def test_fetch_product_raises_error_page_for_a_served_503_dogs_page(scraper, loopback, shared_dir):
    loopback.route("/dp/B0DP95NPLY", Reply(status=503, body=(shared_dir / DOGS).read_bytes()))

    with pytest.raises(ErrorPageError):
        scraper.fetch_product("B0DP95NPLY")


def test_fetch_product_raises_not_found_for_a_404(scraper, loopback):
    loopback.route("/dp/B0DP95NPLY", Reply(status=404, body="<html><title>Page Not Found</title></html>"))

    with pytest.raises(ProductNotFoundError):
        scraper.fetch_product("B0DP95NPLY")


def test_search_reads_a_served_results_page(scraper, loopback, shared_dir):
    loopback.route("/s", Reply(body=(shared_dir / SEARCH).read_bytes()))

    results = scraper.search("ipad pro")

    assert [result.external_id for result in results[:1]] == ["B0BJLF2BRM"]
    assert len(results) == 16
