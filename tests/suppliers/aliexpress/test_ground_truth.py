"""The real pages in ../shared/fixtures/aliexpress/, checked against the ground truth in ../shared/SOURCES.md."""

from decimal import Decimal

import pytest

from suppliers.plugins.aliexpress.parser import PRICE_NOT_IN_PAGE, parse_product
from suppliers.plugins.base import ParseError

OLD_URL = "https://he.aliexpress.com/item/32993251330.html"
OLD_TITLE = (
    "מקורי Apple iPhone SE סמארטפון נייד טלפון A9 Dual Core 2GB RAM 16/64GB ROM 4.0 "
    "''12MP טביעות אצבע 4G LTE Smartphone"
)


@pytest.fixture
def old_product(old_page):
    return parse_product(old_page, OLD_URL)


def test_old_layout_title_and_id(old_product):
    assert (old_product.external_id, old_product.title) == ("32993251330", OLD_TITLE)


def test_old_layout_price_is_the_cheapest_sale_price_in_eur(old_product):
    assert (old_product.price, old_product.list_price, old_product.currency) == (
        Decimal("97.39"),
        Decimal("162.32"),
        "EUR",
    )


def test_old_layout_has_sixteen_sku_prices(old_product):
    assert len(old_product.variants) == 16
    assert len({variant.sku for variant in old_product.variants}) == 16


def test_old_layout_sku_regular_prices_span_the_page_range(old_product):
    regular = [variant.list_price for variant in old_product.variants]

    assert (min(regular), max(regular)) == (Decimal("162.32"), Decimal("214.53"))


def test_old_layout_sku_sale_prices_span_the_activity_range(old_product):
    sale = [variant.price for variant in old_product.variants]

    assert (min(sale), max(sale)) == (Decimal("97.39"), Decimal("128.72"))


def test_old_layout_sku_prices_carry_the_page_currency(old_product):
    assert {variant.currency for variant in old_product.variants} == {"EUR"}


def test_old_layout_stock(old_product):
    assert (old_product.stock_quantity, old_product.availability) == (15583, "in_stock")


def test_old_layout_sku_stock_is_per_sku(old_product):
    assert all(variant.stock_quantity and variant.availability == "in_stock" for variant in old_product.variants)
    assert sum(variant.stock_quantity for variant in old_product.variants) <= 15583


def test_old_layout_sku_attributes_name_both_properties(old_product):
    assert {tuple(sorted(variant.attributes)) for variant in old_product.variants} == {("צבע", "צרור")}
    assert [variation["name"] for variation in old_product.variations] == ["צרור", "צבע"]


def test_old_layout_images_are_the_five_full_size_gallery_images(old_product):
    assert len(old_product.images) == 5
    assert all(url.startswith("https://ae01.alicdn.com/kf/") and url.endswith(".jpg") for url in old_product.images)


def test_old_layout_rating_reviews_and_orders(old_product):
    assert (old_product.rating, old_product.review_count, old_product.orders_count) == (Decimal("5.0"), 2, 6)


def test_old_layout_store(old_product):
    assert (old_product.seller, old_product.seller_id) == ("Summer Technology Co.,Ltd.", "1392990")


def test_old_layout_brand_and_category(old_product):
    assert old_product.brand == "Apple"
    assert old_product.extra["category_id"] == "5090301"
    assert len(old_product.category_path) == 2


@pytest.mark.parametrize(
    ("page", "external_id", "title_start", "image_count"),
    [
        ("csr_es_page", "1005006180026951", "GaN-cargador USB tipo C de carga rápida", 6),
        ("csr_pt_page", "1005009463783046", "Carrinho de armazenamento multifuncional branco 2025", 6),
    ],
)
def test_csr_page_raises_price_not_present_with_title_and_images(request, page, external_id, title_start, image_count):
    with pytest.raises(ParseError, match=PRICE_NOT_IN_PAGE) as raised:
        parse_product(request.getfixturevalue(page), "")

    partial = raised.value.partial
    assert partial.external_id == external_id
    assert partial.title.startswith(title_start)
    assert "- AliExpress" not in partial.title
    assert len(partial.images) == image_count
    assert (partial.price, partial.currency, partial.stock_quantity) == (None, None, None)


def test_csr_page_error_is_permanent(csr_es_page):
    with pytest.raises(ParseError) as raised:
        parse_product(csr_es_page, "https://es.aliexpress.com/item/1005006180026951.html")

    assert raised.value.permanent is True
