"""The eBay marketplace client (Sell Inventory, Account and Fulfillment REST APIs)."""

from marketplaces.plugins.ebay.client import EbayClient
from marketplaces.plugins.ebay.errors import PrerequisitesMissingError

__all__ = ["EbayClient", "PrerequisitesMissingError"]
