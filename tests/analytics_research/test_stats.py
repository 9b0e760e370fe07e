"""The stats overview: what is collected and how fresh it is."""

from datetime import timedelta

import pytest

from analytics.research import research_stats
from catalog.models import PriceHistory, StockHistory
from tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, SellerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_counts_readings_of_the_last_day_and_freshness(uzum, now):
    hours = [1, 3, 5]
    products = [ProductFactory(supplier=uzum, last_scraped_at=now - timedelta(hours=h)) for h in hours]
    ProductFactory(supplier=uzum, last_scraped_at=None, is_gone=True)
    ProductVariantFactory(product=products[0])
    ProductVariantFactory(product=products[0])
    SellerFactory(supplier=uzum)
    CategoryFactory(supplier=uzum)
    PriceHistory.objects.create(product=products[0], price=1, recorded_at=now - timedelta(hours=2))
    PriceHistory.objects.create(product=products[0], price=2, recorded_at=now - timedelta(days=2))
    StockHistory.objects.create(product=products[1], availability="in_stock", recorded_at=now - timedelta(hours=1))
    ProductFactory(supplier=SupplierFactory(slug="amazon"), last_scraped_at=now - timedelta(days=30))

    stats = research_stats(supplier="uzum", now=now)

    assert stats == {
        "products": 4,
        "products_gone": 1,
        "skus": 2,
        "sellers": 1,
        "categories": 1,
        "price_readings_last_day": 1,
        "stock_readings_last_day": 1,
        "oldest_scrape_age_seconds": 5 * 3600,
        "median_scrape_age_seconds": 3 * 3600,
    }


def test_an_empty_catalogue_has_no_freshness(db, now):
    stats = research_stats(now=now)

    assert (stats["products"], stats["oldest_scrape_age_seconds"], stats["median_scrape_age_seconds"]) == (
        0,
        None,
        None,
    )
