"""Entry-point discovery: a plugin is added by installing a distribution, never by touching core code."""

import sys
from importlib import metadata

import pytest

from dropship_central.plugins import UnknownPluginError
from marketplaces.registry import client_class, marketplace_clients
from suppliers.registry import scraper_class, scraper_class_for_url, scraper_registry, scrapers

SAMPLES = "tests.plugins.samples"


def test_discovery_finds_a_scraper_installed_only_through_entry_points(dummy_dist):
    from dummy_plugin import DummyScraper

    assert scrapers()["dummy"] is DummyScraper


def test_discovery_finds_a_marketplace_client_installed_only_through_entry_points(dummy_dist):
    from dummy_plugin import DummyMarketplace

    assert marketplace_clients()["dummy"] is DummyMarketplace


def test_dummy_plugin_is_absent_when_its_distribution_is_not_installed():
    assert "dummy" not in scrapers()


def test_installed_project_plugins_are_discovered():
    assert {"amazon", "aliexpress"} <= set(scrapers())


def test_entry_points_are_read_once(dummy_dist, monkeypatch):
    calls = []
    real = metadata.entry_points

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(metadata, "entry_points", counting)
    for _ in range(3):
        scrapers()
        scraper_class("dummy")

    assert len(calls) == 1


def test_excluded_plugin_is_neither_registered_nor_imported(dummy_dist, settings):
    settings.PLUGINS_EXCLUDE = ["dummy"]

    assert "dummy" not in scrapers()
    assert "dummy_plugin" not in sys.modules


def test_exclusion_leaves_other_plugins_registered(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper", f"{SAMPLES}.OtherSampleScraper"]
    settings.PLUGINS_EXCLUDE = ["other-sample"]

    assert set(scrapers()) == {"sample"}


def test_paths_setting_replaces_the_entry_points(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper"]

    assert set(scrapers()) == {"sample"}


def test_changing_the_paths_setting_resets_a_loaded_registry(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper"]
    scrapers()
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.OtherSampleScraper"]

    assert set(scrapers()) == {"other-sample"}


def test_marketplace_paths_setting_replaces_the_entry_points(settings):
    settings.MARKETPLACE_PLUGINS = [f"{SAMPLES}.SampleClient"]

    assert set(marketplace_clients()) == {"sample"}


def test_unknown_scraper_slug_raises_a_lookup_error_naming_it(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper"]

    with pytest.raises(UnknownPluginError, match=r"no scraper plugin 'nope' is installed \(known: sample\)"):
        scraper_class("nope")


def test_unknown_client_slug_raises_a_lookup_error(settings):
    settings.MARKETPLACE_PLUGINS = []

    with pytest.raises(LookupError, match="no marketplace client plugin 'ebay'"):
        client_class("ebay")


def test_plugin_with_bad_metadata_is_left_out_of_the_registry(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper", f"{SAMPLES}.ZeroRateScraper"]

    assert set(scrapers()) == {"sample"}


def test_first_plugin_keeps_a_duplicated_slug(settings):
    from tests.plugins.samples import SampleScraper

    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper", f"{SAMPLES}.SameSlugScraper"]

    assert scrapers() == {"sample": SampleScraper}


def test_broken_entry_points_do_not_hide_the_good_ones(broken_dist):
    assert "dummy" in scrapers()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://dummy.example/item/1", "dummy"),
        ("https://www.dummy.example/item/1", "dummy"),
        ("https://notdummy.example/item/1", None),
    ],
)
def test_scraper_is_found_by_the_url_host(dummy_dist, url, expected):
    found = scraper_class_for_url(url)

    assert (found.meta.slug if found else None) == expected


def test_reset_reads_the_entry_points_again(install_dist):
    assert "dummy" not in scrapers()
    install_dist("dummy_dist")
    scraper_registry.reset()

    assert "dummy" in scrapers()
