import sys
from pathlib import Path

import pytest

from marketplaces.registry import marketplace_registry
from suppliers.registry import scraper_registry

DISTS = Path(__file__).parent
TEST_PACKAGES = {"dummy_plugin", "broken_plugin"}


def _forget_test_plugins() -> None:
    for name in [m for m in sys.modules if m.split(".")[0] in TEST_PACKAGES]:
        del sys.modules[name]
    scraper_registry.reset()
    marketplace_registry.reset()


@pytest.fixture
def install_dist(monkeypatch):
    """Install a test distribution the way pip would make it visible: its folder (package + dist-info) on sys.path."""

    def install(name: str) -> None:
        monkeypatch.syspath_prepend(str(DISTS / name))
        _forget_test_plugins()

    yield install
    _forget_test_plugins()


@pytest.fixture
def dummy_dist(install_dist):
    install_dist("dummy_dist")


@pytest.fixture
def broken_dist(install_dist):
    install_dist("dummy_dist")
    install_dist("broken_dist")
