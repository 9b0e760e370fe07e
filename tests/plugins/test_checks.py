"""The start-up system check reports every malformed plugin with a stable id instead of crashing."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

SAMPLES = "tests.plugins.samples"


def _ids() -> list[str]:
    return [message.id for message in checks.run_checks(tags=["plugins"])]


def test_installed_plugins_pass_the_check():
    assert checks.run_checks(tags=["plugins"]) == []


def test_dummy_plugin_passes_the_check(dummy_dist):
    assert checks.run_checks(tags=["plugins"]) == []


@pytest.mark.parametrize(
    ("sample", "check_id"),
    [
        ("BadSlugScraper", "dropship_central.E004"),
        ("NamelessScraper", "dropship_central.E005"),
        ("BadVersionScraper", "dropship_central.E006"),
        ("ZeroRateScraper", "dropship_central.E007"),
        ("NegativeConcurrencyScraper", "dropship_central.E007"),
        ("BadHostScraper", "dropship_central.E011"),
        ("MetalessScraper", "dropship_central.E003"),
        ("HalfScraper", "dropship_central.E010"),
        ("NotAScraper", "dropship_central.E002"),
    ],
)
def test_check_reports_a_malformed_scraper(settings, sample, check_id):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.{sample}"]

    assert _ids() == [check_id]


def test_check_reports_a_non_positive_bulk_limit(settings):
    settings.MARKETPLACE_PLUGINS = [f"{SAMPLES}.ZeroBulkClient"]

    assert _ids() == ["dropship_central.E007"]


def test_check_reports_a_duplicate_slug_naming_the_first_owner(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.SampleScraper", f"{SAMPLES}.SameSlugScraper"]

    [message] = checks.run_checks(tags=["plugins"])

    assert message.id == "dropship_central.E008"
    assert "already taken by SCRAPER_PLUGINS: tests.plugins.samples.SampleScraper" in message.msg


def test_check_reports_a_path_that_fails_to_import(settings):
    settings.SCRAPER_PLUGINS = [f"{SAMPLES}.NoSuchScraper"]

    [message] = checks.run_checks(tags=["plugins"])

    assert message.id == "dropship_central.E001"
    assert "NoSuchScraper" in message.msg


def test_check_names_the_entry_point_that_fails_to_import(broken_dist):
    messages = [m for m in checks.run_checks(tags=["plugins"]) if m.id == "dropship_central.E001"]

    assert [m.msg for m in messages] == [
        "entry point 'missing' in group 'dropship_central.scrapers': scraper plugin "
        "'broken_plugin.nowhere:Scraper' failed to import: ModuleNotFoundError: No module named 'broken_plugin.nowhere'"
    ]


def test_check_reports_an_entry_point_named_unlike_its_slug(broken_dist):
    messages = [m for m in checks.run_checks(tags=["plugins"]) if m.id == "dropship_central.E009"]

    assert len(messages) == 1
    assert "'misnamed' differs from the plugin's slug 'misnamed-really'" in messages[0].msg


def test_check_reports_an_entry_point_that_is_not_a_scraper(broken_dist):
    assert "dropship_central.E002" in _ids()


def test_excluded_broken_plugin_is_not_reported(broken_dist, settings):
    settings.PLUGINS_EXCLUDE = ["missing", "misnamed", "not-a-scraper"]

    assert checks.run_checks(tags=["plugins"]) == []


def test_manage_check_fails_with_the_errors_instead_of_crashing(broken_dist):
    with pytest.raises(SystemCheckError, match=r"dropship_central\.E001"):
        call_command("check")
