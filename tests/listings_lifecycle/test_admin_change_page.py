"""The listing change page: what services own is read-only, and the pricing trail shows its reasons."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from listings.models import Listing
from tests.factories import ListingFactory, UserFactory
from tests.listings_pricing.factories import PriceDecisionFactory

pytestmark = pytest.mark.django_db
SERVICE_OWNED = {"price", "compare_at_price", "quantity", "currency", "user", "store_account", "product"}


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def change_url(listing: Listing) -> str:
    return reverse("admin:listings_listing_change", args=[listing.pk])


def test_price_quantity_and_ownership_are_not_editable(admin_client):
    listing = ListingFactory()

    response = admin_client.get(change_url(listing))

    assert response.status_code == 200
    editable = set(response.context["adminform"].form.fields)
    assert not editable & SERVICE_OWNED
    assert {"title", "description", "max_quantity", "sku"} <= editable


def test_posting_a_price_on_the_change_page_leaves_the_price_alone(admin_client):
    listing = ListingFactory(price=Decimal("29.99"), quantity=5)
    form = {"sku": listing.sku, "title": "Renamed", "description": "", "price": "1.00", "quantity": "99"}
    form.update({f"{prefix}-{key}": "0" for prefix in ("pushes", "price_decisions") for key in ("TOTAL_FORMS",)})
    form.update({f"{prefix}-INITIAL_FORMS": "0" for prefix in ("pushes", "price_decisions")})

    response = admin_client.post(change_url(listing), form)

    listing.refresh_from_db()
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (listing.title, listing.price, listing.quantity) == ("Renamed", Decimal("29.99"), 5)


def test_the_decision_inline_shows_the_reading_and_the_formula_and_links_the_whole_trail(admin_client):
    listing = ListingFactory()
    PriceDecisionFactory(
        listing=listing,
        price_history_id=4242,
        formula_price=Decimal("17.31"),
        floor_price=Decimal("12.34"),
        fx_rate=Decimal("1.0800000000"),
        compare_at_before=Decimal("35.55"),
    )

    page = admin_client.get(change_url(listing)).content.decode()

    for header in ("Reading at", "Price history id", "Formula price", "Floor price", "Fx rate", "Compare at before"):
        assert header in page
    for value in ("4242", "17.31", "12.34", "1.08", "35.55"):
        assert value in page
    decisions = reverse("admin:listings_pricedecision_changelist")
    assert f"{decisions}?listing__id__exact={listing.pk}" in page
