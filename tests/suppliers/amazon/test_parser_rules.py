"""The product parser's rules on small hand-written pages, beyond the real pages in the ground-truth test."""

from decimal import Decimal

import pytest

from suppliers.plugins.amazon.parser import availability_of, count_of, parse_product, rating_of, seller_of
from suppliers.plugins.amazon.search import parse_search
from suppliers.plugins.base import ParseError

URL = "https://www.amazon.de/dp/B0TESTASIN"


def _price_block(amount: str, *, strike: str | None = None) -> str:
    basis = (
        '<span class="basisPrice">UVP: <span class="a-price a-text-price" data-a-strike="true">'
        f'<span class="a-offscreen">{strike}</span></span></span>'
        if strike
        else ""
    )
    return (
        '<div id="corePriceDisplay_desktop_feature_div"><span class="a-price priceToPay">'
        f'<span class="a-offscreen">{amount}</span></span>{basis}</div>'
    )


def _page(*parts: str, title: str = "Wasserkocher 1,7 l") -> str:
    return (
        '<html><head><link rel="canonical" href="https://www.amazon.de/dp/B0TESTASIN"></head><body>'
        f'<input type="hidden" id="ASIN" name="ASIN" value="B0TESTASIN"><span id="productTitle"> {title} </span>'
        + "".join(parts)
        + "</body></html>"
    )


def test_buy_box_price_and_list_price_are_read_with_decimal_commas():
    product = parse_product(_page(_price_block("1.299,00 €", strike="1.499,99 €")), URL)

    assert (product.price, product.list_price, product.currency) == (Decimal("1299.00"), Decimal("1499.99"), "EUR")


def test_carousel_and_bought_together_prices_are_never_the_price():
    carousel = (
        '<div id="sims-consolidated-1_feature_div"><span class="a-price"><span class="a-offscreen">9,99 €</span></span>'
        '</div><div id="similarities_feature_div"><span class="basisPrice">19,99 €</span></div>'
    )

    product = parse_product(_page(carousel), URL)

    assert product.price is None


def test_used_offer_after_the_buy_box_does_not_replace_its_price():
    page = _page(_price_block("52,41 €"), '<div id="usedAccordionRow">', _price_block("42,98 €"), "</div>")

    assert parse_product(page, URL).price == Decimal("52.41")


def test_price_range_of_an_unselected_parent_is_not_a_buy_box_price():
    price_range = (
        '<div id="corePriceDisplay_desktop_feature_div"><span class="a-price-range">'
        '<span class="a-price"><span class="a-offscreen">19,99 €</span></span> - '
        '<span class="a-price"><span class="a-offscreen">29,99 €</span></span></span></div>'
    )

    assert parse_product(_page(price_range), URL).price is None


def test_page_without_buy_box_has_no_price_but_keeps_the_storefront_currency():
    product = parse_product(_page('<div id="availability"><span>Derzeit nicht verfügbar.</span></div>'), URL)

    assert (product.price, product.currency, product.availability) == (None, "EUR", "out_of_stock")


def test_low_stock_reports_the_quantity():
    product = parse_product(_page('<div id="availability"><span>Only 3 left in stock - order soon.</span></div>'), URL)

    assert (product.availability, product.stock_quantity) == ("low_stock", 3)


@pytest.mark.parametrize(
    ("text", "kind", "quantity"),
    [
        ("In Stock", "in_stock", None),
        ("Auf Lager.", "in_stock", None),
        ("En stock", "in_stock", None),
        ("Em estoque", "in_stock", None),
        ("Nur noch 2 auf Lager", "low_stock", 2),
        ("Sólo queda(n) 1 en stock.", "low_stock", 1),
        ("Il ne reste plus que 4 exemplaire(s) en stock.", "low_stock", 4),
        ("残り1点 ご注文はお早めに", "low_stock", 1),
        ("Currently unavailable.", "out_of_stock", None),
        ("Actuellement indisponible.", "out_of_stock", None),
        ("Temporarily out of stock. Order now and we'll deliver when available.", "backorder", None),
        ("In stock on December 3, 2026.", "backorder", None),
        ("This item cannot be shipped to your selected delivery location.", "unavailable", None),
        ("Customize device to see availability", "unknown", None),
    ],
)
def test_availability_messages_in_many_languages(text, kind, quantity):
    assert availability_of(text) == (kind, quantity)


def test_add_to_cart_without_availability_text_is_in_stock():
    page = _page(_price_block("10,00 €"), '<input id="add-to-cart-button" type="submit">')

    assert parse_product(page, URL).availability == "in_stock"


@pytest.mark.parametrize(
    ("byline", "brand"),
    [
        ("Visit the Anker Store", "Anker"),
        ("Besuche den Anker-Store", "Anker"),
        ("Visitez la boutique Anker", "Anker"),
        ("Visita la tienda de Anker", "Anker"),
        ("Marke: Anker", "Anker"),
        ("Brand: Data & Tees", "Data & Tees"),
        ("Ankerのストアを表示", "Anker"),
    ],
)
def test_brand_is_read_from_localized_bylines(byline, brand):
    page = _page(f'<div id="bylineInfo_feature_div"><a id="bylineInfo" href="/stores/x">{byline}</a></div>')

    assert parse_product(page, URL).brand == brand


@pytest.mark.parametrize(
    ("text", "rating"),
    [("4.3 out of 5 stars", "4.3"), ("4,7 de 5 estrelas", "4.7"), ("5つ星のうち4.2", "4.2"), ("5 out of 5", "5")],
)
def test_rating_is_the_score_not_the_scale(text, rating):
    assert rating_of(text) == Decimal(rating)


@pytest.mark.parametrize(
    ("text", "count"),
    [("5,181 ratings", 5181), ("80.525 avaliações", 80525), ("(1,596)", 1596), ("972", 972), ("(20.3K)", 20300)],
)
def test_review_counts_drop_thousands_separators(text, count):
    assert count_of(text) == count


@pytest.mark.parametrize(
    ("text", "seller"),
    [
        ("Ships from and sold by A2ZID .", "A2ZID"),
        ("Ships from and sold by Amazon.com.", "Amazon.com"),
        ("Sold by ShineXPro and Fulfilled by Amazon .", "ShineXPro"),
        ("Verkauf durch Kettle GmbH und Versand durch Amazon.", "Kettle GmbH"),
        ("Ships from and sold by Amazon Digital Services LLC. Gift-wrap available.", "Amazon Digital Services LLC"),
    ],
)
def test_seller_is_read_from_merchant_sentences(text, seller):
    assert seller_of(text) == seller


def test_variations_come_from_the_twister_json_with_dimension_names():
    script = (
        '<script>var data = {"dimensions" : ["size_name","color_name"],'
        '"dimensionValuesDisplayData" : {"B0CHILD001":["M","Grey"],"B0CHILD002":["L","Red"]},'
        ' "parentAsin":"B0PARENT01"};'
        "</script>"
    )

    product = parse_product(_page(script), URL)

    assert product.parent_id == "B0PARENT01"
    assert product.variations == [
        {"asin": "B0CHILD001", "dimensions": {"size_name": "M", "color_name": "Grey"}},
        {"asin": "B0CHILD002", "dimensions": {"size_name": "L", "color_name": "Red"}},
    ]


def test_selected_child_variant_carries_the_buy_box_price_and_stock():
    script = (
        '<script>var data = {"dimensions" : ["color_name"],'
        '"dimensionValuesDisplayData" : {"B0TESTASIN":["Grey"],"B0CHILD002":["Red"]}};</script>'
    )
    availability = '<div id="availability"><span>Only 2 left in stock.</span></div>'

    variants = parse_product(_page(_price_block("19,99 €"), availability, script), URL).variants

    assert [(v.sku, v.title, v.attributes, v.price, v.availability, v.stock_quantity) for v in variants] == [
        ("B0TESTASIN", "Grey", {"color_name": "Grey"}, Decimal("19.99"), "low_stock", 2),
        ("B0CHILD002", "Red", {"color_name": "Red"}, None, "unknown", None),
    ]


def test_gallery_prefers_hi_res_then_large_images():
    script = (
        "<script>P.when('A').register(\"ImageBlockATF\", function(A){ var data = { 'colorImages': { 'initial': "
        '[{"hiRes":"https://m.media-amazon.com/images/I/1.jpg","large":"https://m.media-amazon.com/images/I/1s.jpg"},'
        '{"hiRes":null,"large":"https://m.media-amazon.com/images/I/2.jpg"}]}}; });</script>'
    )

    product = parse_product(_page(script), URL)

    assert product.images == ["https://m.media-amazon.com/images/I/1.jpg", "https://m.media-amazon.com/images/I/2.jpg"]


def test_bullets_and_breadcrumbs_are_lists_of_texts():
    bullets = (
        '<div id="feature-bullets"><ul><li><span class="a-list-item"> Schnell </span></li>'
        '<li><span class="a-list-item">Leise</span></li></ul></div>'
    )
    crumbs = (
        '<div id="wayfinding-breadcrumbs_feature_div"><ul><li><a href="/k">Küche</a></li>'
        '<li class="a-breadcrumb-divider">›</li><li><a href="/w">Wasserkocher</a></li></ul></div>'
    )

    product = parse_product(_page(bullets, crumbs), URL)

    assert (product.bullets, product.category_path) == (["Schnell", "Leise"], ["Küche", "Wasserkocher"])


def test_id_inside_a_script_string_is_not_taken_for_the_element():
    page = _page(f"<script>var html = '{_price_block('9,99 €')}';</script>")

    assert parse_product(page, URL).price is None


def test_page_without_title_or_asin_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_product("<html><body><p>Hello</p></body></html>", URL)


def _result(asin: str, title: str, price: str = "") -> str:
    price_html = f'<span class="a-price"><span class="a-offscreen">{price}</span></span>' if price else ""
    return (
        f'<div data-asin="{asin}" data-component-type="s-search-result" class="s-result-item">'
        f"<h2><span>{title}</span></h2>{price_html}"
        '<img class="s-image" src="https://m.media-amazon.com/images/I/x._AC_UY218_.jpg"></div>'
    )


def test_search_result_without_price_does_not_take_a_widget_price_that_follows_it():
    widget = (
        '<div class="s-widget"><h2>Related</h2>'
        '<span class="a-price"><span class="a-offscreen">$1.00</span></span></div>'
    )
    page = f"<html><body>{_result('B0RESULT01', 'Kettle')}{widget}{_result('B0RESULT02', 'Mug', '$5.00')}</body></html>"

    results = parse_search(page, "https://www.amazon.com/s?k=kettle")

    assert [(r.external_id, r.title, r.price) for r in results] == [
        ("B0RESULT01", "Kettle", None),
        ("B0RESULT02", "Mug", Decimal("5.00")),
    ]


def test_search_result_brand_line_leads_the_title():
    brand_line = '<h2 class="a-size-mini s-line-clamp-1"><span>ASUS</span></h2>'
    page = _result("B0RESULT01", "ROG Strix RTX 4090", "$1,999.99").replace("<h2>", brand_line + "<h2>", 1)

    result = parse_search(page, "https://www.amazon.com/s?k=rtx")[0]

    assert (result.title, result.brand, result.price) == ("ASUS ROG Strix RTX 4090", "ASUS", Decimal("1999.99"))


def test_search_review_count_prefers_the_exact_label_over_abbreviated_text():
    link = '<a aria-label="20,372 ratings" href="/dp/B0RESULT01#customerReviews"><span>(20.3K)</span></a>'
    page = _result("B0RESULT01", "Sunscreen", "$13.97").replace("</h2>", "</h2>" + link, 1)

    assert parse_search(page, "https://www.amazon.com/s?k=sunscreen")[0].review_count == 20372
