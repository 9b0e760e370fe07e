from functools import lru_cache
from pathlib import Path

import pytest

from marketplaces.plugins.ebay import EbayClient
from tests.marketplaces.contracts import OpenApiContracts
from tests.marketplaces.ebay.factories import EbayStoreAccountFactory
from tests.marketplaces.ebay.fake_ebay import FakeEbay

CONTRACT_FILES = (
    "sell_inventory_v1_oas3.json",
    "sell_account_v1_oas3.json",
    "sell_fulfillment_v1_oas3.json",
    "commerce_identity_v1_oas3.json",
)
# The contracts' README: eBay sends and takes `aspects` as an object of value lists, not the string the file says.
ASPECTS = {"aspects": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}
FAST_HTTP = {
    "connect_timeout": 2.0,
    "read_timeout": 1.0,
    "max_attempts": 2,
    "backoff_initial": 0.01,
    "backoff_max": 0.05,
    "max_retry_after": 0.2,
}


@lru_cache(maxsize=1)
def _contracts(folder: Path) -> OpenApiContracts:
    paths = [next(folder.glob(f"*{name}")) for name in CONTRACT_FILES]
    return OpenApiContracts.load(paths, overrides={"Product": ASPECTS, "InventoryItemGroup": ASPECTS})


@pytest.fixture
def ebay_contracts(shared_dir) -> OpenApiContracts:
    folder = shared_dir / "contracts" / "ebay"
    if not all(any(folder.glob(f"*{name}")) for name in CONTRACT_FILES):
        pytest.skip(f"eBay's OpenAPI files are absent from {folder}")
    return _contracts(folder)


@pytest.fixture
def fake_ebay(ebay_contracts, settings, redis_conn):
    """The loopback eBay for both environments; the test fails if any request broke the contracts."""
    server = FakeEbay(ebay_contracts).start()
    for name in ("EBAY_BASE_URL", "EBAY_AUTH_BASE_URL", "EBAY_SANDBOX_BASE_URL", "EBAY_SANDBOX_AUTH_BASE_URL"):
        setattr(settings, name, server.url)
    settings.EBAY_HTTP = FAST_HTTP
    yield server
    server.stop()
    assert server.violations == [], "requests broke eBay's contracts"


@pytest.fixture
def ebay_account(fake_ebay, user):
    access, refresh = fake_ebay.issue_tokens()
    return EbayStoreAccountFactory(user=user, access_token=access, refresh_token=refresh)


@pytest.fixture
def ebay_client(ebay_account):
    return EbayClient(ebay_account)
