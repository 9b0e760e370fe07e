"""Research reads cover the research marketplaces only (Uzum): another customer's private imports from other
suppliers (Amazon, AliExpress) never appear, by title, seller, category or count."""

from datetime import timedelta
from decimal import Decimal

import pytest

from catalog.models import PriceHistory, TrackedProduct
from catalog.rollups import rollups_rebuild
from tests.factories import CategoryFactory, ProductFactory, SellerFactory, SupplierFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/analytics/research/"


@pytest.fixture
def private_import(other_user, now):
    """Another customer's tracked Amazon product: priced below its own history, with a seller and a category."""
    amazon = SupplierFactory(slug="amazon", name="Amazon")
    product = ProductFactory(
        supplier=amazon,
        title="USB-C cable 1m",
        price=Decimal("5"),
        list_price=Decimal("50"),
        currency="UZS",
        seller=SellerFactory(supplier=amazon, name="Private Seller"),
        category=CategoryFactory(supplier=amazon, name="Private Category", path="Private Category"),
        last_scraped_at=now,
    )
    PriceHistory.objects.create(product=product, price=Decimal("20"), currency="UZS", recorded_at=now - timedelta(40))
    PriceHistory.objects.create(product=product, price=Decimal("5"), currency="UZS", recorded_at=now - timedelta(1))
    rollups_rebuild(product_ids=[product.pk])
    TrackedProduct.objects.create(user=other_user, product=product)
    return product


@pytest.fixture
def uzum_offers(market, uzum, now):
    """The same cable from both Uzum sellers (one cheaper than its own history: a deal)."""
    for seller, price in ((market["a"], "12"), (market["b"], "9")):
        product = ProductFactory(
            supplier=uzum, seller=seller, title="USB-C cable 1m", price=Decimal(price), currency="UZS"
        )
        for days, value in ((40, "12"), (1, price)):
            PriceHistory.objects.create(
                product=product, price=Decimal(value), currency="UZS", recorded_at=now - timedelta(days)
            )
        rollups_rebuild(product_ids=[product.pk])


@pytest.mark.parametrize("endpoint", ["sellers", "categories", "price-comparison", "best-deals"])
def test_another_customers_private_import_never_appears(auth_client, uzum_offers, private_import, endpoint):
    response = auth_client.get(BASE + endpoint, {"limit": 500})

    assert response.status_code == 200
    assert response.json()["results"], "the Uzum market is listed"
    text = response.content.decode()
    for secret in ("Private Seller", "Private Category", f'"product_id":{private_import.pk},', '"price":"5.00"'):
        assert secret not in text


def test_stats_count_the_research_catalogue_only(auth_client, market, private_import):
    body = auth_client.get(BASE + "stats").json()

    assert (body["products"], body["sellers"], body["categories"]) == (3, 2, 3)  # the market fixture's


@pytest.mark.parametrize("endpoint", ["sellers", "categories", "price-comparison", "best-deals", "stats"])
def test_a_supplier_that_is_no_research_marketplace_is_refused(auth_client, private_import, endpoint):
    response = auth_client.get(BASE + endpoint, {"supplier": "amazon"})

    assert response.status_code == 400
    assert "is not a research marketplace; choose one of: uzum" in response.content.decode()
