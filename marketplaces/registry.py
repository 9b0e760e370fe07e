"""The marketplace-client registry: every installed client by slug (group `MARKETPLACE_ENTRY_POINT_GROUP`).

Tests swap it with `settings.MARKETPLACE_PLUGINS = ["dotted.path.Client", ...]`; `PLUGINS_EXCLUDE` leaves slugs out.
"""

from __future__ import annotations

from dropship_central.plugins import PluginRegistry
from marketplaces.plugins.base import ClientMeta, MarketplaceClient

marketplace_registry: PluginRegistry[MarketplaceClient] = PluginRegistry(
    kind="marketplace client",
    base=MarketplaceClient,
    meta_type=ClientMeta,
    group_setting="MARKETPLACE_ENTRY_POINT_GROUP",
    paths_setting="MARKETPLACE_PLUGINS",
)


def marketplace_clients() -> dict[str, type[MarketplaceClient]]:
    return marketplace_registry.plugins()


def client_class(slug: str) -> type[MarketplaceClient]:
    """The client class for a marketplace slug; `UnknownPluginError` (a `LookupError`) when none is installed."""
    return marketplace_registry.get(slug)
