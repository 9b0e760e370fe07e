"""The listing state machine: every legal and illegal move, with reason, timestamp and audit entry."""

import pytest

from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from listings import services
from listings.models import Listing
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db
S = Listing.Status

SERVICES = {
    "activate": (services.listing_activate, "marketplace_confirmed"),
    "pause": (services.listing_pause, "low_margin"),
    "resume": (services.listing_resume, "back_in_stock"),
    "end": (services.listing_end, "ended_by_user"),
    "delist": (services.listing_delist, "supplier_gone"),
}
LEGAL = {
    ("activate", S.PENDING): S.ACTIVE,
    ("pause", S.ACTIVE): S.PAUSED,
    ("resume", S.PAUSED): S.ACTIVE,
    ("end", S.PENDING): S.ENDED,
    ("end", S.ACTIVE): S.ENDED,
    ("end", S.PAUSED): S.ENDED,
    ("delist", S.PENDING): S.DELISTED,
    ("delist", S.ACTIVE): S.DELISTED,
    ("delist", S.PAUSED): S.DELISTED,
}
TARGETS = {"activate": S.ACTIVE, "pause": S.PAUSED, "resume": S.ACTIVE, "end": S.ENDED, "delist": S.DELISTED}
ILLEGAL = sorted((name, status) for name in SERVICES for status in S.values if (name, status) not in LEGAL)


def move(name: str, listing: Listing, **kwargs) -> Listing:
    service, reason = SERVICES[name]
    return service(listing=listing, reason=kwargs.pop("reason", reason), **kwargs)


@pytest.mark.parametrize(("name", "source"), sorted(LEGAL))
def test_legal_transition_moves_and_records_reason_and_time(name, source):
    listing = ListingFactory(status=source)

    moved = move(name, listing)

    moved.refresh_from_db()
    assert moved.status == LEGAL[(name, source)]
    assert moved.status_reason == SERVICES[name][1]
    assert moved.status_changed_at is not None


@pytest.mark.parametrize(("name", "source"), sorted(LEGAL))
def test_legal_transition_writes_an_audit_entry_with_old_and_new_status(name, source, user):
    listing = ListingFactory(status=source)

    move(name, listing, actor=user)

    entry = AuditLog.objects.get(object_id=str(listing.pk), message__startswith="listing ")
    assert entry.actor == user
    assert entry.changes["status"] == [source, LEGAL[(name, source)]]
    assert entry.changes["status_reason"] == [None, SERVICES[name][1]]


@pytest.mark.parametrize(("name", "source"), ILLEGAL)
def test_illegal_transition_is_refused_naming_from_and_to(name, source):
    listing = ListingFactory(status=source)

    with pytest.raises(ServiceError) as exc:
        move(name, listing)

    assert (exc.value.code, exc.value.status_code) == ("illegal_transition", 409)
    assert exc.value.details["from"] == source
    assert exc.value.details["to"] == TARGETS[name]
    listing.refresh_from_db()
    assert listing.status == source
    assert not AuditLog.objects.filter(object_id=str(listing.pk)).exists()


def test_activation_stamps_published_at_once():
    listing = services.listing_activate(listing=ListingFactory(status=S.PENDING))
    first = listing.published_at
    services.listing_pause(listing=listing, reason="manual_pause")

    resumed = services.listing_resume(listing=listing, reason="manual_resume")

    assert first is not None
    assert resumed.published_at == first


@pytest.mark.parametrize("name", ["end", "delist"])
def test_terminal_moves_stamp_ended_at(name):
    assert move(name, ListingFactory(status=S.ACTIVE)).ended_at is not None


def test_an_unknown_reason_is_refused():
    listing = ListingFactory(status=S.ACTIVE)

    with pytest.raises(ServiceError) as exc:
        services.listing_pause(listing=listing, reason="because")

    assert exc.value.code == "invalid_reason"
    listing.refresh_from_db()
    assert listing.status == S.ACTIVE


def test_a_stale_listing_object_cannot_repeat_a_transition():
    listing = ListingFactory(status=S.ACTIVE)
    stale = Listing.objects.get(pk=listing.pk)
    services.listing_pause(listing=listing, reason="manual_pause")

    with pytest.raises(ServiceError) as exc:
        services.listing_pause(listing=stale, reason="manual_pause")

    assert exc.value.details["from"] == S.PAUSED
