"""Force sync and push history through the API and the admin; another user's listing is 404."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dropship_central.models import Job
from listings.models import Listing, ListingPush
from listings.sync import SYNC_JOB
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory, StoreAccountFactory, UserFactory
from tests.listings_sync.conftest import published

pytestmark = pytest.mark.django_db


@pytest.fixture
def account(user) -> StoreAccount:
    return StoreAccountFactory(user=user)


def test_force_sync_lifts_the_flag_and_enqueues_the_stores_sync(auth_client, account):
    listing = published(account, 1, sync_flagged_at=timezone.now(), sync_failures=5)

    response = auth_client.post(f"/api/v1/listings/{listing.pk}/sync")

    assert response.status_code == 202
    assert response.json()["type"] == SYNC_JOB
    listing.refresh_from_db()
    assert listing.sync_flagged_at is None
    assert listing.sync_failures == 0
    assert (listing.pushed_price, listing.pushed_quantity) == (None, None)
    assert Job.objects.filter(type=SYNC_JOB, payload={"store_account_id": account.pk}).count() == 1


def test_force_sync_of_an_unpublished_listing_is_refused(auth_client, user):
    listing = ListingFactory(user=user)

    response = auth_client.post(f"/api/v1/listings/{listing.pk}/sync")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_published"


def test_force_sync_on_a_disconnected_store_is_refused(auth_client, account):
    listing = published(account, 1)
    StoreAccount.objects.filter(pk=account.pk).update(status=StoreAccount.Status.DISCONNECTED)

    response = auth_client.post(f"/api/v1/listings/{listing.pk}/sync")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "store_not_connected"


def test_push_history_newest_first_with_the_last_marketplace_response(auth_client, account):
    listing = published(account, 1, last_response={"status": "ok", "sent": {"quantity": 0}})
    for quantity in (3, 0):
        ListingPush.objects.create(
            listing=listing, kind="update", status="success", quantity_before=5, quantity_after=quantity
        )

    pushes = auth_client.get(f"/api/v1/listings/{listing.pk}/pushes").json()["results"]
    detail = auth_client.get(f"/api/v1/listings/{listing.pk}").json()

    assert [push["quantity_after"] for push in pushes] == [0, 3]
    assert detail["last_response"] == {"status": "ok", "sent": {"quantity": 0}}
    assert detail["sync_flagged_at"] is None


@pytest.mark.parametrize("action", ["sync", "publish", "pause", "resume", "end"])
def test_another_users_listing_is_404(other_client, account, action):
    listing = published(account, 1)

    assert other_client.post(f"/api/v1/listings/{listing.pk}/{action}").status_code == 404


def test_another_users_push_history_is_404(other_client, account):
    listing = published(account, 1)

    assert other_client.get(f"/api/v1/listings/{listing.pk}/pushes").status_code == 404


def test_admin_shows_pushes_and_forces_a_sync(client, account):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = published(account, 1, sync_flagged_at=timezone.now())
    ListingPush.objects.create(listing=listing, kind="update", status="failed", error="25001: A system error")

    page = client.get(reverse("admin:listings_listing_change", args=[listing.pk]))
    response = client.post(
        reverse("admin:listings_listing_changelist"),
        {"action": "sync_listings", "_selected_action": [listing.pk]},
        follow=True,
    )

    assert b"25001: A system error" in page.content
    assert response.status_code == 200
    assert Listing.objects.get(pk=listing.pk).sync_flagged_at is None
    assert Decimal("20.00") == Listing.objects.get(pk=listing.pk).price
