"""Parser rules on small synthetic pages: one behaviour each, for layouts and cases the real pages do not show."""

import json
from decimal import Decimal

import pytest

from suppliers.plugins.aliexpress.parser import PRICE_NOT_IN_PAGE, assigned_object, item_id_from_url, parse_product
from suppliers.plugins.base import CaptchaError, ParseError

URL = "https://www.aliexpress.com/item/1005001234567890.html"


def _sku(sku_id, attr, regular, sale=None, stock=10, **extra):
    values = {"availQuantity": stock, "skuAmount": {"currency": "USD", "value": regular}}
    if sale is not None:
        values["skuActivityAmount"] = {"currency": "USD", "value": sale}
    return {"skuId": sku_id, "skuAttr": attr, "skuVal": values, **extra}


def _old_page(*, skus=(), title="Kettle", feedback=None, price_module=None, extra_modules=None) -> str:
    data = {
        "actionModule": {"productId": 1005001234567890},
        "commonModule": {"currencyCode": "USD"},
        "titleModule": {"subject": title, "feedbackRating": feedback or {"averageStar": "4.8", "totalValidNum": 12}},
        "skuModule": {
            "productSKUPropertyList": [
                {
                    "skuPropertyId": 14,
                    "skuPropertyName": "Color",
                    "skuPropertyValues": [
                        {"propertyValueId": 193, "propertyValueDisplayName": "Black"},
                        {"propertyValueId": 29, "propertyValueDisplayName": "White"},
                    ],
                }
            ],
            "skuPriceList": list(skus),
        },
        "priceModule": price_module or {},
        "imageModule": {
            "imagePathList": ["//ae01.alicdn.com/kf/a.jpg", "https://ae01.alicdn.com/kf/b.jpg_640x640.jpg"]
        },
        **(extra_modules or {}),
    }
    return f"<html><script>window.runParams = {{\n data: {json.dumps(data)},\n csrfToken: 'x'}};\nvar a = 1;</script>"


def test_price_is_the_cheapest_in_stock_sku_even_when_a_sold_out_one_is_cheaper():
    page = _old_page(skus=[_sku(1, "14:193", "5.00", stock=0), _sku(2, "14:29", "7.50")])

    product = parse_product(page, URL)

    assert (product.price, product.availability) == (Decimal("7.50"), "in_stock")


def test_sale_price_wins_and_regular_price_becomes_the_list_price():
    product = parse_product(_old_page(skus=[_sku(1, "14:193", "10.00", sale="6.00")]), URL)

    assert (product.price, product.list_price) == (Decimal("6.00"), Decimal("10.00"))


def test_sale_price_above_the_regular_price_is_ignored():
    product = parse_product(_old_page(skus=[_sku(1, "14:193", "10.00", sale="12.00")]), URL)

    assert (product.price, product.list_price) == (Decimal("10.00"), None)


def test_unsalable_sku_has_no_stock():
    product = parse_product(_old_page(skus=[_sku(1, "14:193", "3.00", salable=False), _sku(2, "14:29", "4")]), URL)

    assert [(v.sku, v.stock_quantity, v.availability) for v in product.variants] == [
        ("1", 0, "out_of_stock"),
        ("2", 10, "in_stock"),
    ]


def test_all_skus_sold_out_means_out_of_stock_with_a_price():
    product = parse_product(_old_page(skus=[_sku(1, "14:193", "3.00", stock=0)]), URL)

    assert (product.price, product.stock_quantity, product.availability) == (Decimal("3.00"), 0, "out_of_stock")


def test_sku_attributes_resolve_property_value_ids_to_names():
    product = parse_product(_old_page(skus=[_sku(1, "14:29", "3.00")]), URL)

    assert (product.variants[0].attributes, product.variants[0].title) == ({"Color": "White"}, "White")


def test_custom_sku_value_name_after_the_hash_is_used_when_the_id_is_unknown():
    product = parse_product(_old_page(skus=[_sku(1, "14:999#Sky blue", "3.00")]), URL)

    assert product.variants[0].attributes == {"Color": "Sky blue"}


def test_price_module_is_the_fallback_when_no_sku_is_priced():
    price_module = {"minAmount": {"value": 20.0}, "minActivityAmount": {"value": 15.5}}

    product = parse_product(_old_page(price_module=price_module), URL)

    assert (product.price, product.list_price) == (Decimal("15.50"), Decimal("20.00"))


def test_run_params_without_any_price_raise_with_the_partial_product():
    with pytest.raises(ParseError, match=PRICE_NOT_IN_PAGE) as raised:
        parse_product(_old_page(), URL)

    assert (raised.value.partial.title, raised.value.partial.external_id) == ("Kettle", "1005001234567890")


def test_unrated_item_has_no_rating():
    product = parse_product(
        _old_page(skus=[_sku(1, "14:193", "1")], feedback={"averageStar": "0.0", "totalValidNum": 0}), URL
    )

    assert (product.rating, product.review_count) == (None, 0)


def test_rating_outside_zero_to_five_is_dropped():
    product = parse_product(
        _old_page(skus=[_sku(1, "14:193", "1")], feedback={"averageStar": "96", "totalValidNum": 3}), URL
    )

    assert product.rating is None


def test_images_are_https_and_full_size():
    product = parse_product(_old_page(skus=[_sku(1, "14:193", "1")]), URL)

    assert product.images == ["https://ae01.alicdn.com/kf/a.jpg", "https://ae01.alicdn.com/kf/b.jpg"]


def test_component_layout_of_2022_is_read():
    data = {
        "productInfoComponent": {"id": 1005009999999999, "subject": "Lamp"},
        "currencyComponent": {"currencyCode": "GBP"},
        "priceComponent": {"skuPriceList": [_sku(7, "", "9.99", sale="8.49", stock=3)]},
        "sellerComponent": {"storeName": "Lamp Store", "storeNum": 42},
        "inventoryComponent": {"totalAvailQuantity": 3},
        "feedbackComponent": {"evarageStar": "4.6", "totalValidNum": 31},
        "tradeComponent": {"formatTradeCount": "1,200+"},
    }
    page = f"<script>window.runParams = {{data: {json.dumps(data)}}}</script>"

    product = parse_product(page, "")

    assert (product.external_id, product.title, product.price, product.currency) == (
        "1005009999999999",
        "Lamp",
        Decimal("8.49"),
        "GBP",
    )
    assert (product.seller, product.stock_quantity, product.rating, product.orders_count) == (
        "Lamp Store",
        3,
        Decimal("4.6"),
        1200,
    )


def test_title_falls_back_to_open_graph_when_run_params_lack_it():
    page = '<meta property="og:title" content="Mug &amp; Saucer - AliExpress 7">' + _old_page(
        skus=[_sku(1, "14:193", "1")], title=""
    )

    assert parse_product(page, URL).title == "Mug & Saucer"


@pytest.mark.parametrize(
    "marker",
    [
        '<div id="nc_1_wrapper"></div>',
        "<script>var x5secdata='abc'</script>",
        '<a href="/punish?x=1">',
        "Slide to verify",
    ],
)
def test_slider_captcha_page_raises_captcha(marker):
    with pytest.raises(CaptchaError):
        parse_product(f"<html><body>{marker}</body></html>", URL)


def test_page_with_nothing_of_an_item_is_not_an_item_page():
    with pytest.raises(ParseError, match="not an AliExpress item page") as raised:
        parse_product("<html><head><title></title></head></html>", "https://www.aliexpress.com/")

    assert raised.value.partial is None


@pytest.mark.parametrize(
    ("url", "item_id"),
    [
        ("https://www.aliexpress.com/item/1005006180026951.html?spm=a2g0o", "1005006180026951"),
        ("https://es.aliexpress.com/item/Some-Title/32993251330.html", "32993251330"),
        ("https://m.aliexpress.com/app/detail?productId=1005006180026951", "1005006180026951"),
        ("https://www.aliexpress.com/store/1392990", ""),
    ],
)
def test_item_id_is_read_from_item_urls(url, item_id):
    assert item_id_from_url(url) == item_id


def test_assigned_object_ignores_the_javascript_after_the_object():
    assert assigned_object('window.x = {"a": 1}; window.y = {"b": 2};', "window.x") == {"a": 1}
