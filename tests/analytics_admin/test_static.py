"""The vendored Chart.js and the chart script are static files: found, served, and collected for production."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client, override_settings

from dropship_central.charts import CHART_SCRIPTS, CHART_STYLES, CHARTJS_VERSION

VENDOR = Path(settings.BASE_DIR) / "dropship_central" / "static" / "vendor" / "chartjs"
LIBRARY = "vendor/chartjs/chart.umd.js"


def test_the_vendored_build_is_the_pinned_version():
    assert (VENDOR / "chart.umd.js").read_text().startswith(f"/*!\n * Chart.js v{CHARTJS_VERSION}\n")


def test_the_vendored_build_matches_the_checksum_its_readme_records():
    readme = (VENDOR / "README.md").read_text()
    digest = hashlib.sha256((VENDOR / "chart.umd.js").read_bytes()).hexdigest()

    assert f"# Chart.js {CHARTJS_VERSION} (vendored)" in readme
    assert f"chart.js-{CHARTJS_VERSION}.tgz" in readme
    assert f"sha256 of `chart.umd.js`: `{digest}`" in readme


def test_the_licence_ships_with_it():
    assert (VENDOR / "LICENSE.md").read_text().startswith("The MIT License (MIT)")


@pytest.mark.parametrize("path", [*CHART_SCRIPTS, *CHART_STYLES, f"{LIBRARY}.map"])
def test_the_static_finders_find_every_chart_file(path):
    assert finders.find(path) is not None


@override_settings(WHITENOISE_USE_FINDERS=True)
def test_the_library_is_served_as_in_make_run(db):
    response = Client().get(f"/{settings.STATIC_URL}{LIBRARY}".replace("//", "/"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(f"/*!\n * Chart.js v{CHARTJS_VERSION}".encode())


def test_collectstatic_with_the_production_storage_hashes_the_library_and_its_source_map(tmp_path):
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)

    paths = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed_script = (tmp_path / paths[LIBRARY]).read_text()
    assert re.search(r"//# sourceMappingURL=chart\.umd\.js\.[0-9a-f]{12}\.map\s*$", hashed_script)
    assert all(path in paths for path in CHART_SCRIPTS + CHART_STYLES)
