"""The AliExpress scraper plugin: item pages of every AliExpress site, parsed by `parser`."""

from __future__ import annotations

from urllib.parse import quote_plus

from dropship_central.http import FetchResult
from suppliers.plugins.aliexpress.parser import detect_block, item_id_from_url
from suppliers.plugins.aliexpress.parser import parse_product as parse_product_page
from suppliers.plugins.aliexpress.search import parse_search as parse_search_page
from suppliers.plugins.base import InvalidExternalIdError, PluginMeta, ProductData
from suppliers.plugins.http_scraper import HttpScraper

ALIEXPRESS_HOSTS: tuple[str, ...] = ("aliexpress.com", "aliexpress.us", "aliexpress.ru")

__all__ = ["ALIEXPRESS_HOSTS", "AliExpressScraper", "item_id_from_url"]


class AliExpressScraper(HttpScraper):
    meta = PluginMeta(
        slug="aliexpress",
        name="AliExpress",
        version="1.0.0",
        requests_per_minute=30,
        concurrency=4,
        hosts=ALIEXPRESS_HOSTS,
    )

    @classmethod
    def normalize_external_id(cls, raw: str) -> str:
        item_id = (raw or "").strip()
        if not item_id.isdigit() or not 6 <= len(item_id) <= 20:
            raise InvalidExternalIdError(f"{raw!r} is not an AliExpress item id (digits, like 1005006180026951).")
        return item_id

    @classmethod
    def external_id_from_url(cls, url: str) -> str:
        if not cls.meta.serves(url):
            raise InvalidExternalIdError(f"{url} is not on an AliExpress site.")
        item_id = item_id_from_url(url)
        if not item_id:
            raise InvalidExternalIdError(f"{url} is not an AliExpress item URL (/item/<id>.html).")
        return item_id

    def product_url(self, external_id: str) -> str:
        return f"{self.http.base_url}/item/{external_id}.html"

    def search_url(self, query: str) -> str:
        return f"{self.http.base_url}/wholesale?SearchText={quote_plus(query)}"

    def validate(self, result: FetchResult) -> None:
        """A 404 is a missing item; any other answer is checked for the slider-captcha ("punish") page."""
        super().validate(result)
        detect_block(result.text)

    def parse_product(self, html: str, url: str) -> ProductData:
        return parse_product_page(html, url)

    def parse_search(self, text: str, url: str) -> list[ProductData]:
        return parse_search_page(text, url)
