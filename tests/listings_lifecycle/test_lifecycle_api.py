"""`POST /api/v1/listings/{id}/pause|resume|end` for the listing's owner, with manual reasons."""

import pytest

from dropship_central.models import AuditLog
from listings.models import Listing
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/listings"


@pytest.mark.parametrize(
    ("action", "source", "target", "reason"),
    [
        ("pause", "active", "paused", "manual_pause"),
        ("resume", "paused", "active", "manual_resume"),
        ("end", "active", "ended", "ended_by_user"),
        ("end", "paused", "ended", "ended_by_user"),
    ],
)
def test_owner_moves_the_listing_with_a_manual_reason(auth_client, user, action, source, target, reason):
    listing = ListingFactory(user=user, status=source)

    response = auth_client.post(f"{URL}/{listing.id}/{action}")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == (target, reason)
    assert AuditLog.objects.get(object_id=str(listing.pk)).actor == user


def test_an_illegal_move_answers_409_naming_from_and_to(auth_client, user):
    listing = ListingFactory(user=user, status=Listing.Status.ENDED)

    response = auth_client.post(f"{URL}/{listing.id}/resume")

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert (error["details"]["from"], error["details"]["to"]) == ("ended", "active")


@pytest.mark.parametrize("action", ["pause", "resume", "end"])
def test_another_users_listing_is_not_found(other_client, user, action):
    listing = ListingFactory(user=user, status=Listing.Status.ACTIVE)

    response = other_client.post(f"{URL}/{listing.id}/{action}")

    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
