"""Search result pages: the `itemList.content` JSON the server renders into the page."""

import json
from decimal import Decimal

import pytest

from suppliers.plugins.aliexpress.search import parse_search
from suppliers.plugins.base import CaptchaError

URL = "https://www.aliexpress.com/wholesale?SearchText=kettle"


def _item(product_id, title, price="12.34"):
    return {
        "productId": product_id,
        "title": {"displayTitle": title},
        "prices": {"salePrice": {"currencyCode": "USD", "minPrice": price, "formattedPrice": f"US ${price}"}},
        "image": {"imgUrl": "//ae01.alicdn.com/kf/k.jpg_220x220.jpg"},
        "evaluation": {"starRating": 4.7},
        "trade": {"tradeDesc": "1,000+ sold"},
        "store": {"storeName": "Kettle Shop"},
    }


def _init_data_page(items) -> str:
    data = {"success": True, "data": {"root": {"fields": {"mods": {"itemList": {"content": items}}}}}}
    return f"<script>window._dida_config_._init_data_= {{ data: {json.dumps(data)} }}</script>"


def test_results_are_read_in_page_order():
    results = parse_search(_init_data_page([_item("1005001", "Kettle A"), _item("1005002", "Kettle B")]), URL)

    assert [(r.external_id, r.title) for r in results] == [("1005001", "Kettle A"), ("1005002", "Kettle B")]


def test_result_carries_price_image_rating_orders_and_item_url():
    [result] = parse_search(_init_data_page([_item("1005001", "Kettle A")]), URL)

    assert (result.price, result.currency, result.rating, result.orders_count) == (
        Decimal("12.34"),
        "USD",
        Decimal("4.7"),
        1000,
    )
    assert result.images == ["https://ae01.alicdn.com/kf/k.jpg"]
    assert result.url == "https://www.aliexpress.com/item/1005001.html"


def test_items_without_id_or_title_are_skipped():
    results = parse_search(_init_data_page([_item("", "No id"), _item("1005003", "")]), URL)

    assert results == []


def test_older_run_params_result_list_is_read():
    page = f"<script>window.runParams = {json.dumps({'mods': {'itemList': {'content': [_item('42424242', 'Old')]}}})}"

    assert [r.external_id for r in parse_search(page, URL)] == ["42424242"]


def test_client_rendered_results_page_yields_nothing():
    assert parse_search("<html><script>window.runParams = {};</script></html>", URL) == []


def test_captcha_results_page_raises_captcha():
    with pytest.raises(CaptchaError):
        parse_search('<div id="nc_1_wrapper">Slide to verify</div>', URL)
