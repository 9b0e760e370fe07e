from decimal import Decimal

import pytest

from catalog.models import Category, Seller
from tests.factories import ProductFactory, ProductVariantFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def test_detail_shows_variants_seller_category_images_and_tracking(auth_client, user, track):
    supplier = SupplierFactory(slug="uzum")
    seller = Seller.objects.create(supplier=supplier, external_id="s1", name="Tashkent Goods")
    category = Category.objects.create(supplier=supplier, external_id="c1", name="Kettles", path="Home > Kettles")
    product = track(user, supplier=supplier, seller=seller, category=category, images=["https://img.example/k.jpg"])
    ProductVariantFactory(product=product, sku="RED", price=Decimal("21.00"), attributes={"Color": "Red"})
    ProductVariantFactory(product=product, sku="BLUE")

    body = auth_client.get(f"/api/v1/products/{product.pk}").json()

    assert body["seller_name"] == "Tashkent Goods"
    assert body["category_path"] == ["Home", "Kettles"]
    assert body["images"] == ["https://img.example/k.jpg"]
    assert [variant["sku"] for variant in body["variants"]] == ["BLUE", "RED"]
    assert body["variants"][1]["price"] == "21.00"
    assert body["variants"][1]["attributes"] == {"Color": "Red"}
    assert body["tracked_since"] is not None
    assert body["last_scraped_at"] is not None


def test_detail_prefers_the_scraped_category_path(auth_client, user, track):
    product = track(user, category_path=["Electronics", "Audio", "Headphones"])

    assert auth_client.get(f"/api/v1/products/{product.pk}").json()["category_path"] == [
        "Electronics",
        "Audio",
        "Headphones",
    ]


def test_detail_without_seller_or_category(auth_client, user, track):
    product = track(user)

    body = auth_client.get(f"/api/v1/products/{product.pk}").json()

    assert body["seller_name"] is None
    assert body["category_path"] == []
    assert body["variants"] == []


def test_detail_of_another_users_tracked_product_is_not_found(auth_client, other_user, track):
    theirs = track(other_user)

    response = auth_client.get(f"/api/v1/products/{theirs.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail_of_an_untracked_catalog_product_is_not_found(auth_client):
    product = ProductFactory()

    assert auth_client.get(f"/api/v1/products/{product.pk}").status_code == 404


def test_detail_of_a_missing_product_is_not_found(auth_client):
    assert auth_client.get("/api/v1/products/987654321").status_code == 404


def test_non_numeric_product_id_is_not_routed(auth_client):
    assert auth_client.get("/api/v1/products/abc").status_code == 404
