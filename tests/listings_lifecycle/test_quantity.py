"""Out of stock without pausing, and offering stock again."""

import pytest

from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from listings.models import Listing
from listings.services import listing_restore_quantity, listing_set_quantity_zero
from tests.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_set_quantity_zero_keeps_the_status_and_records_the_quantity_reason():
    listing = ListingFactory(status=Listing.Status.ACTIVE, quantity=5, status_reason="marketplace_confirmed")

    listing = listing_set_quantity_zero(listing=listing, reason="out_of_stock")

    listing.refresh_from_db()
    assert (listing.status, listing.quantity, listing.quantity_reason) == ("active", 0, "out_of_stock")
    assert listing.status_reason == "marketplace_confirmed"
    entry = AuditLog.objects.get(object_id=str(listing.pk))
    assert entry.changes["quantity"] == [5, 0]
    assert entry.changes["quantity_reason"] == ["", "out_of_stock"]


@pytest.mark.parametrize("status_reason", ["manual_pause", "low_margin", "policy"])
def test_a_quantity_change_never_rewrites_why_a_listing_is_paused(status_reason):
    listing = ListingFactory(status=Listing.Status.PAUSED, status_reason=status_reason, quantity=5)

    listing_set_quantity_zero(listing=listing, reason="out_of_stock")
    listing = listing_restore_quantity(listing=listing)

    listing.refresh_from_db()
    assert (listing.status, listing.status_reason) == ("paused", status_reason)
    assert (listing.quantity, listing.quantity_reason) == (25, "back_in_stock")


def test_set_quantity_zero_twice_writes_one_audit_entry():
    listing = ListingFactory(status=Listing.Status.ACTIVE, quantity=5)

    listing_set_quantity_zero(listing=listing, reason="out_of_stock")
    listing_set_quantity_zero(listing=listing, reason="out_of_stock")

    assert AuditLog.objects.filter(object_id=str(listing.pk)).count() == 1


@pytest.mark.parametrize("status", [Listing.Status.ENDED, Listing.Status.DELISTED])
def test_set_quantity_zero_is_refused_on_a_closed_listing(status):
    listing = ListingFactory(status=status, quantity=5)

    with pytest.raises(ServiceError) as exc:
        listing_set_quantity_zero(listing=listing, reason="out_of_stock")

    assert exc.value.code == "illegal_transition"


def test_restore_quantity_offers_the_supplier_stock_capped_by_max_quantity():
    listing = ListingFactory(status=Listing.Status.ACTIVE, quantity=0, max_quantity=3, product=ProductFactory())

    listing = listing_restore_quantity(listing=listing)

    assert (listing.quantity, listing.quantity_reason) == (3, "back_in_stock")


def test_restore_quantity_offers_nothing_while_the_supplier_is_out_of_stock():
    product = ProductFactory(availability="out_of_stock", stock_quantity=0)
    listing = ListingFactory(status=Listing.Status.ACTIVE, quantity=0, product=product)

    assert listing_restore_quantity(listing=listing).quantity == 0
