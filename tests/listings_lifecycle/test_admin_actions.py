"""Admin actions move listings through the same services, and report the refused ones."""

import pytest
from django.test import Client
from django.urls import reverse

from listings.models import Listing, PriceDecision
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def run_action(client: Client, action: str, *listings: Listing):
    url = reverse("admin:listings_listing_changelist")
    return client.post(url, {"action": action, "_selected_action": [x.pk for x in listings]}, follow=True)


def test_pause_action_pauses_active_listings_and_reports_the_refused(admin_client):
    active, ended = ListingFactory(status=Listing.Status.ACTIVE), ListingFactory(status=Listing.Status.ENDED)

    response = run_action(admin_client, "pause_listings", active, ended)

    active.refresh_from_db()
    ended.refresh_from_db()
    assert (active.status, active.status_reason) == ("paused", "manual_pause")
    assert ended.status == "ended"
    assert ended.sku in response.content.decode()


def test_reprice_action_records_a_decision_per_listing(admin_client):
    listing = ListingFactory()

    run_action(admin_client, "reprice_listings", listing)

    assert PriceDecision.objects.get(listing=listing).trigger == "admin"
