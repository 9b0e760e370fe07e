import json
from pathlib import Path

import pytest

from suppliers.plugins.uzum import UzumScraper
from suppliers.scraping import SupplierHttp
from tests.factories import SupplierFactory

KE = "fixtures/uzum/crashteamdev__kazanexpress-fetcher__9553df4__src_test_resources_dev_crashteam_kazanexpressfetcher_"
PRODUCT_INFO = KE + "product-info-response.json"
SELLER_INFO = KE + "seller-info-response.json"
BRAND_PRODUCTS = KE + "brand-products-response.json"
ROOT_CATEGORIES = KE + "root-categories-response.json"
REVIEWS_EMPTY = KE + "product-reviews-empty-response.json"
MAKE_SEARCH_ITEMS = "fixtures/uzum/PubgGamerUzbSila__javascript_lessons__31ac223__29-dars_uzum.js.extracted.json"
PRODUCT_CARDS_2025 = "fixtures/uzum/muhammadsodiq1429__uzum-market__72aae0e__src_static_index.ts.extracted.json"


def _read(shared_dir: Path, name: str) -> str:
    return (shared_dir / name).read_text(encoding="utf-8")


@pytest.fixture
def product_info(shared_dir) -> str:
    return _read(shared_dir, PRODUCT_INFO)


@pytest.fixture
def seller_info(shared_dir) -> str:
    return _read(shared_dir, SELLER_INFO)


@pytest.fixture
def brand_products(shared_dir) -> str:
    return _read(shared_dir, BRAND_PRODUCTS)


@pytest.fixture
def root_categories(shared_dir) -> str:
    return _read(shared_dir, ROOT_CATEGORIES)


@pytest.fixture
def reviews_empty(shared_dir) -> str:
    return _read(shared_dir, REVIEWS_EMPTY)


@pytest.fixture
def make_search_items(shared_dir) -> list:
    """The `items` of a July 2023 makeSearch answer (the file holds only that list)."""
    return json.loads(_read(shared_dir, MAKE_SEARCH_ITEMS))


@pytest.fixture
def make_search_answer(make_search_items) -> str:
    """The items wrapped in the GraphQL envelope they came in."""
    return json.dumps({"data": {"makeSearch": {"items": make_search_items, "total": len(make_search_items)}}})


@pytest.fixture
def product_cards_2025(shared_dir) -> list:
    return json.loads(_read(shared_dir, PRODUCT_CARDS_2025))


@pytest.fixture
def uzum_supplier(db):
    return SupplierFactory(slug="uzum", config={"http": {"max_attempts": 1}, "currency": "RUB"})


@pytest.fixture
def scraper(settings, loopback, redis_conn, uzum_supplier) -> UzumScraper:
    """The plugin wired to a loopback server for both the REST and the GraphQL API."""
    settings.UZUM_BASE_URL = loopback.url + "/api"
    settings.UZUM_GRAPHQL_URL = loopback.url + "/graphql"
    return UzumScraper(http=SupplierHttp.for_supplier(uzum_supplier))
