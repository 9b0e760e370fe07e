"""The Amazon scraper plugin: product and search pages of every Amazon storefront."""

from __future__ import annotations

from urllib.parse import quote_plus

from dropship_central.http import FetchResult
from suppliers.plugins.amazon.blocks import detect_block
from suppliers.plugins.amazon.parser import ASIN_RE, asin_from_url
from suppliers.plugins.amazon.parser import parse_product as parse_product_page
from suppliers.plugins.amazon.search import parse_search as parse_search_page
from suppliers.plugins.base import InvalidExternalIdError, PluginMeta, ProductData
from suppliers.plugins.http_scraper import HttpScraper

AMAZON_HOSTS: tuple[str, ...] = (
    "amazon.com",
    "amazon.co.uk",
    "amazon.de",
    "amazon.es",
    "amazon.fr",
    "amazon.it",
    "amazon.nl",
    "amazon.in",
    "amazon.com.br",
    "amazon.co.jp",
    "amazon.ca",
    "amazon.com.mx",
    "amazon.com.au",
    "amazon.sg",
    "amazon.ae",
    "amazon.sa",
    "amazon.se",
    "amazon.pl",
    "amazon.com.tr",
    "amazon.com.be",
    "amazon.eg",
)


def is_asin(value: str) -> bool:
    """An ASIN is ten upper-case letters or digits (`B0CFR36HR9`, or an ISBN-10 for books)."""
    return bool(ASIN_RE.match(value or ""))


def is_amazon_host(url: str) -> bool:
    return AmazonScraper.meta.serves(url)


def asin_from_amazon_url(url: str) -> str | None:
    """The ASIN of an Amazon product URL (`/dp/`, `/gp/product/`, `/gp/aw/d/`, `/product/`) on a known host."""
    return asin_from_url(url) if is_amazon_host(url) else None


class AmazonScraper(HttpScraper):
    meta = PluginMeta(
        slug="amazon",
        name="Amazon",
        version="1.0.0",
        requests_per_minute=60,
        concurrency=8,
        hosts=AMAZON_HOSTS,
    )

    @classmethod
    def normalize_external_id(cls, raw: str) -> str:
        asin = (raw or "").strip().upper()
        if not is_asin(asin):
            raise InvalidExternalIdError(f"{raw!r} is not an ASIN (ten letters or digits, like B0CFR36HR9).")
        return asin

    @classmethod
    def external_id_from_url(cls, url: str) -> str:
        if not is_amazon_host(url):
            raise InvalidExternalIdError(f"{url} is not on an Amazon storefront.")
        asin = asin_from_url(url)
        if asin is None:
            raise InvalidExternalIdError(f"{url} is not an Amazon product URL (/dp/ASIN or /gp/product/ASIN).")
        return asin

    def product_url(self, external_id: str) -> str:
        return f"{self.http.base_url}/dp/{external_id}"

    def search_url(self, query: str) -> str:
        return f"{self.http.base_url}/s?k={quote_plus(query)}"

    def validate(self, result: FetchResult) -> None:
        """A 404 is a missing product; any other page is checked for captcha, error and sign-in pages."""
        super().validate(result)
        detect_block(result.text)

    def parse_product(self, html: str, url: str) -> ProductData:
        return parse_product_page(html, url)

    def parse_search(self, text: str, url: str) -> list[ProductData]:
        return parse_search_page(text, url)
