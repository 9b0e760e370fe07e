"""Listings (shop, brand/category products, makeSearch cards) and the category tree, read from real answers."""

import json
from decimal import Decimal

import pytest

from suppliers.plugins.base import ParseError, ProductNotFoundError
from suppliers.plugins.uzum.listing import (
    catalog_items,
    parse_make_search,
    parse_products_page,
    parse_root_categories,
    parse_shop,
    walk_categories,
)
from suppliers.plugins.uzum.values import payload

URL = "https://api.kazanexpress.ru/api/x"


def test_shop_page_reads_the_seller(seller_info):
    shop = parse_shop(seller_info, URL).shop

    assert (shop.seller_id, shop.title, shop.link, shop.total_products) == ("21195", "Xiaomi Shop", "xiaomishop", 17)
    assert (shop.rating, shop.reviews, shop.orders, shop.seller_account_id) == (Decimal("4.5"), 52, 750, "77844")


def test_shop_page_lists_its_17_products_tagged_with_the_seller(seller_info):
    page = parse_shop(seller_info, URL).page

    assert (len(page.items), page.total) == (17, 17)
    first = page.items[0]
    assert (first.product_id, first.title) == ("1338340", "Смартфон Realme 8i 4+, 128 GB")
    assert (first.sell_price, first.full_price) == (Decimal("16790"), Decimal("17990"))
    assert {(item.seller_id, item.seller) for item in page.items} == {("21195", "Xiaomi Shop")}


def test_brand_products_page_reads_five_products(brand_products):
    page = parse_products_page(brand_products, URL)

    assert len(page.items) == 5
    first = page.items[0]
    assert (first.product_id, first.title, first.sell_price, first.full_price) == (
        "716657",
        "Кабель Energy ET-02, USB/Type-C",
        Decimal("194"),
        Decimal("409"),
    )
    assert (first.category_id, first.orders, first.reviews) == ("12171", 0, 0)
    assert first.image.endswith("/t_product_540_high.jpg")


def test_an_unrated_listing_entry_has_no_rating(brand_products):
    assert parse_products_page(brand_products, URL).items[0].rating is None


def test_root_categories_give_20_roots_and_1618_nodes(root_categories):
    roots = parse_root_categories(root_categories, URL)

    assert len(roots) == 20
    assert sum(1 for _ in walk_categories(roots)) == 1618


def test_category_titles_lose_their_leading_spaces(root_categories):
    roots = parse_root_categories(root_categories, URL)

    assert (roots[0].category_id, roots[0].title) == ("10020", "Электроника")
    assert all(node.title == node.title.strip() for node in walk_categories(roots))


def test_category_nodes_know_their_parent_and_level(root_categories):
    roots = parse_root_categories(root_categories, URL)
    child = roots[0].children[0]

    assert (roots[0].parent_id, roots[0].level) == (None, 0)
    assert (child.category_id, child.title, child.parent_id, child.level) == (
        "10044",
        "Смартфоны и телефоны",
        "10020",
        1,
    )


def test_walk_puts_every_parent_before_its_children(root_categories):
    seen: set[str] = set()
    for node in walk_categories(parse_root_categories(root_categories, URL)):
        assert node.parent_id is None or node.parent_id in seen
        seen.add(node.category_id)


def test_empty_reviews_answer_is_an_empty_payload(reviews_empty):
    assert payload(reviews_empty, URL) == []


def test_a_payload_that_is_no_category_list_is_a_parse_error(reviews_empty, brand_products):
    assert parse_root_categories(reviews_empty, URL) == []
    with pytest.raises(ParseError):
        parse_root_categories(brand_products, URL)


def test_make_search_reads_48_cards(make_search_answer):
    page = parse_make_search(make_search_answer, "https://graphql.uzum.uz/")

    assert (len(page.items), page.total) == (48, 48)
    first = page.items[0]
    assert (first.product_id, first.title) == ("580907", "Lazer proyektor Changhong B7U 4K")
    assert (first.full_price, first.sell_price) == (Decimal("42000000"), Decimal("28222000"))
    assert first.image == "https://images.uzum.uz/ci21lgjltlh4bk4lbt7g/t_product_540_high.jpg"


def test_make_search_uses_the_product_id_not_the_card_id(make_search_items):
    card = make_search_items[0]["catalogCard"]

    assert card["id"] != card["productId"]
    assert catalog_items(make_search_items)[0].product_id == str(card["productId"])


def test_make_search_errors_without_data_are_product_not_found():
    body = json.dumps({"data": None, "errors": [{"message": "Category not found"}]})

    with pytest.raises(ProductNotFoundError, match="Category not found"):
        parse_make_search(body, "https://graphql.uzum.uz/")


def test_make_search_without_items_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_make_search(json.dumps({"data": {"makeSearch": None}}), "https://graphql.uzum.uz/")


def test_product_cards_of_2025_read_as_listing_entries(product_cards_2025):
    items = catalog_items(product_cards_2025)

    assert len(items) == 10
    first = items[0]
    assert first.product_id == "106839"
    assert first.title.startswith("Ofis texnikalari uchun qog'oz varaqlari Sylvamo Svetotopy")
    assert (first.full_price, first.sell_price, first.orders, first.reviews, first.rating) == (
        Decimal("62000"),
        Decimal("40990"),
        225000,
        34474,
        Decimal("4.9"),
    )


def test_entries_without_id_or_title_are_skipped():
    items = catalog_items([{"productId": 1, "title": ""}, {"title": "No id"}, "junk", {"productId": 2, "title": "Ok"}])

    assert [item.product_id for item in items] == ["2"]
