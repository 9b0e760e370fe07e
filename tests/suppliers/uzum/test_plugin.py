"""The Uzum plugin class: metadata, ids from URLs, and fetching real answers from a loopback server."""

import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from suppliers.plugins.base import BlockedError, InvalidExternalIdError, ParseError, ProductNotFoundError
from suppliers.plugins.uzum import UzumScraper
from suppliers.registry import scraper_class, scraper_class_for_url
from tests.loopback import Reply, Seen

JSON = "application/json; charset=utf-8"


def _json(body: object, status: int = 200) -> Reply:
    return Reply(status=status, body=body if isinstance(body, str) else json.dumps(body), content_type=JSON)


def _products_page(ids: range, total: int) -> dict:
    products = [{"productId": i, "title": f"Item {i}", "sellPrice": 100 + i, "fullPrice": 200 + i} for i in ids]
    return {"payload": {"products": products, "totalProducts": total}, "error": None}


def _paged(total: int, key: str = "categoryId"):
    """A listing of `total` products that honours `page` and `size`, and answers 404 for other listings."""

    def handler(seen: Seen) -> Reply:
        query = {name: values[0] for name, values in parse_qs(urlsplit(seen.path).query).items()}
        if key not in query:
            return _json({"payload": None, "error": "unknown listing"}, status=404)
        page, size = int(query["page"]), int(query["size"])
        return _json(_products_page(range(page * size, min((page + 1) * size, total)), total))

    return handler


def _queries(loopback) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(urlsplit(r.path).query).items()} for r in loopback.requests]


def test_meta_declares_slug_and_hosts():
    assert (UzumScraper.meta.slug, UzumScraper.meta.hosts) == ("uzum", ("uzum.uz", "api.uzum.uz", "kazanexpress.ru"))


def test_registry_serves_the_plugin_by_slug_and_by_storefront_url():
    assert scraper_class("uzum") is UzumScraper
    assert scraper_class_for_url("https://uzum.uz/ru/product/futbolka-207847") is UzumScraper


@pytest.mark.parametrize("raw", ["207847", " 207847 ", "3896"])
def test_accepts_numeric_product_ids(raw):
    assert UzumScraper.normalize_external_id(raw) == raw.strip()


@pytest.mark.parametrize("raw", ["", "abc", "0", "0123", "207847a", "1234567890123", "https://uzum.uz/ru/product/x-1"])
def test_refuses_what_is_not_a_product_id(raw):
    with pytest.raises(InvalidExternalIdError):
        UzumScraper.normalize_external_id(raw)


@pytest.mark.parametrize(
    ("url", "product_id"),
    [
        ("https://uzum.uz/ru/product/smartfon-nothing-phone-1-671616", "671616"),
        ("https://uzum.uz/uz/product/ayollar-sumkasi-katta-2367334", "2367334"),
        ("https://uzum.uz/ru/product/operativnaya-pamyat-kingston-1572552?skuId=5185182", "1572552"),
        ("https://uzum.uz/product/kabel-usb-2-0-1338340/", "1338340"),
        ("https://uzum.uz/ru/product/1338340", "1338340"),
        ("https://kazanexpress.ru/product/futbolka-good-hood-207847", "207847"),
        ("https://api.uzum.uz/api/v2/product/207847", "207847"),
    ],
)
def test_reads_the_product_id_from_product_urls(url, product_id):
    assert UzumScraper.external_id_from_url(url) == product_id


@pytest.mark.parametrize(
    "url",
    [
        "https://uzum.uz/ru/category/elektronika-10020",
        "https://uzum.uz/ru/shop/goodhood",
        "https://uzum.uz/ru/product/no-id-here?skuId=5185182",
        "https://uzum.evil.com/ru/product/futbolka-207847",
        "https://www.amazon.com/ru/product/futbolka-207847",
    ],
)
def test_refuses_other_sites_and_non_product_pages(url):
    with pytest.raises(InvalidExternalIdError):
        UzumScraper.external_id_from_url(url)


def test_without_a_supplier_the_currency_comes_from_the_setting(settings, product_info):
    settings.UZUM_CURRENCY = "uzs"

    product = UzumScraper().parse_product(product_info, "https://api.uzum.uz/api/v2/product/207847")

    assert product.currency == "UZS"
    assert {v.currency for v in product.variants} == {"UZS"}


def test_product_url_lives_under_the_base_url(scraper, loopback):
    assert scraper.product_url("207847") == f"{loopback.url}/api/v2/product/207847"


def test_fetch_product_reads_a_served_answer_in_the_suppliers_currency(scraper, loopback, product_info):
    loopback.route("/api/v2/product/207847", _json(product_info))

    product = scraper.fetch_product("207847")

    assert (product.external_id, product.price, product.currency, len(product.variants)) == (
        "207847",
        Decimal("345.00"),
        "RUB",
        161,
    )
    assert product.url == f"{loopback.url}/api/v2/product/207847"


def test_fetch_product_raises_not_found_for_a_404(scraper, loopback):
    loopback.route("/api/v2/product/1", _json({"payload": None, "error": "not found"}, status=404))

    with pytest.raises(ProductNotFoundError):
        scraper.fetch_product("1")


def test_fetch_product_raises_not_found_for_an_error_payload(scraper, loopback):
    loopback.route("/api/v2/product/1", _json({"payload": {"data": None, "error": {"message": "Product blocked"}}}))

    with pytest.raises(ProductNotFoundError, match="Product blocked"):
        scraper.fetch_product("1")


def test_fetch_product_raises_parse_error_for_a_non_json_answer(scraper, loopback):
    loopback.route("/api/v2/product/1", Reply(body="<html>maintenance</html>"))

    with pytest.raises(ParseError):
        scraper.fetch_product("1")


def test_fetch_product_reports_a_403_as_blocked(scraper, loopback):
    loopback.route("/api/v2/product/1", Reply(status=403, body="forbidden"))

    with pytest.raises(BlockedError):
        scraper.fetch_product("1")


def test_search_reads_a_served_listing_into_products(scraper, loopback, brand_products):
    loopback.route("/api/v2/main/search/product", _json(brand_products))

    results = scraper.search("кабель")

    first = results[0]
    assert (first.external_id, first.price, first.list_price, first.currency) == (
        "716657",
        Decimal("194.00"),
        Decimal("409.00"),
        "RUB",
    )
    assert len(results) == 5
    assert _queries(loopback)[-1]["text"] == "кабель"


def test_iter_category_walks_several_pages_to_the_end(scraper, loopback):
    loopback.route("/api/v2/main/search/product", _paged(total=23))

    items = list(scraper.iter_category("10020", page_size=10))

    assert [item.product_id for item in items] == [str(i) for i in range(23)]
    assert [(q["categoryId"], q["page"], q["size"]) for q in _queries(loopback)] == [
        ("10020", "0", "10"),
        ("10020", "1", "10"),
        ("10020", "2", "10"),
    ]
    assert items[22].sell_price == Decimal("122.00")


def test_iter_category_stops_at_the_limit(scraper, loopback):
    loopback.route("/api/v2/main/search/product", _paged(total=1000))

    assert len(list(scraper.iter_category("10020", page_size=10, limit=25))) == 25
    assert len(loopback.requests) == 3


def test_iter_category_of_a_missing_category_raises_not_found(scraper, loopback):
    loopback.route("/api/v2/main/search/product", _paged(total=5, key="shopId"))

    with pytest.raises(ProductNotFoundError):
        list(scraper.iter_category("999", page_size=10))


def test_iter_shop_tags_each_product_with_the_shop(scraper, loopback):
    loopback.route("/api/v2/main/search/product", _paged(total=15, key="shopId"))

    items = list(scraper.iter_shop("21195", page_size=10))

    assert len(items) == 15
    assert {item.seller_id for item in items} == {"21195"}


def test_shop_reads_a_served_shop_page(scraper, loopback, seller_info):
    loopback.route("/api/shop/xiaomishop", _json(seller_info))

    page = scraper.shop("xiaomishop")

    assert (page.shop.seller_id, page.shop.title, len(page.page.items)) == ("21195", "Xiaomi Shop", 17)


def test_root_categories_reads_the_served_tree(scraper, loopback, root_categories):
    loopback.route("/api/main/root-categories", _json(root_categories))

    roots = scraper.root_categories()

    assert (len(roots), roots[0].title) == (20, "Электроника")


def test_iter_search_posts_graphql_pages_with_offset_and_limit(scraper, loopback, make_search_items):
    def handler(seen: Seen) -> Reply:
        query_input = json.loads(seen.body)["variables"]["queryInput"]
        offset, limit = query_input["pagination"]["offset"], query_input["pagination"]["limit"]
        items = make_search_items[offset : offset + limit]
        return _json({"data": {"makeSearch": {"items": items, "total": len(make_search_items)}}})

    loopback.route("/graphql/", handler)

    items = list(scraper.iter_search(category_id="10020", page_size=20))

    # 48 cards are SKU groups of 45 products (colours of one product get a card each): each product comes once
    assert len(items) == len({card["catalogCard"]["productId"] for card in make_search_items}) == 45
    assert items[0].product_id == "580907"
    bodies = [json.loads(r.body) for r in loopback.requests]
    assert {r.method for r in loopback.requests} == {"POST"}
    assert [b["variables"]["queryInput"]["pagination"] for b in bodies] == [
        {"offset": 0, "limit": 20},
        {"offset": 20, "limit": 20},
        {"offset": 40, "limit": 20},
    ]
    assert bodies[0]["variables"]["queryInput"]["categoryId"] == "10020"
    assert "makeSearch" in bodies[0]["query"]
