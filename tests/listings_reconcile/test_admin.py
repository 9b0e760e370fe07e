import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.listings_reconcile.factories import ImportedOrderFactory

pytestmark = pytest.mark.django_db

BASE = "/admin/marketplaces/importedorder/"


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def test_imported_orders_are_listed_and_viewable_but_not_editable(admin_client):
    record = ImportedOrderFactory()

    assert admin_client.get(BASE).status_code == 200
    page = admin_client.get(f"{BASE}{record.pk}/change/")
    assert page.status_code == 200
    assert record.order_id in page.content.decode()
    assert admin_client.get(f"{BASE}add/").status_code == 403
    assert admin_client.post(f"{BASE}{record.pk}/delete/", {"post": "yes"}).status_code == 403
