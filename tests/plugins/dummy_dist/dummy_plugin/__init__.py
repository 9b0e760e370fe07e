"""A plugin distribution outside the project: it reaches the registries only through its entry points."""

from __future__ import annotations

from datetime import datetime

from marketplaces.plugins.base import (
    ClientMeta,
    ListingPayload,
    MarketplaceClient,
    OrderLine,
    PriceQuantityUpdate,
    PublishResult,
    UpdateResult,
)
from suppliers.plugins.base import BaseScraper, ParseError, PluginMeta, ProductData


class DummyScraper(BaseScraper):
    meta = PluginMeta(slug="dummy", name="Dummy supplier", version="0.1.0", hosts=("dummy.example",))

    def fetch_product(self, external_id: str) -> ProductData:
        return ProductData(external_id=external_id, title=f"Dummy {external_id}")

    def search(self, query: str) -> list[ProductData]:
        return [self.fetch_product(query)]

    def parse_product(self, html: str, url: str) -> ProductData:
        if "<h1>" not in html:
            raise ParseError("no title in page")
        return ProductData(external_id=url.rsplit("/", 1)[-1], url=url, title=html.split("<h1>")[1].split("<")[0])


class DummyMarketplace(MarketplaceClient):
    meta = ClientMeta(slug="dummy", name="Dummy marketplace", version="0.1.0")

    def create_listing(self, payload: ListingPayload) -> PublishResult:
        return PublishResult(external_id=payload.sku)

    def update_price_quantity(self, updates: list[PriceQuantityUpdate]) -> list[UpdateResult]:
        return [UpdateResult(sku=update.sku, ok=True) for update in updates]

    def withdraw(self, *, external_id: str, offer_id: str) -> None:
        return None

    def fetch_orders(self, *, since: datetime) -> list[OrderLine]:
        return []
