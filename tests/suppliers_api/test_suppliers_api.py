import pytest
from rest_framework.test import APIClient

from suppliers.models import Supplier
from tests.factories import ProxyFactory, SupplierFactory

pytestmark = pytest.mark.django_db

PUBLIC_FIELDS = {"slug", "name", "requests_per_minute", "concurrency", "freshness_seconds"}


def test_list_shows_only_active_suppliers_ordered_by_slug(auth_client):
    SupplierFactory(slug="uzum")
    SupplierFactory(slug="amazon")
    SupplierFactory(slug="retired", is_active=False)

    response = auth_client.get("/api/v1/suppliers")

    assert response.status_code == 200
    assert [row["slug"] for row in response.json()["results"]] == ["amazon", "uzum"]


def test_supplier_shows_public_fields_only(auth_client):
    supplier = SupplierFactory(slug="amazon", config={"api_secret": "do-not-leak"}, requests_per_minute=30)
    ProxyFactory(supplier=supplier, username="proxy-user", password="proxy-pass")

    body = auth_client.get("/api/v1/suppliers/amazon").json()

    assert set(body) == PUBLIC_FIELDS
    assert body["requests_per_minute"] == 30
    assert "do-not-leak" not in str(body)
    assert "proxy" not in str(body).lower()


def test_detail_of_inactive_supplier_is_not_found(auth_client):
    SupplierFactory(slug="retired", is_active=False)

    response = auth_client.get("/api/v1/suppliers/retired")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail_of_unknown_supplier_is_not_found(auth_client):
    response = auth_client.get("/api/v1/suppliers/nowhere")

    assert response.status_code == 404


def test_suppliers_require_authentication():
    response = APIClient().get("/api/v1/suppliers")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_suppliers_are_read_only(auth_client):
    SupplierFactory(slug="amazon")

    response = auth_client.patch("/api/v1/suppliers/amazon", {"name": "Mine"})

    assert response.status_code == 405
    assert Supplier.objects.get(slug="amazon").name == "Amazon"


def test_trailing_slash_is_not_routed(auth_client):
    SupplierFactory(slug="amazon")

    assert auth_client.get("/api/v1/suppliers/").status_code == 404
