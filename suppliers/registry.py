"""The scraper registry: every installed scraper plugin by slug (entry-point group `SCRAPER_ENTRY_POINT_GROUP`).

Tests swap it with `settings.SCRAPER_PLUGINS = ["dotted.path.Scraper", ...]`; `PLUGINS_EXCLUDE` leaves slugs out.
"""

from __future__ import annotations

from dropship_central.plugins import PluginRegistry
from suppliers.plugins.base import BaseScraper, PluginMeta

scraper_registry: PluginRegistry[BaseScraper] = PluginRegistry(
    kind="scraper",
    base=BaseScraper,
    meta_type=PluginMeta,
    group_setting="SCRAPER_ENTRY_POINT_GROUP",
    paths_setting="SCRAPER_PLUGINS",
)


def scrapers() -> dict[str, type[BaseScraper]]:
    return scraper_registry.plugins()


def scraper_class(slug: str) -> type[BaseScraper]:
    """The scraper class for a supplier slug; `UnknownPluginError` (a `LookupError`) when none is installed."""
    return scraper_registry.get(slug)


def research_sources() -> list[str]:
    """The slugs of the marketplaces whose catalogue the research reads cover (`PluginMeta.research`)."""
    return sorted(slug for slug, cls in scrapers().items() if cls.meta.research)


def scraper_class_for_url(url: str) -> type[BaseScraper] | None:
    """The scraper whose `meta.hosts` holds the URL's host (or a parent domain of it), or None."""
    return next((cls for cls in scrapers().values() if cls.meta.serves(url)), None)
