from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from catalog.models import Availability
from tests.factories import PriceHistoryFactory, ProductVariantFactory, StockHistoryFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def price_readings(product, days, **fields):
    return [PriceHistoryFactory(product=product, recorded_at=T0 + timedelta(days=day), **fields) for day in days]


def test_price_history_is_newest_first(auth_client, user, track):
    product = track(user)
    price_readings(product, [0, 2, 1])

    body = rows(auth_client.get(f"/api/v1/products/{product.pk}/price-history"))

    assert [row["recorded_at"] for row in body] == [
        "2026-01-03T00:00:00Z",
        "2026-01-02T00:00:00Z",
        "2026-01-01T00:00:00Z",
    ]


def test_price_history_shows_only_this_products_readings(auth_client, user, track):
    product = track(user)
    other = track(user)
    price_readings(product, [0], price=Decimal("5.00"))
    price_readings(other, [0], price=Decimal("7.00"))

    assert [row["price"] for row in rows(auth_client.get(f"/api/v1/products/{product.pk}/price-history"))] == ["5.00"]


def test_since_is_inclusive_and_until_is_exclusive(auth_client, user, track):
    product = track(user)
    price_readings(product, [0, 1, 2, 3])

    body = rows(
        auth_client.get(
            f"/api/v1/products/{product.pk}/price-history",
            {"since": "2026-01-02T00:00:00Z", "until": "2026-01-04T00:00:00Z"},
        )
    )

    assert [row["recorded_at"][:10] for row in body] == ["2026-01-03", "2026-01-02"]


def test_variant_filter_returns_that_skus_readings(auth_client, user, track):
    product = track(user)
    red = ProductVariantFactory(product=product, sku="RED")
    blue = ProductVariantFactory(product=product, sku="BLUE")
    price_readings(product, [0])
    price_readings(product, [1], variant=red, price=Decimal("11.00"))
    price_readings(product, [2], variant=blue, price=Decimal("12.00"))

    body = rows(auth_client.get(f"/api/v1/products/{product.pk}/price-history", {"variant": "RED"}))

    assert [(row["variant"], row["price"]) for row in body] == [("RED", "11.00")]


def test_without_variant_filter_every_reading_names_its_variant(auth_client, user, track):
    product = track(user)
    red = ProductVariantFactory(product=product, sku="RED")
    price_readings(product, [0])
    price_readings(product, [1], variant=red)

    body = rows(auth_client.get(f"/api/v1/products/{product.pk}/price-history"))

    assert [row["variant"] for row in body] == ["RED", None]


def test_invalid_since_is_a_validation_error(auth_client, user, track):
    product = track(user)

    response = auth_client.get(f"/api/v1/products/{product.pk}/price-history", {"since": "last tuesday"})

    assert response.status_code == 400
    assert "since" in response.json()["error"]["details"]


def test_history_pages_with_a_cursor_newest_first(auth_client, user, track):
    product = track(user)
    price_readings(product, range(5))

    first = auth_client.get(f"/api/v1/products/{product.pk}/price-history", {"page_size": 2}).json()
    second = auth_client.get(first["next"]).json()

    assert [row["recorded_at"][:10] for row in first["results"] + second["results"]] == [
        "2026-01-05",
        "2026-01-04",
        "2026-01-03",
        "2026-01-02",
    ]


def test_history_of_another_users_tracked_product_is_not_found(auth_client, other_user, track):
    theirs = track(other_user)
    price_readings(theirs, [0])
    StockHistoryFactory(product=theirs)

    assert auth_client.get(f"/api/v1/products/{theirs.pk}/price-history").status_code == 404
    assert auth_client.get(f"/api/v1/products/{theirs.pk}/stock-history").status_code == 404


def test_stock_history_is_newest_first_with_time_and_variant_filters(auth_client, user, track):
    product = track(user)
    red = ProductVariantFactory(product=product, sku="RED")
    for day, quantity in [(0, 9), (1, 3), (2, 0)]:
        StockHistoryFactory(
            product=product,
            variant=red,
            stock_quantity=quantity,
            availability=Availability.OUT_OF_STOCK if quantity == 0 else Availability.IN_STOCK,
            recorded_at=T0 + timedelta(days=day),
        )
    StockHistoryFactory(product=product, recorded_at=T0 + timedelta(days=1))

    body = rows(
        auth_client.get(
            f"/api/v1/products/{product.pk}/stock-history", {"variant": "RED", "since": "2026-01-02T00:00:00Z"}
        )
    )

    assert [(row["stock_quantity"], row["availability"]) for row in body] == [(0, "out_of_stock"), (3, "in_stock")]
