"""Two workers moving the same listing at once: exactly one wins."""

import threading

import pytest
from django.db import connection

from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from listings import services
from listings.models import Listing
from tests.factories import ListingFactory


def race(monkeypatch, listing: Listing, *movers) -> list[object]:
    """Run each mover in its own thread; both read the current status before either writes."""
    barrier = threading.Barrier(len(movers), timeout=10)
    original = services._compare_and_set
    first_call = threading.local()

    def synchronized(*args, **kwargs):
        if not getattr(first_call, "done", False):
            first_call.done = True
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "_compare_and_set", synchronized)
    results: list[object] = [None] * len(movers)

    def run(index: int) -> None:
        try:
            results[index] = movers[index](Listing.objects.get(pk=listing.pk))
        except ServiceError as exc:
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(movers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pauses_one_wins_and_the_other_is_refused(monkeypatch):
    listing = ListingFactory(status=Listing.Status.ACTIVE)

    def pause(obj: Listing) -> Listing:
        return services.listing_pause(listing=obj, reason="low_margin")

    results = race(monkeypatch, listing, pause, pause)

    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(refused) == 1
    assert refused[0].code == "illegal_transition"
    assert AuditLog.objects.filter(object_id=str(listing.pk)).count() == 1
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PAUSED


@pytest.mark.django_db(transaction=True)
def test_pause_racing_delist_ends_in_exactly_one_final_state(monkeypatch):
    listing = ListingFactory(status=Listing.Status.ACTIVE)

    def pause(obj: Listing) -> Listing:
        return services.listing_pause(listing=obj, reason="out_of_stock")

    def delist(obj: Listing) -> Listing:
        return services.listing_delist(listing=obj, reason="supplier_gone")

    race(monkeypatch, listing, pause, delist)

    listing.refresh_from_db()
    audited = [e.changes["status"] for e in AuditLog.objects.filter(object_id=str(listing.pk)).order_by("pk")]
    # Delist wins outright (pause refused), or pause wins and delist retries from the paused state.
    assert listing.status == Listing.Status.DELISTED
    assert audited in ([["active", "delisted"]], [["active", "paused"], ["paused", "delisted"]])
