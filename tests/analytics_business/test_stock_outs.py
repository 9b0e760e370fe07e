import pytest

from catalog.models import Availability
from catalog.rollups import rollups_rebuild
from tests.analytics_business.conftest import RANGE, at
from tests.factories import ListingFactory, ProductFactory, StockHistoryFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/stock-outs"


def test_stock_out_days_and_the_revenue_they_likely_cost(auth_client, shop):
    products = auth_client.get(URL, RANGE).json()["products"]

    assert products == [
        {
            "product_id": shop.p1.pk,
            "title": "Desk lamp",
            "open_days": 10,
            "stock_out_days": 3,
            "in_stock_days": 7,
            "average_daily_revenue": "18.57",
            "estimated_lost_revenue": "55.71",
        },
        {
            "product_id": shop.p2.pk,
            "title": "Phone stand",
            "open_days": 9,
            "stock_out_days": 3,
            "in_stock_days": 6,
            "average_daily_revenue": "8.33",
            "estimated_lost_revenue": "25.00",
        },
    ]


def test_days_after_a_listing_ended_are_not_stock_out_days(auth_client, shop):
    shop.l3.status = "ended"
    shop.l3.ended_at = shop.l3.published_at.replace(day=3)
    shop.l3.save()

    products = auth_client.get(URL, RANGE).json()["products"]

    by_id = {row["product_id"]: row for row in products}
    assert (by_id[shop.p2.pk]["open_days"], by_id[shop.p2.pk]["stock_out_days"]) == (2, 2)


def test_a_listing_never_published_opens_no_days(auth_client, shop, user):
    product = ProductFactory()
    StockHistoryFactory(product=product, availability=Availability.UNAVAILABLE, recorded_at=at("02-01"))
    listing = ListingFactory(user=user, product=product, published_at=None)
    rollups_rebuild(product_ids=[product.pk])

    assert auth_client.get(URL, {**RANGE, "product": product.pk}).json()["products"] == []

    listing.published_at = at("03-09", "12:00")
    listing.save()
    products = auth_client.get(URL, {**RANGE, "product": product.pk}).json()["products"]
    assert [(row["open_days"], row["stock_out_days"]) for row in products] == [(2, 2)]
