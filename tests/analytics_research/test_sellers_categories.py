"""Sellers and categories by estimated revenue, with growth and the top sellers' share (exact figures)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.research import Period, research_categories, research_sellers, sales_by_periods, sales_by_product
from catalog.models import Product, StockHistory
from catalog.rollups import day_begins, rollups_rebuild
from tests.factories import PriceHistoryFactory, ProductFactory, StockHistoryFactory

pytestmark = pytest.mark.django_db


def test_sellers_rank_by_estimated_revenue_with_growth_and_assortment(market, now):
    rows = research_sellers(supplier="uzum", days=30, now=now)

    assert [
        (r["name"], r["assortment"], r["units"], r["revenue"], r["previous_revenue"], r["growth_pct"]) for r in rows
    ] == [
        ("Alpha", 1, 3, Decimal("300"), Decimal("200"), Decimal("50.00")),
        ("Beta", 2, 1, Decimal("50"), Decimal("0"), None),
    ]
    assert (rows[0]["rating"], rows[0]["skus"]) == (Decimal("4.80"), 1)


def test_sellers_of_another_marketplace_are_left_out(market, now):
    assert research_sellers(supplier="aliexpress", days=30, now=now) == []


def test_a_category_counts_its_subcategories_and_shares_revenue_among_top_sellers(market, now):
    rows = {row["name"]: row for row in research_categories(supplier="uzum", days=30, now=now)}

    root = rows["Electronics"]
    assert (root["size"], root["sellers"], root["revenue"], root["previous_revenue"], root["growth_pct"]) == (
        3,
        2,
        Decimal("350"),
        Decimal("200"),
        Decimal("75.00"),
    )
    assert [(s["name"], s["revenue"], s["share_pct"]) for s in root["top_sellers"]] == [
        ("Alpha", Decimal("300"), Decimal("85.71")),
        ("Beta", Decimal("50"), Decimal("14.29")),
    ]
    assert (rows["Cables"]["size"], rows["Cables"]["revenue"]) == (2, Decimal("300"))
    assert (rows["Chargers"]["size"], rows["Chargers"]["revenue"]) == (1, Decimal("50"))


def test_categories_under_a_parent_are_its_direct_children_by_revenue(market, now):
    rows = research_categories(supplier="uzum", parent=market["root"].pk, days=30, top=1, now=now)

    assert [(row["name"], len(row["top_sellers"])) for row in rows] == [("Cables", 1), ("Chargers", 1)]


def test_product_level_history_is_ignored_where_skus_have_their_own(market, now):
    product = Product.objects.get(seller=market["a"])
    # the product-level series (sum of SKUs) would double the SKU's drops
    StockHistory.objects.create(product=product, stock_quantity=20, availability="in_stock", recorded_at=now)
    StockHistory.objects.create(product=product, stock_quantity=1, availability="in_stock", recorded_at=now)
    rollups_rebuild(product_ids=[product.pk])

    sales = sales_by_product(products=Product.objects.filter(pk=product.pk), period=Period.last(days=30, now=now))

    assert sales[product.pk].units == 3


def test_a_product_without_skus_is_estimated_from_its_own_history(uzum, now):
    product = ProductFactory(supplier=uzum, last_scraped_at=now)
    PriceHistoryFactory(product=product, price=Decimal("10"), recorded_at=now.replace(year=now.year - 1))
    StockHistoryFactory(product=product, stock_quantity=9, recorded_at=now.replace(year=now.year - 1))
    StockHistoryFactory(product=product, stock_quantity=5, recorded_at=now)
    rollups_rebuild(product_ids=[product.pk])

    sales = sales_by_product(products=Product.objects.filter(pk=product.pk), period=Period.last(days=30, now=now))

    assert (sales[product.pk].units, sales[product.pk].revenue) == (4, Decimal("40"))


def test_a_sellers_product_rating_weighs_each_product_by_its_reviews(market, now):
    ProductFactory(supplier=market["a"].supplier, seller=market["a"], rating=Decimal("5.00"), review_count=30)
    ProductFactory(supplier=market["a"].supplier, seller=market["a"], rating=Decimal("4.00"), review_count=10)
    ProductFactory(supplier=market["a"].supplier, seller=market["a"], rating=Decimal("1.00"), review_count=0)

    alpha = research_sellers(supplier="uzum", now=now)[0]

    assert (alpha["name"], alpha["products_rating"]) == ("Alpha", Decimal("4.75"))


def test_a_product_gone_since_leaves_the_size_but_keeps_its_sales(market, now):
    Product.objects.filter(seller=market["b"], category=market["chargers"]).update(is_gone=True)

    chargers = next(row for row in research_categories(supplier="uzum", now=now) if row["name"] == "Chargers")

    assert (chargers["size"], chargers["sellers"], chargers["revenue"]) == (0, 0, Decimal("50"))


def test_a_reading_on_a_periods_boundary_day_counts_on_its_side(uzum, now):
    product = ProductFactory(supplier=uzum, last_scraped_at=now)
    eve = day_begins(timezone.localdate(now) - timedelta(days=30))  # the previous period's last day
    PriceHistoryFactory(product=product, price=Decimal("10"), recorded_at=eve - timedelta(days=5))
    for at, level in ((eve - timedelta(days=5), 10), (eve + timedelta(hours=12), 8), (now, 5)):
        StockHistoryFactory(product=product, stock_quantity=level, recorded_at=at)
    rollups_rebuild(product_ids=[product.pk])
    period = Period.last(days=30, now=now)

    current, previous = sales_by_periods(
        products=Product.objects.filter(pk=product.pk), periods=[period, period.previous]
    )

    assert (current[product.pk].units, previous[product.pk].units) == (3, 2)
    assert (current[product.pk].units_low, previous[product.pk].units_low) == (0, 2)
