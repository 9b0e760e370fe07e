"""What a person types (an id or a URL) becomes the supplier's canonical product id, or a clear refusal."""

import pytest

from suppliers.plugins.aliexpress import AliExpressScraper
from suppliers.plugins.amazon import AmazonScraper
from suppliers.plugins.base import InvalidExternalIdError


@pytest.mark.parametrize("raw", ["B0CFR36HR9", " b0cfr36hr9 ", "0316769487"])
def test_amazon_accepts_asins_in_any_case(raw):
    assert AmazonScraper.normalize_external_id(raw) == raw.strip().upper()


@pytest.mark.parametrize("raw", ["", "B0CFR36HR", "B0CFR36HR9X", "B0CFR-6HR9", "https://amazon.com"])
def test_amazon_refuses_what_is_not_an_asin(raw):
    with pytest.raises(InvalidExternalIdError):
        AmazonScraper.normalize_external_id(raw)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.amazon.de/dp/B0CFR36HR9",
        "https://www.amazon.com/Darong-Womens-Casual/dp/B0CFR36HR9/ref=sr_1_1?th=1",
        "https://www.amazon.co.jp/gp/product/B0CFR36HR9",
        "https://smile.amazon.com/gp/aw/d/B0CFR36HR9",
    ],
)
def test_amazon_reads_the_asin_from_product_urls_of_any_storefront(url):
    assert AmazonScraper.external_id_from_url(url) == "B0CFR36HR9"


@pytest.mark.parametrize(
    "url",
    ["https://www.ebay.com/dp/B0CFR36HR9", "https://www.amazon.com/s?k=shoes", "https://amazon.evil.com/dp/B0CFR36HR9"],
)
def test_amazon_refuses_urls_of_other_sites_and_non_product_pages(url):
    with pytest.raises(InvalidExternalIdError):
        AmazonScraper.external_id_from_url(url)


def test_aliexpress_accepts_numeric_item_ids():
    assert AliExpressScraper.normalize_external_id(" 1005006180026951 ") == "1005006180026951"


@pytest.mark.parametrize("raw", ["", "abc123", "12", "1005006180026951.html"])
def test_aliexpress_refuses_what_is_not_an_item_id(raw):
    with pytest.raises(InvalidExternalIdError):
        AliExpressScraper.normalize_external_id(raw)


def test_aliexpress_reads_the_item_id_from_item_urls():
    url = "https://es.aliexpress.com/item/1005006180026951.html?spm=a2g0o"
    assert AliExpressScraper.external_id_from_url(url) == "1005006180026951"


@pytest.mark.parametrize("url", ["https://www.amazon.com/item/1005006180026951.html", "https://www.aliexpress.com/"])
def test_aliexpress_refuses_other_sites_and_non_item_pages(url):
    with pytest.raises(InvalidExternalIdError):
        AliExpressScraper.external_id_from_url(url)
