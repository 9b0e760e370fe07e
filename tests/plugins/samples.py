"""Plugin classes for the registry and check tests, loaded through the *_PLUGINS settings."""

from dataclasses import replace
from datetime import datetime

from marketplaces.plugins.base import ClientMeta, MarketplaceClient, PublishResult
from suppliers.plugins.base import BaseScraper, PluginMeta, ProductData


class SampleScraper(BaseScraper):
    meta = PluginMeta(slug="sample", name="Sample", version="1.0.0", hosts=("sample.example",))

    def fetch_product(self, external_id: str) -> ProductData:
        return ProductData(external_id=external_id)

    def search(self, query: str) -> list[ProductData]:
        return []

    def parse_product(self, html: str, url: str) -> ProductData:
        return ProductData(external_id=url)


class OtherSampleScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="other-sample")


class SameSlugScraper(SampleScraper):
    meta = replace(SampleScraper.meta, name="Same slug as sample")


class BadSlugScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="Bad Slug!")


class NamelessScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="nameless", name=" ")


class BadVersionScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="bad-version", version="latest")


class ZeroRateScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="zero-rate", requests_per_minute=0)


class NegativeConcurrencyScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="negative-concurrency", concurrency=-1)


class BadHostScraper(SampleScraper):
    meta = replace(SampleScraper.meta, slug="bad-host", hosts=("https://sample.example/",))


class MetalessScraper(BaseScraper):
    fetch_product = SampleScraper.fetch_product
    search = SampleScraper.search
    parse_product = SampleScraper.parse_product


class HalfScraper(BaseScraper):
    """Forgets `search` and `parse_product`."""

    meta = PluginMeta(slug="half", name="Half", version="1.0.0")

    def fetch_product(self, external_id: str) -> ProductData:
        return ProductData(external_id=external_id)


class NotAScraper:
    meta = SampleScraper.meta


class SampleClient(MarketplaceClient):
    meta = ClientMeta(slug="sample", name="Sample market", version="2.1")

    def create_listing(self, payload):
        return PublishResult(external_id=payload.sku)

    def update_price_quantity(self, updates):
        return []

    def withdraw(self, *, external_id: str, offer_id: str) -> None:
        return None

    def fetch_orders(self, *, since: datetime):
        return []


class ZeroBulkClient(SampleClient):
    meta = replace(SampleClient.meta, slug="zero-bulk", bulk_limit=0)
