from decimal import Decimal

import pytest

from suppliers.plugins.amazon.prices import currency_of, domain_currency, parse_amount, parse_money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$1,049.00", "1049.00", "USD"),
        ("52,41 €", "52.41", "EUR"),
        ("1.234,56 €", "1234.56", "EUR"),
        ("R$ 303,05", "303.05", "BRL"),
        ("R$1.299,00", "1299.00", "BRL"),
        ("₹1,00,000.00", "100000.00", "INR"),
        ("₹49,990", "49990", "INR"),
        ("£11.00", "11.00", "GBP"),
        ("￥3,980", "3980", "JPY"),
        ("¥ 12,800", "12800", "JPY"),
        ("1 299,00 €", "1299.00", "EUR"),
        ("EUR 19,99", "19.99", "EUR"),
        ("CDN$ 24.99", "24.99", "CAD"),
        ("26,21&nbsp;&euro;", "26.21", "EUR"),
    ],
)
def test_parse_money_reads_locale_formats(text, amount, currency):
    money = parse_money(text, domain_default="USD")

    assert (money.amount, money.currency) == (Decimal(amount), currency)


def test_dollar_sign_takes_the_storefront_currency_on_dollar_storefronts():
    assert currency_of("$24.99", domain_default="CAD") == "CAD"
    assert currency_of("$24.99", domain_default="MXN") == "MXN"


def test_dollar_sign_on_a_non_dollar_storefront_is_us_dollars():
    assert currency_of("$24.99", domain_default="EUR") == "USD"


def test_amount_without_symbol_takes_the_storefront_currency():
    assert parse_money("19,99", domain_default="EUR").currency == "EUR"


def test_text_without_a_number_is_no_money():
    assert parse_money("Currently unavailable", domain_default="USD") is None


def test_yen_amounts_have_no_decimals():
    assert parse_amount("1,50", currency="JPY") == Decimal("150")


def test_repeated_single_separator_is_thousands():
    assert parse_amount("1.234.567") == Decimal("1234567")


@pytest.mark.parametrize(
    ("url", "currency"),
    [
        ("https://www.amazon.com/dp/B0CFR36HR9", "USD"),
        ("https://www.amazon.co.uk/dp/B0CFR36HR9", "GBP"),
        ("https://www.amazon.de/dp/B0CFR36HR9", "EUR"),
        ("https://www.amazon.in/dp/B0CFR36HR9", "INR"),
        ("https://www.amazon.com.br/dp/B0CFR36HR9", "BRL"),
        ("https://www.amazon.co.jp/dp/B0CFR36HR9", "JPY"),
        ("https://www.amazon.com.mx/dp/B0CFR36HR9", "MXN"),
        ("https://www.amazon.com.au/dp/B0CFR36HR9", "AUD"),
        ("https://www.amazon.ca/dp/B0CFR36HR9", "CAD"),
        ("https://example.com/dp/B0CFR36HR9", None),
    ],
)
def test_domain_currency_maps_storefronts(url, currency):
    assert domain_currency(url) == currency
