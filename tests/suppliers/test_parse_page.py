"""`manage.py parse_page`: the operator's view of what a scraper reads from a saved page."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from suppliers.management.commands.parse_page import EXIT_BLOCKED, EXIT_PARSE_ERROR, RECORD_KEYS
from tests.conftest import SHARED_DIR

AMAZON = SHARED_DIR / "fixtures" / "amazon"
ALIEXPRESS = SHARED_DIR / "fixtures" / "aliexpress"
OLD_ALIEXPRESS = "jshemas__openGraphScraperPages__ca7e60e__aliexpress.html"
CSR_ALIEXPRESS = (
    "fares21__AliexpressTelegramBotBasic__91bfbd5__aliexpress_page.html",
    "duduzinho15__Ainda-nao-funciona__b39a2fc__aliexpress_page.html",
)

pytestmark = pytest.mark.shared


def _labels(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


DP_TRUTH = _labels(AMAZON / "dp" / "ground_truth.json")
BLOCKED = _labels(AMAZON / "blocked" / "labels.json")


def _run(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("parse_page", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def _record(*args: str) -> dict:
    code, out, err = _run(*args)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1, "one JSON object on one line"
    return json.loads(out)


@pytest.mark.parametrize("name", list(DP_TRUTH))
def test_an_amazon_product_page_prints_its_record_with_the_ground_truth_title_and_price(shared_dir, name):
    truth = DP_TRUTH[name]
    record = _record("amazon", str(AMAZON / "dp" / name), "--url", f"https://www.{truth['site']}/dp/{truth['asin']}")
    assert list(record) == list(RECORD_KEYS)
    assert record["external_id"] == truth["asin"]
    assert record["title"] == truth["title"]
    assert record["currency"] == truth["currency"]
    expected = None if truth["price"] is None else Decimal(str(truth["price"]))
    assert (None if record["price"] is None else Decimal(record["price"])) == expected


@pytest.mark.parametrize("name", list(BLOCKED))
def test_an_amazon_block_page_prints_its_kind_and_exits_3(shared_dir, name):
    code, out, err = _run("amazon", str(AMAZON / "blocked" / name))
    assert (code, out, err) == (EXIT_BLOCKED, BLOCKED[name]["kind"] + "\n", "")


def test_decimals_are_strings_counts_are_integers_and_absent_values_null(shared_dir):
    name = "Muhammadsheraz492__Amazon_Scraper__2be4b06__product_page.html"
    record = _record("amazon", str(AMAZON / "dp" / name))
    assert (record["price"], record["rating"], record["review_count"]) == ("159.00", "4.7", 1596)
    assert record["list_price"] is None
    assert record["stock_quantity"] is None
    assert all(isinstance(url, str) and url.startswith("https://") for url in record["images"])
    assert isinstance(record["bullets"], list)
    assert isinstance(record["category_path"], list)


def test_without_url_the_storefront_is_read_from_the_page(shared_dir):
    name = "brishty-xo__PricePulse__df44f37__amazon_page.html"
    record = _record("amazon", str(AMAZON / "dp" / name))
    assert (record["external_id"], record["currency"], record["price"]) == ("B0CS5XW6TN", "INR", None)
    assert record["availability"] == DP_TRUTH[name]["availability"]


def test_an_amazon_search_page_is_a_parse_error_with_exit_4(shared_dir):
    name = "grmpyktn11__price-checker__45f8190__tests_fixtures_amazon_search.html"
    code, out, err = _run("amazon", str(AMAZON / "search" / name))
    assert (code, out) == (EXIT_PARSE_ERROR, "")
    assert err.startswith("parse_error: ")


def test_an_aliexpress_page_with_run_params_prints_its_record(shared_dir):
    record = _record("aliexpress", str(ALIEXPRESS / OLD_ALIEXPRESS), "--url", "https://he.aliexpress.com/item/1.html")
    assert record["external_id"] == "32993251330"
    assert record["title"].startswith("מקורי Apple iPhone SE")
    assert (record["price"], record["currency"]) == ("97.39", "EUR")
    assert record["variations"]


@pytest.mark.parametrize("name", CSR_ALIEXPRESS)
def test_an_aliexpress_page_without_prices_is_a_parse_error_saying_so(shared_dir, name):
    code, out, err = _run("aliexpress", str(ALIEXPRESS / name))
    assert (code, out) == (EXIT_PARSE_ERROR, "")
    assert "price not present in page" in err


def test_an_unknown_supplier_is_a_command_error(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    with pytest.raises(CommandError, match="no scraper plugin 'ebay'"):
        call_command("parse_page", "ebay", str(page))


def test_a_missing_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("parse_page", "amazon", str(tmp_path / "absent.html"))


def test_the_shell_sees_exit_code_3_and_the_kind_for_a_captcha(shared_dir):
    name = "Muhammadsheraz492__Amazon_Scraper__a14e9d0__captcha_page.html"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dropship_central.settings.test"}
    done = subprocess.run(
        [sys.executable, "manage.py", "parse_page", "amazon", str(AMAZON / "blocked" / name)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (3, "captcha\n")
