"""`/api/v1/analytics/research/price-comparison?format=csv`: each group with its cheapest offer's columns."""

import csv
import io
from decimal import Decimal

import pytest

from tests.factories import ProductFactory, SellerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/research/price-comparison"
CHEAPEST = [
    "cheapest_product_id",
    "cheapest_external_id",
    "cheapest_seller_id",
    "cheapest_seller",
    "cheapest_price",
    "cheapest_url",
]


def test_the_csv_names_the_cheapest_offer_of_each_group(auth_client, uzum):
    alpha, beta = SellerFactory(supplier=uzum, name="Alpha"), SellerFactory(supplier=uzum, name="Beta")
    ProductFactory(supplier=uzum, title="USB-C cable 1m", price=Decimal("100"), currency="UZS", seller=alpha)
    cheap = ProductFactory(supplier=uzum, title="usb c cable 1M", price=Decimal("80"), currency="UZS", seller=beta)
    cheapest = auth_client.get(URL, {"supplier": "uzum"}).json()["results"][0]["cheapest"]

    response = auth_client.get(URL, {"supplier": "uzum", "format": "csv"})

    assert response.status_code == 200
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(row)[-len(CHEAPEST) :] == CHEAPEST
    assert "all_offers" not in row
    assert (row["cheapest_seller"], row["cheapest_seller_id"], row["cheapest_product_id"]) == (
        "Beta",
        str(beta.pk),
        str(cheap.pk),
    )
    assert Decimal(row["cheapest_price"]) == Decimal("80")
    assert (row["cheapest_external_id"], row["cheapest_url"]) == (cheap.external_id, cheapest["url"])
    assert row["min_price"] == row["cheapest_price"]
