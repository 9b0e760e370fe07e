"""Every field of every real Amazon page in ../shared/fixtures/amazon against its ground truth.

Ground truth was read by eye from each page; a few values carry an annotation in parentheses ("Darong (ships from
Amazon)", "Amazon (inferred: …)"), which is not part of the value and is cut off before comparing.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from suppliers.plugins.amazon.parser import parse_product
from suppliers.plugins.amazon.prices import domain_currency, parse_money
from suppliers.plugins.amazon.search import parse_search
from suppliers.plugins.base import ScraperError
from tests.conftest import SHARED_DIR

AMAZON = Path("fixtures") / "amazon"
PRODUCT_FIELDS = (
    "asin",
    "parent_asin",
    "title",
    "price",
    "currency",
    "list_price",
    "discount_pct",
    "availability",
    "availability_text",
    "rating",
    "review_count",
    "brand",
    "seller",
    "images",
    "variations",
    "deal_badge",
)
SEARCH_SHOWS = re.compile(
    r"^(?P<site>\S+) .*?; (?P<count>\d+) results.*?; 1st (?:ASIN )?(?P<asin>[A-Z0-9]{10}) "
    r"'(?P<title>.+?)' (?P<price>\S+), (?P<rating>[\d.]+)★"
)


def _truth(kind: str) -> dict:
    path = SHARED_DIR / AMAZON / kind / ("labels.json" if kind == "blocked" else "ground_truth.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def _product_cases() -> list:
    cases = []
    for name, truth in _truth("dp").items():
        for field in PRODUCT_FIELDS:
            if field in {"parent_asin", "discount_pct"} and field not in truth:
                continue
            if field == "variations" and truth.get(field) is None:
                continue
            cases.append(pytest.param(name, field, id=f"{name[:48]}-{field}"))
    return cases


_parsed: dict[str, object] = {}


def _parse(shared_dir: Path, kind: str, name: str, url: str):
    key = f"{kind}/{name}"
    if key not in _parsed:
        html = (shared_dir / AMAZON / kind / name).read_text(encoding="utf-8")
        _parsed[key] = (parse_product if kind == "dp" else parse_search)(html, url)
    return _parsed[key]


def _without_annotation(value: str) -> str:
    return re.split(r" \(|;", value, maxsplit=1)[0].strip()


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _actual(product, field: str):
    values = {
        "asin": product.external_id,
        "parent_asin": product.parent_id,
        "title": product.title,
        "price": product.price,
        "currency": product.currency,
        "list_price": product.list_price,
        "availability": product.availability,
        "availability_text": product.extra["availability_text"],
        "rating": product.rating,
        "review_count": product.review_count,
        "brand": product.brand,
        "seller": product.seller,
        "images": len(product.images),
        "variations": bool(product.variations),
        "deal_badge": product.extra["deal_badge"],
    }
    if field == "discount_pct":
        return round((1 - product.price / product.list_price) * 100)
    return values[field]


def _expected(truth: dict, field: str):
    value = truth.get(field if field != "asin" else "asin")
    if field in {"price", "list_price", "rating"}:
        return _decimal(value)
    if field in {"brand", "seller"} and value is not None:
        return _without_annotation(value)
    return value


@pytest.mark.shared
@pytest.mark.parametrize(("name", "field"), _product_cases())
def test_product_page_field_matches_ground_truth(shared_dir, name, field):
    truth = _truth("dp")[name]
    product = _parse(shared_dir, "dp", name, f"https://www.{truth['site']}/dp/{truth['asin']}")

    assert _actual(product, field) == _expected(truth, field)


@pytest.mark.shared
@pytest.mark.parametrize("name", list(_truth("dp")))
def test_product_page_images_are_full_size_urls(shared_dir, name):
    truth = _truth("dp")[name]
    product = _parse(shared_dir, "dp", name, f"https://www.{truth['site']}/dp/{truth['asin']}")

    assert all(re.match(r"^https?://[^ ]+/images/I/[^ ]+\.(jpg|png|gif)$", url) for url in product.images)
    assert not any(re.search(r"_(SS|SR|SX|US)\d+", url) for url in product.images)


def _search_cases() -> list:
    fields = ("count", "asin", "title", "price", "currency", "rating", "every_result")
    return [pytest.param(name, field, id=f"{name[:48]}-{field}") for name in _truth("search") for field in fields]


@pytest.mark.shared
@pytest.mark.parametrize(("name", "field"), _search_cases())
def test_search_page_field_matches_ground_truth(shared_dir, name, field):
    shows = SEARCH_SHOWS.match(_truth("search")[name]["shows"])
    assert shows is not None, "ground truth line not understood"
    url = f"https://www.{shows['site']}/s?k=query"
    results = _parse(shared_dir, "search", name, url)
    first = results[0]
    money = parse_money(shows["price"], domain_default=domain_currency(url))

    if field == "count":
        assert len(results) == int(shows["count"])
    elif field == "asin":
        assert first.external_id == shows["asin"]
    elif field == "title":
        title = shows["title"]
        assert first.title.startswith(title[:-1]) if title.endswith("…") else first.title == title
    elif field == "price":
        assert first.price == money.amount
    elif field == "currency":
        assert first.currency == money.currency
    elif field == "rating":
        assert first.rating == Decimal(shows["rating"])
    else:
        assert all(result.title and result.images and result.url.endswith(result.external_id) for result in results)


@pytest.mark.shared
@pytest.mark.parametrize("name", list(_truth("blocked")))
def test_blocked_page_raises_its_labelled_kind_from_the_product_parser(shared_dir, name):
    html = (shared_dir / AMAZON / "blocked" / name).read_text(encoding="utf-8")

    with pytest.raises(ScraperError) as raised:
        parse_product(html, "https://www.amazon.com/dp/B0DP95NPLY")

    assert raised.value.kind == _truth("blocked")[name]["kind"]


@pytest.mark.shared
@pytest.mark.parametrize("name", list(_truth("blocked")))
def test_blocked_page_raises_its_labelled_kind_from_the_search_parser(shared_dir, name):
    html = (shared_dir / AMAZON / "blocked" / name).read_text(encoding="utf-8")

    with pytest.raises(ScraperError) as raised:
        parse_search(html, "https://www.amazon.com/s?k=query")

    assert raised.value.kind == _truth("blocked")[name]["kind"]


@pytest.mark.shared
@pytest.mark.parametrize("name", list(_truth("dp")))
def test_product_page_yields_its_about_this_item_bullets(shared_dir, name):
    truth = _truth("dp")[name]
    product = _parse(shared_dir, "dp", name, f"https://www.{truth['site']}/dp/{truth['asin']}")

    assert product.bullets
    assert all(bullet == bullet.strip() and "<" not in bullet for bullet in product.bullets)
