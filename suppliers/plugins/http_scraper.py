"""A scraper that fetches pages over the shared client and hands them to its parser.

Concrete plugins say where a product or search lives (`product_url`, `search_url`), how to tell a block page
(`validate`), and how to read a page (`parse_product`, `parse_search`). Fetching, proxies, rate limits and
retries come from `suppliers.scraping`.
"""

from __future__ import annotations

from abc import abstractmethod

from dropship_central.http import AsyncOutboundClient, FetchResult, HttpError
from suppliers.plugins.base import (
    BaseScraper,
    ProductData,
    ProductNotFoundError,
    ScraperError,
    TransientScraperError,
)
from suppliers.scraping import SupplierHttp, supplier_http


class HttpScraper(BaseScraper):
    def __init__(self, http: SupplierHttp | None = None) -> None:
        self._http = http

    @property
    def http(self) -> SupplierHttp:
        if self._http is None:
            self._http = supplier_http(self.meta.slug)
        return self._http

    @abstractmethod
    def product_url(self, external_id: str) -> str:
        """The URL of the product page or API resource, under the supplier's base URL setting."""

    @abstractmethod
    def parse_search(self, text: str, url: str) -> list[ProductData]:
        """Read a search results page."""

    @abstractmethod
    def search_url(self, query: str) -> str:
        """The URL of the supplier's search results for `query`, under the supplier's base URL setting."""

    def validate(self, result: FetchResult) -> None:
        """Raise a typed error for block pages and missing products; the client retries transient ones."""
        if result.status == 404:
            raise ProductNotFoundError(f"{result.url} answered 404")

    def fetch_product(self, external_id: str) -> ProductData:
        result = self._fetch(self.product_url(external_id))
        return self.parse_product(result.text, result.url)

    async def afetch_product(self, external_id: str, client: AsyncOutboundClient) -> ProductData:
        """Fetch through a caller-owned async client, so one event loop can fetch many products at once."""
        data, _ = await self.afetch_product_page(external_id, client)
        return data

    async def afetch_product_page(
        self, external_id: str, client: AsyncOutboundClient
    ) -> tuple[ProductData, FetchResult]:
        """`afetch_product`, with the response it was read from (its proxy, status and timing)."""
        try:
            result = await client.get(self.product_url(external_id), validate=self.validate)
        except HttpError as exc:
            raise self._typed(exc) from exc
        return self.parse_product(result.text, result.url), result

    def search(self, query: str) -> list[ProductData]:
        result = self._fetch(self.search_url(query))
        return self.parse_search(result.text, result.url)

    def _fetch(self, url: str) -> FetchResult:
        try:
            return self.http.client.get(url, validate=self.validate)
        except HttpError as exc:
            raise self._typed(exc) from exc

    def _typed(self, exc: HttpError) -> Exception:
        """After retries ran out: a block page behind a 5xx is reported as what it is."""
        if exc.response is not None:
            try:
                self.validate(exc.response)
            except ScraperError as typed:
                return typed
        return TransientScraperError(str(exc))
