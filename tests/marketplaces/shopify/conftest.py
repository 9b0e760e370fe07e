from collections.abc import Iterator

import pytest

from dropship_central.http import ClientConfig, OutboundClient
from marketplaces.models import StoreAccount
from marketplaces.plugins.shopify import ShopifyClient
from tests.factories import StoreAccountFactory
from tests.marketplaces.shopify.contract import admin_schema
from tests.marketplaces.shopify.fake_shop import API_PATH, FakeShopify

TOKEN = "shpat_0123456789abcdef"


@pytest.fixture
def schema(shared_dir):
    return admin_schema(shared_dir)


@pytest.fixture
def shop(schema, loopback, settings, clock) -> Iterator[FakeShopify]:
    """A Shopify shop on the loopback server; the test fails if any request broke the 2025-01 contract."""
    settings.SHOPIFY_BASE_URL = loopback.url
    settings.SHOPIFY_API_VERSION = "2025-01"
    fake = FakeShopify(schema=schema, token=TOKEN, clock=clock.time)
    loopback.route(API_PATH, fake)
    yield fake
    assert fake.violations == []


@pytest.fixture
def store(db) -> StoreAccount:
    return StoreAccountFactory(
        marketplace="shopify",
        shop_domain="dropship-demo.myshopify.com",
        credentials={},
        access_token=TOKEN,
        refresh_token="",
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


def fast_http(**overrides) -> OutboundClient:
    options = {"backoff_initial": 0.01, "backoff_max": 0.02, "read_timeout": 2.0, "max_attempts": 2, **overrides}
    return OutboundClient(ClientConfig(target="shopify", **options))


@pytest.fixture
def client(store, shop, clock) -> ShopifyClient:
    return ShopifyClient(store, http=fast_http(), sleep=clock.sleep, clock=clock.time)
