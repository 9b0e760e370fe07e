"""The AliExpress plugin class: metadata, URLs, and fetching real pages from a loopback server."""

import json
from decimal import Decimal

import pytest

from suppliers.plugins.aliexpress import AliExpressScraper
from suppliers.plugins.base import CaptchaError, ParseError, ProductNotFoundError
from suppliers.registry import scraper_class, scraper_class_for_url
from suppliers.scraping import SupplierHttp
from tests.factories import SupplierFactory
from tests.loopback import Reply

CAPTCHA_PAGE = '<html><body><div id="nc_1_wrapper"><span class="nc-lang-cnt">Slide to verify</span></div></body></html>'


@pytest.fixture
def scraper(db, settings, loopback, redis_conn):
    settings.ALIEXPRESS_BASE_URL = loopback.url
    supplier = SupplierFactory(slug="aliexpress", config={"http": {"max_attempts": 1}})
    return AliExpressScraper(http=SupplierHttp.for_supplier(supplier))


def test_meta_declares_slug_and_hosts():
    meta = AliExpressScraper.meta

    assert (meta.slug, meta.name) == ("aliexpress", "AliExpress")
    assert "aliexpress.com" in meta.hosts


def test_registry_serves_the_plugin_by_slug():
    assert scraper_class("aliexpress") is AliExpressScraper


def test_registry_finds_the_plugin_for_a_country_site_url():
    assert scraper_class_for_url("https://es.aliexpress.com/item/1005006180026951.html") is AliExpressScraper


def test_product_and_search_urls_live_under_the_base_url(scraper, loopback):
    assert scraper.product_url("32993251330") == f"{loopback.url}/item/32993251330.html"
    assert scraper.search_url("usb c cable") == f"{loopback.url}/wholesale?SearchText=usb+c+cable"


def test_fetch_product_reads_a_served_old_layout_page(scraper, loopback, old_page):
    loopback.route("/item/32993251330.html", Reply(body=old_page))

    product = scraper.fetch_product("32993251330")

    assert (product.external_id, product.price, product.currency, len(product.variants)) == (
        "32993251330",
        Decimal("97.39"),
        "EUR",
        16,
    )
    assert product.url == f"{loopback.url}/item/32993251330.html"


def test_fetch_product_of_a_csr_page_raises_price_not_present(scraper, loopback, csr_es_page):
    loopback.route("/item/1005006180026951.html", Reply(body=csr_es_page))

    with pytest.raises(ParseError, match="price not present in page") as raised:
        scraper.fetch_product("1005006180026951")

    assert raised.value.partial.external_id == "1005006180026951"


def test_fetch_product_raises_captcha_for_a_served_slider_page(scraper, loopback):
    loopback.route("/item/1005006180026951.html", Reply(body=CAPTCHA_PAGE))

    with pytest.raises(CaptchaError):
        scraper.fetch_product("1005006180026951")


def test_fetch_product_raises_not_found_for_a_404(scraper, loopback):
    loopback.route("/item/1005006180026951.html", Reply(status=404, body="<html>gone</html>"))

    with pytest.raises(ProductNotFoundError):
        scraper.fetch_product("1005006180026951")


def test_search_reads_a_served_results_page(scraper, loopback):
    item = {"productId": "1005001", "title": {"displayTitle": "Kettle"}, "prices": {"salePrice": {"minPrice": 9}}}
    page = f"<script>window.runParams = {json.dumps({'mods': {'itemList': {'content': [item]}}})}</script>"
    loopback.route("/wholesale", Reply(body=page))

    [result] = scraper.search("kettle")

    assert (result.external_id, result.price) == ("1005001", Decimal("9.00"))
    assert loopback.requests[-1].path == "/wholesale?SearchText=kettle"
