"""The admin's add form creates a listing through `listing_create`: same checks, quota and first decision."""

import pytest
from django.test import Client
from django.urls import reverse

from dropship_central.models import AuditLog
from listings.models import Listing
from tests.factories import ListingFactory, ProductFactory, StoreAccountFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = "admin:listings_listing_add"


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form(user, product, store, **extra) -> dict:
    return {"user": user.pk, "product": product.pk, "store_account": store.pk, "sku": "", "title": "", **extra}


def test_the_add_page_shows_only_what_a_new_listing_needs(operator):
    response = operator.get(reverse(ADD))

    assert response.status_code == 200
    fields = set(response.context["adminform"].form.fields)
    assert fields == {"user", "product", "store_account", "sku", "title", "description", "max_quantity", "pricing_rule"}


def test_adding_creates_a_priced_pending_listing_audited_as_the_operator(operator, user, product, store, rule):
    response = operator.post(reverse(ADD), form(user, product, store))

    assert response.status_code == 302
    listing = Listing.objects.get()
    assert (listing.user, listing.status, listing.sku) == (user, "pending", f"AMAZON-{product.external_id}")
    assert listing.price_decisions.get().trigger == "created"
    entry = AuditLog.objects.get(object_id=str(listing.pk), action=AuditLog.Action.CREATE)
    assert entry.actor.is_superuser


def test_a_product_the_customer_does_not_track_is_refused_on_the_form(operator, user, store, rule):
    response = operator.post(reverse(ADD), form(user, ProductFactory(), store))

    assert response.status_code == 200
    assert "No tracked product" in response.content.decode()
    assert not Listing.objects.exists()


def test_another_customers_store_is_refused_on_the_form(operator, user, other_user, product, rule):
    response = operator.post(reverse(ADD), form(user, product, StoreAccountFactory(user=other_user)))

    assert response.status_code == 200
    assert not Listing.objects.exists()


def test_a_taken_sku_is_shown_on_its_field(operator, user, product, store, rule):
    ListingFactory(user=user, store_account=store, sku="TAKEN")

    response = operator.post(reverse(ADD), form(user, product, store, sku="TAKEN"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sku"] == ["This store already has a listing with this SKU."]
    assert Listing.objects.count() == 1


def test_the_customers_quota_is_shown_on_the_form(operator, user, product, store, rule, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "listings": 1}}
    ListingFactory(user=user, store_account=store, status="active")

    response = operator.post(reverse(ADD), form(user, product, store))

    assert response.status_code == 200
    assert "plan allows 1 listings" in response.content.decode()
