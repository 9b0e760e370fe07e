from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Availability, TrackedProduct
from tests.factories import ProductFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_list_shows_only_products_the_user_tracks(auth_client, user, other_user, track):
    mine = track(user)
    track(other_user)
    ProductFactory()

    assert ids(auth_client.get("/api/v1/products")) == [mine.pk]


def test_a_product_tracked_by_both_users_appears_once_for_each(auth_client, other_client, user, other_user, track):
    shared = track(user)
    track(other_user, product=shared)

    assert ids(auth_client.get("/api/v1/products")) == [shared.pk]
    assert ids(other_client.get("/api/v1/products")) == [shared.pk]


def test_list_row_carries_the_users_tracking_fields(auth_client, user, track):
    product = track(user, images=["https://img.example/1.jpg", "https://img.example/2.jpg"])
    TrackedProduct.objects.filter(user=user, product=product).update(label="summer")

    row = auth_client.get("/api/v1/products").json()["results"][0]

    assert row["supplier"] == "amazon"
    assert row["image"] == "https://img.example/1.jpg"
    assert row["label"] == "summer"
    assert row["tracked_since"] is not None
    assert row["price"] == "19.99"


def test_default_order_is_most_recently_tracked_first(auth_client, user, track):
    first = track(user)
    second = track(user)
    TrackedProduct.objects.filter(product=first).update(created_at=timezone.now() - timedelta(days=2))

    assert ids(auth_client.get("/api/v1/products")) == [second.pk, first.pk]


def test_filter_by_supplier_slug(auth_client, user, track):
    track(user, supplier=SupplierFactory(slug="amazon"))
    uzum = track(user, supplier=SupplierFactory(slug="uzum"))

    assert ids(auth_client.get("/api/v1/products", {"supplier": "uzum"})) == [uzum.pk]


def test_filter_by_one_or_more_availabilities(auth_client, user, track):
    track(user, availability=Availability.IN_STOCK)
    out = track(user, availability=Availability.OUT_OF_STOCK)
    low = track(user, availability=Availability.LOW_STOCK)

    response = auth_client.get("/api/v1/products", {"availability": ["out_of_stock", "low_stock"]})

    assert sorted(ids(response)) == sorted([out.pk, low.pk])


def test_unknown_availability_is_a_validation_error(auth_client):
    response = auth_client.get("/api/v1/products", {"availability": "teleported"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert "availability" in response.json()["error"]["details"]


def test_filter_by_price_range_is_inclusive(auth_client, user, track):
    track(user, price=Decimal("5.00"))
    ten = track(user, price=Decimal("10.00"))
    twenty = track(user, price=Decimal("20.00"))
    track(user, price=Decimal("20.01"))

    response = auth_client.get("/api/v1/products", {"price_min": "10", "price_max": "20"})

    assert sorted(ids(response)) == sorted([ten.pk, twenty.pk])


@pytest.mark.parametrize(
    ("term", "match"),
    [("kettle", "title"), ("ZOJIRUSHI", "brand"), ("b0kettle", "external_id")],
)
def test_search_matches_title_brand_or_external_id(auth_client, user, track, term, match):
    fields = {"title": "Electric Kettle", "brand": "Zojirushi", "external_id": "B0KETTLE01"}
    wanted = track(user, **{match: fields[match]})
    track(user, title="Toaster", brand="Acme", external_id="B0TOAST001")

    assert ids(auth_client.get("/api/v1/products", {"search": term})) == [wanted.pk]


def test_search_requires_every_word(auth_client, user, track):
    both = track(user, title="Steel Kettle", brand="Zojirushi")
    track(user, title="Steel Pan", brand="Acme")

    assert ids(auth_client.get("/api/v1/products", {"search": "steel zojirushi"})) == [both.pk]


def test_order_by_price_puts_unpriced_products_first_ascending(auth_client, user, track):
    dear = track(user, price=Decimal("30.00"))
    cheap = track(user, price=Decimal("3.00"))
    unpriced = track(user, price=None)

    assert ids(auth_client.get("/api/v1/products", {"ordering": "price"})) == [unpriced.pk, cheap.pk, dear.pk]
    assert ids(auth_client.get("/api/v1/products", {"ordering": "-price"})) == [dear.pk, cheap.pk, unpriced.pk]


def test_order_by_title(auth_client, user, track):
    b = track(user, title="Bravo")
    a = track(user, title="Alpha")

    assert ids(auth_client.get("/api/v1/products", {"ordering": "title"})) == [a.pk, b.pk]


def test_unknown_ordering_falls_back_to_default(auth_client, user, track):
    first = track(user)
    second = track(user)

    assert ids(auth_client.get("/api/v1/products", {"ordering": "description"})) == [second.pk, first.pk]


def test_cursor_pages_through_price_ordering_with_nulls_without_gaps(auth_client, user, track):
    prices = [None, None, Decimal("1.00"), Decimal("1.00"), Decimal("2.00"), None, Decimal("3.00")]
    expected = {track(user, price=price).pk for price in prices}
    seen = []
    url = "/api/v1/products?ordering=-price&page_size=2"
    while url:
        body = auth_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]

    assert len(seen) == len(expected)
    assert set(seen) == expected


def test_list_requires_authentication(user, track):
    track(user)

    assert APIClient().get("/api/v1/products").status_code == 401


def test_list_query_count_does_not_grow_with_products(auth_client, user, track, django_assert_num_queries):
    track(user)
    with CaptureQueriesContext(connection) as one_product:
        assert len(ids(auth_client.get("/api/v1/products"))) == 1
    for _ in range(9):
        track(user, supplier=SupplierFactory(slug=f"supplier-{_}"))

    with django_assert_num_queries(len(one_product.captured_queries)):
        assert len(ids(auth_client.get("/api/v1/products"))) == 10
