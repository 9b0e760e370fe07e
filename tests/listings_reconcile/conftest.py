"""The loopback eBay and Shopify of tests/marketplaces, reused: every request is checked against the contracts."""

from tests.marketplaces.ebay.conftest import ebay_account, ebay_client, ebay_contracts, fake_ebay
from tests.marketplaces.shopify.conftest import client, clock, schema, shop, store

__all__ = ["client", "clock", "ebay_account", "ebay_client", "ebay_contracts", "fake_ebay", "schema", "shop", "store"]
