"""Test-only plugins that are wrong in the ways the system check must report."""

from __future__ import annotations

from dataclasses import replace

from dummy_plugin import DummyScraper

from suppliers.plugins.base import PluginMeta


class MisnamedScraper(DummyScraper):
    meta = replace(DummyScraper.meta, slug="misnamed-really")


class NotAScraper:
    meta = PluginMeta(slug="not-a-scraper", name="Not a scraper", version="1.0.0")
