"""The contract every discovered plugin keeps. Parametrized over the registries, so a new plugin is covered by
installing it; the dummy distribution is installed for collection too, proving an outside plugin is covered."""

import inspect
import sys
from pathlib import Path

import pytest

from dropship_central.plugins import meta_problems
from marketplaces.plugins.base import ClientMeta, MarketplaceClient
from marketplaces.registry import marketplace_registry
from suppliers.plugins.base import BaseScraper, PluginMeta, ProductData, ScraperError
from suppliers.registry import scraper_registry

DUMMY_DIST = str(Path(__file__).parent / "dummy_dist")


def _discovered(registry) -> list:
    """(slug, class) of every plugin the registry finds with the dummy distribution installed."""
    sys.path.insert(0, DUMMY_DIST)
    registry.reset()
    try:
        return sorted(registry.plugins().items())
    finally:
        sys.path.remove(DUMMY_DIST)
        registry.reset()


SCRAPERS = _discovered(scraper_registry)
CLIENTS = _discovered(marketplace_registry)


def test_collection_saw_the_dummy_plugins():
    assert "dummy" in dict(SCRAPERS)
    assert "dummy" in dict(CLIENTS)


@pytest.mark.parametrize(("slug", "cls"), SCRAPERS, ids=[slug for slug, _ in SCRAPERS])
class TestScraperContract:
    def test_is_a_concrete_scraper(self, slug, cls):
        assert issubclass(cls, BaseScraper)
        assert not inspect.isabstract(cls)

    def test_metadata_is_well_formed(self, slug, cls):
        assert isinstance(cls.meta, PluginMeta)
        assert meta_problems(cls.meta) == []
        assert cls.meta.slug == slug

    def test_constructs_without_network_or_database(self, slug, cls):
        assert isinstance(cls(), BaseScraper)

    def test_non_product_page_raises_a_scraper_error(self, slug, cls):
        with pytest.raises(ScraperError) as raised:
            cls().parse_product("<html><head><title>x</title></head><body></body></html>", "https://example.invalid/")

        assert isinstance(raised.value.permanent, bool)

    def test_parse_product_is_annotated_to_return_product_data(self, slug, cls):
        assert inspect.signature(cls.parse_product).return_annotation in (ProductData, "ProductData")


@pytest.mark.parametrize(("slug", "cls"), CLIENTS, ids=[slug for slug, _ in CLIENTS])
class TestMarketplaceClientContract:
    def test_is_a_concrete_client(self, slug, cls):
        assert issubclass(cls, MarketplaceClient)
        assert not inspect.isabstract(cls)

    def test_metadata_is_well_formed(self, slug, cls):
        assert isinstance(cls.meta, ClientMeta)
        assert meta_problems(cls.meta) == []
        assert cls.meta.slug == slug
