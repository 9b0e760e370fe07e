"""Off PostgreSQL (the embedded SQLite default), price comparison and stats work without PostgreSQL-only SQL."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from analytics.research import research_stats
from tests.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/research/"


@pytest.fixture
def on_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")


def test_price_comparison_needs_no_postgresql(auth_client, uzum, on_sqlite):
    for seller_name, price in (("Alpha", "100"), ("Beta", "80")):
        seller = SellerFactory(supplier=uzum, name=seller_name)
        ProductFactory(supplier=uzum, title="USB-C cable 1m", price=Decimal(price), currency="UZS", seller=seller)

    response = auth_client.get(BASE + "price-comparison", {"supplier": "uzum"})

    assert response.status_code == 200
    assert [row["cheapest"]["price"] for row in response.json()["results"]] == ["80.00"]


def test_stats_median_age_in_python_equals_postgresqls(market, monkeypatch):
    now = timezone.now()
    on_postgresql = research_stats(supplier="uzum", now=now)
    monkeypatch.setattr(connection, "vendor", "sqlite")

    elsewhere = research_stats(supplier="uzum", now=now)

    assert on_postgresql["median_scrape_age_seconds"] is not None
    assert elsewhere == on_postgresql
