"""Off PostgreSQL (the embedded SQLite default of `make run`), sellers, categories and best deals are computed in
Python from the same rollup rows: the figures equal the PostgreSQL statements' on the same data."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from analytics.research import (
    Period,
    research_best_deals,
    research_categories,
    research_sellers,
    sales_by_periods,
)
from catalog.models import PriceHistory, Product, StockHistory
from catalog.rollups import day_begins, rollups_rebuild
from tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, SellerFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/research/"


def _on_both(monkeypatch: pytest.MonkeyPatch, read):
    on_postgresql = read()
    monkeypatch.setattr(connection, "vendor", "sqlite")
    elsewhere = read()
    monkeypatch.undo()
    return on_postgresql, elsewhere


@pytest.fixture
def busy_market(uzum, now):
    """30 products over three sellers and a two-level tree, with a random walk of readings over 100 days: SKU
    series, product-level series, both (the SKUs win), restocks and returns, flickering prices, readings on the
    periods' boundary days, a product gone since, and newest drops both confirmed and not yet."""
    rng = random.Random(6)
    root = CategoryFactory(supplier=uzum, external_id="r", name="Home", path="Home")
    leaves = [
        CategoryFactory(supplier=uzum, external_id=str(n), name=f"Leaf {n}", path=f"Home > Leaf {n}", parent=root)
        for n in range(3)
    ]
    sellers = [SellerFactory(supplier=uzum, name=f"Shop {n}") for n in range(3)]
    boundary_days = [timezone.localdate(now) - timedelta(days=days) for days in (1, 7, 8, 30, 31, 60)]
    for n in range(30):
        product = ProductFactory(
            supplier=uzum,
            seller=sellers[n % 3],
            category=leaves[n % 3],
            currency="UZS",
            price=Decimal(rng.randrange(50, 150)),
            list_price=Decimal(200),
            is_gone=n == 7,
            last_scraped_at=now - timedelta(hours=rng.choice((0, 0, 30))),
        )
        variants = [None] if n % 4 == 0 else [ProductVariantFactory(product=product) for _ in range(1 + n % 2)]
        if n % 5 == 1:
            variants.append(None)  # product-level history besides its SKUs'
        for variant in variants:
            _random_walk(product, variant, rng, now, boundary_days)
    rollups_rebuild(product_ids=list(Product.objects.values_list("pk", flat=True)))


def _random_walk(product, variant, rng, now, boundary_days) -> None:
    stock, price = rng.randrange(20, 60), Decimal(rng.randrange(80, 120))
    moments = sorted(
        [now - timedelta(minutes=rng.randrange(100 * 24 * 60)) for _ in range(rng.randrange(5, 40))]
        + [day_begins(day) + timedelta(hours=rng.randrange(24)) for day in rng.sample(boundary_days, 3)]
    )
    for at in moments:
        roll = rng.random()
        stock = rng.randrange(30, 80) if stock < 5 else stock + 2 if roll > 0.9 else max(0, stock - rng.randrange(4))
        StockHistory.objects.create(
            product=product, variant=variant, stock_quantity=stock, availability="in_stock", recorded_at=at
        )
        if rng.random() < 0.5:
            price += rng.choice((Decimal(-5), Decimal(5)))
            PriceHistory.objects.create(product=product, variant=variant, price=price, currency="UZS", recorded_at=at)


@pytest.mark.parametrize("days", [1, 7, 30, 90])
@pytest.mark.parametrize("hour", [0, 13])
def test_sellers_and_categories_equal_postgresqls(busy_market, now, monkeypatch, days, hour):
    at = now.replace(hour=hour, minute=0, second=0)

    sellers = _on_both(monkeypatch, lambda: research_sellers(supplier="uzum", days=days, now=at))
    categories = _on_both(monkeypatch, lambda: research_categories(supplier="uzum", days=days, now=at, top=3))

    assert sellers[1] == sellers[0]
    assert categories[1] == categories[0]
    if days >= 30:
        assert all(row["revenue"] > 0 and row["units_low"] < row["units_high"] for row in sellers[0])


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_sales_of_every_product_equal_postgresqls(busy_market, now, monkeypatch, days):
    period = Period.last(days=days, now=now)
    products = Product.objects.all()

    figures = _on_both(monkeypatch, lambda: sales_by_periods(products=products, periods=[period, period.previous]))

    assert figures[1] == figures[0]
    assert len(figures[0][0]) == 30


@pytest.mark.parametrize("days", [1, 7, 30, 90])
def test_best_deals_equal_postgresqls(busy_market, now, monkeypatch, days):
    deals = _on_both(monkeypatch, lambda: research_best_deals(supplier="uzum", days=days, limit=100, now=now))

    assert deals[1] == deals[0]
    assert len(deals[0]) >= 3


def test_the_hand_checked_market_gives_the_same_figures_off_postgresql(market, now, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")

    rows = research_sellers(supplier="uzum", days=30, now=now)

    assert [(r["name"], r["units"], r["revenue"], r["previous_revenue"], r["growth_pct"]) for r in rows] == [
        ("Alpha", 3, Decimal("300"), Decimal("200"), Decimal("50.00")),
        ("Beta", 1, Decimal("50"), Decimal("0"), None),
    ]


@pytest.mark.parametrize("endpoint", ["sellers", "categories", "best-deals"])
def test_the_endpoints_answer_off_postgresql(auth_client, market, monkeypatch, endpoint):
    monkeypatch.setattr(connection, "vendor", "sqlite")

    response = auth_client.get(BASE + endpoint, {"supplier": "uzum"})

    assert response.status_code == 200
    assert response.json()["results"] or endpoint == "best-deals"
