"""The same product across sellers: matched by parent id or normalized title; cheapest offer and spread."""

from decimal import Decimal

import pytest

from analytics.research import normalized_title, research_price_comparison
from tests.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offers(uzum):
    alpha, beta, gamma = (SellerFactory(supplier=uzum, name=name) for name in ("Alpha", "Beta", "Gamma"))

    def offer(title: str, price: str, seller, **extra):
        return ProductFactory(supplier=uzum, title=title, price=Decimal(price), currency="UZS", seller=seller, **extra)

    return {
        "cable_a": offer("Кабель USB-C, 1m", "100", alpha),
        "cable_b": offer("кабель  usb c 1M", "80", beta),
        "cable_a2": offer("Кабель USB-C 1m", "120", alpha),
        "lonely": offer("Power bank 20000", "300", gamma),
        "alpha_only_1": offer("Mouse", "10", alpha),
        "alpha_only_2": offer("mouse", "12", alpha),
        "shirt_red": offer("Shirt red", "50", alpha, parent_external_id="P1"),
        "shirt_blue": offer("Shirt blue", "40", gamma, parent_external_id="P1"),
    }


def test_titles_match_whatever_their_case_punctuation_and_spacing():
    assert normalized_title("Кабель USB-C, 1m") == normalized_title("кабель  usb c 1M") == "кабель usb c 1m"


def test_offers_of_several_sellers_are_grouped_with_cheapest_and_spread(offers):
    rows = research_price_comparison(supplier="uzum")

    cable = next(row for row in rows if row["match"] == "title")
    assert (cable["offers"], cable["sellers"], cable["min_price"], cable["max_price"]) == (
        3,
        2,
        Decimal("80"),
        Decimal("120"),
    )
    assert (cable["spread"], cable["spread_pct"], cable["cheapest"]["seller"]) == (
        Decimal("40"),
        Decimal("50.00"),
        "Beta",
    )
    assert [offer["price"] for offer in cable["all_offers"]] == [Decimal("80"), Decimal("100"), Decimal("120")]


def test_a_shared_parent_id_matches_different_titles(offers):
    rows = research_price_comparison(supplier="uzum")

    shirt = next(row for row in rows if row["match"] == "parent")
    assert (shirt["key"], shirt["cheapest"]["product_id"], shirt["spread_pct"]) == (
        "P1",
        offers["shirt_blue"].pk,
        Decimal("25.00"),
    )


def test_a_product_only_one_seller_offers_is_no_comparison(offers):
    rows = research_price_comparison(supplier="uzum")

    assert len(rows) == 2
    assert [row["match"] for row in rows] == ["title", "parent"]


def test_the_title_filter_narrows_the_offers(offers):
    assert [row["match"] for row in research_price_comparison(supplier="uzum", query="shirt")] == ["parent"]
