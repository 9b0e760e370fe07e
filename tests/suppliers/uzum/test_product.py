"""The product API answer (KazanExpress product-info-response, the layout Uzum kept) read field by field."""

import json
from collections import Counter
from decimal import Decimal

import pytest

from suppliers.plugins.base import ParseError, ProductNotFoundError
from suppliers.plugins.uzum.product import LOW_STOCK_AT, availability, parse_product

URL = "https://api.kazanexpress.ru/api/v2/product/207847"


@pytest.fixture
def product(product_info):
    return parse_product(product_info, URL, currency="RUB")


def _answer(data: dict | None, **envelope) -> str:
    return json.dumps({"payload": {"data": data}, "error": None, **envelope})


def test_reads_id_title_and_url(product):
    assert (product.external_id, product.title, product.url) == ("207847", "Футболка Good Hood", URL)


def test_category_path_runs_from_the_root_with_padding_stripped(product):
    assert product.category_path == ["Одежда", "Женская одежда", "Футболки и топы", "Футболки"]


def test_category_ids_run_from_the_root_to_the_leaf(product):
    assert product.extra["category_ids"] == [10014, 10116, 11166, 11956]


def test_reads_rating_reviews_and_orders(product):
    assert (product.rating, product.review_count, product.orders_count) == (Decimal("4.9"), 777, 7476)


def test_stock_is_the_total_available_amount_and_equals_the_sum_over_skus(product):
    assert product.stock_quantity == 1603
    assert sum(v.stock_quantity for v in product.variants) == 1603


def test_one_variant_per_sku_with_purchase_and_full_price(product):
    assert len(product.variants) == 161
    assert {(v.price, v.list_price, v.currency) for v in product.variants} == {
        (Decimal("345.00"), Decimal("650.00"), "RUB")
    }


def test_product_price_is_the_cheapest_available_sku(product):
    assert (product.price, product.list_price, product.currency) == (Decimal("345.00"), Decimal("650.00"), "RUB")


def test_sku_attributes_name_colour_and_size(product):
    first = product.variants[0]

    assert (first.sku, first.attributes) == ("1146514", {"Цвет": "Бежевый", "Размер": "M"})
    assert first.title == "Бежевый / M"


def test_characteristics_have_17_colours_and_10_sizes(product):
    assert [(v["name"], len(v["values"])) for v in product.variations] == [("Цвет", 17), ("Размер", 10)]
    colours = {v.attributes["Цвет"] for v in product.variants}
    assert len(colours) == 17
    assert colours <= set(product.variations[0]["values"])


def test_variant_availability_follows_each_skus_amount(product):
    by_state = Counter(v.availability for v in product.variants)

    assert by_state["out_of_stock"] == sum(1 for v in product.variants if v.stock_quantity == 0) == 110
    assert by_state["in_stock"] + by_state["low_stock"] == 51
    assert all(v.availability == availability(v.stock_quantity) for v in product.variants)


def test_images_are_the_original_size_of_each_of_51_photos(product):
    assert len(product.images) == 51
    assert product.images[0] == "https://image-cdn.kazanexpress.ru/bsc0qn2th9das61d87m0/original.jpg"
    assert all(url.endswith("/original.jpg") for url in product.images)


def test_seller_name_id_and_stats(product):
    assert (product.seller, product.seller_id) == ("Good Hood", "2224")
    expected = {"link": "goodhood", "rating": 4.8, "reviews": 14996, "orders": 186827, "sellerAccountId": 78535}
    assert product.extra["seller"].items() >= expected.items()


def test_description_and_attribute_lines(product):
    assert product.extra["description"].startswith("<p>Тонкая, комфортная")
    assert product.bullets[0] == "Материал: 100% высококачественный хлопок"


def test_product_without_brand_has_none(product):
    assert product.brand is None


def test_brand_is_read_when_present():
    data = {"id": 5, "title": "Cable", "brand": {"id": 1, "title": "Energy"}}

    assert parse_product(_answer(data), URL, currency="UZS").brand == "Energy"


def test_price_falls_back_to_the_cheapest_sku_when_none_is_available():
    skus = [
        {"id": 1, "purchasePrice": 900, "fullPrice": 1000, "availableAmount": 0},
        {"id": 2, "purchasePrice": 800, "fullPrice": 1000, "availableAmount": 0},
    ]
    product = parse_product(
        _answer({"id": 5, "title": "Kettle", "skuList": skus, "totalAvailableAmount": 0}), URL, currency="UZS"
    )

    assert (product.price, product.availability, product.stock_quantity) == (Decimal("800.00"), "out_of_stock", 0)


def test_an_available_sku_wins_over_a_cheaper_sold_out_one():
    skus = [
        {"id": 1, "purchasePrice": 500, "fullPrice": 1000, "availableAmount": 0},
        {"id": 2, "purchasePrice": 700, "fullPrice": 900, "availableAmount": 3},
    ]
    product = parse_product(_answer({"id": 5, "title": "Kettle", "skuList": skus}), URL, currency="UZS")

    assert (product.price, product.list_price) == (Decimal("700.00"), Decimal("900.00"))


def test_stock_is_summed_over_skus_when_the_total_is_missing():
    skus = [{"id": 1, "purchasePrice": 5, "availableAmount": 2}, {"id": 2, "purchasePrice": 5, "availableAmount": 3}]
    product = parse_product(_answer({"id": 5, "title": "Kettle", "skuList": skus}), URL, currency="UZS")

    assert (product.stock_quantity, product.availability) == (5, "low_stock")


@pytest.mark.parametrize(
    ("amount", "state"),
    [
        (None, "unknown"),
        (0, "out_of_stock"),
        (1, "low_stock"),
        (LOW_STOCK_AT, "low_stock"),
        (LOW_STOCK_AT + 1, "in_stock"),
    ],
)
def test_availability_from_an_amount(amount, state):
    assert availability(amount) == state


def test_error_payload_is_product_not_found():
    body = json.dumps({"payload": None, "error": {"message": "Product not found", "code": "NOT_FOUND"}})

    with pytest.raises(ProductNotFoundError, match="Product not found"):
        parse_product(body, URL, currency="UZS")


def test_error_inside_the_payload_is_product_not_found():
    body = json.dumps({"payload": {"data": None, "error": "no such product"}})

    with pytest.raises(ProductNotFoundError, match="no such product"):
        parse_product(body, URL, currency="UZS")


def test_answer_without_data_is_product_not_found(reviews_empty):
    with pytest.raises(ProductNotFoundError):
        parse_product(_answer(None), URL, currency="UZS")
    with pytest.raises(ProductNotFoundError):
        parse_product(reviews_empty, URL, currency="UZS")


@pytest.mark.parametrize("body", ["<html><body>oops</body></html>", '{"payload": {"data": ', "[1, 2]", '{"foo": 1}'])
def test_malformed_answer_is_a_parse_error(body):
    with pytest.raises(ParseError):
        parse_product(body, URL, currency="UZS")


def test_product_without_title_is_a_parse_error():
    with pytest.raises(ParseError, match="no title"):
        parse_product(_answer({"id": 5, "title": ""}), URL, currency="UZS")
