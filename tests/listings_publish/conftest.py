from tests.listings_sync.conftest import (  # noqa: F401  (fixtures)
    clock,
    ebay_account,
    ebay_contracts,
    fake_ebay,
    schema,
    shop,
    shopify_account,
)
