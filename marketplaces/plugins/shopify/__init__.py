"""The Shopify marketplace client (Admin GraphQL API)."""

from marketplaces.plugins.shopify.client import ShopifyClient, ShopifyVariant

__all__ = ["ShopifyClient", "ShopifyVariant"]
