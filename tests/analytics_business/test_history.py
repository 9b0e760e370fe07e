import pytest

from tests.factories import ProductVariantFactory, TrackedProductFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/history"
DAYS = {"from": "2026-03-01", "to": "2026-03-10"}


def points(series: dict) -> list[tuple]:
    return [(p["at"], p["min"], p["max"], p["avg"], p["readings"]) for p in series["points"]]


def test_daily_price_history_with_min_max_and_average(auth_client, price_flicker):
    body = auth_client.get(URL, {**DAYS, "product": price_flicker.pk}).json()

    price = body["price"]
    assert (price["min"], price["max"], price["avg"], price["readings"]) == ("19.00", "22.00", "20.50", 4)
    assert points(price) == [
        ("2026-03-01T00:00:00Z", "20.00", "22.00", "21.00", 3),
        ("2026-03-02T00:00:00Z", "19.00", "19.00", "19.00", 1),
    ]
    assert body["product"]["title"] == "Phone stand"


def test_hourly_price_history_buckets_by_hour(auth_client, price_flicker):
    body = auth_client.get(URL, {**DAYS, "product": price_flicker.pk, "resolution": "hourly"}).json()

    assert points(body["price"]) == [
        ("2026-03-01T10:00:00Z", "20.00", "22.00", "21.00", 2),
        ("2026-03-01T14:00:00Z", "21.00", "21.00", "21.00", 1),
        ("2026-03-02T09:00:00Z", "19.00", "19.00", "19.00", 1),
    ]


def test_raw_history_lists_every_product_level_reading(auth_client, price_flicker):
    body = auth_client.get(URL, {**DAYS, "product": price_flicker.pk, "resolution": "raw"}).json()

    assert [p["avg"] for p in body["price"]["points"]] == ["20.00", "22.00", "21.00", "19.00"]


def test_stock_history_summarises_quantities_in_the_range(auth_client, shop):
    stock = auth_client.get(URL, {**DAYS, "product": shop.p2.pk}).json()["stock"]

    assert (stock["min"], stock["max"], stock["avg"], stock["readings"]) == ("9.00", "12.00", "10.50", 2)
    assert [p["at"] for p in stock["points"]] == ["2026-03-04T00:00:00Z", "2026-03-06T00:00:00Z"]


def test_history_of_an_untracked_product_is_404(auth_client, shop):
    response = auth_client.get(URL, {**DAYS, "product": shop.p1.pk})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_another_user_gets_404_for_a_product_only_a_tracks(other_client, shop):
    assert other_client.get(URL, {**DAYS, "product": shop.p2.pk}).status_code == 404


def test_the_other_user_sees_history_once_tracking_it(other_client, shop, price_flicker):
    TrackedProductFactory(user=shop.other, product=shop.p2)

    assert other_client.get(URL, {**DAYS, "product": shop.p2.pk}).json()["price"]["readings"] == 4


@pytest.mark.parametrize("resolution", ["daily", "hourly", "raw"])
def test_one_skus_history_is_its_own(auth_client, price_flicker, resolution):
    variant = price_flicker.variants.get()

    body = auth_client.get(
        URL, {**DAYS, "product": price_flicker.pk, "variant": variant.pk, "resolution": resolution}
    ).json()

    assert body["variant"] == {"id": variant.pk, "sku": variant.sku, "title": variant.title}
    assert (body["price"]["min"], body["price"]["max"], body["price"]["readings"]) == ("99.00", "99.00", 1)
    assert [p["avg"] for p in body["price"]["points"]] == ["99.00"]


def test_the_products_own_history_names_no_sku(auth_client, price_flicker):
    assert auth_client.get(URL, {**DAYS, "product": price_flicker.pk}).json()["variant"] is None


def test_an_sku_of_another_product_is_404(auth_client, shop, price_flicker):
    other = ProductVariantFactory(product=shop.p1)

    response = auth_client.get(URL, {**DAYS, "product": price_flicker.pk, "variant": other.pk})

    assert response.status_code == 404
    assert f"has no SKU {other.pk}" in response.json()["error"]["message"]
