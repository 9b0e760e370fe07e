"""Back in stock undoes only what stock did: a listing paused by hand, for margin or by a policy stays paused,
and only a quantity zeroed for stock is restored."""

from decimal import Decimal

import pytest

from alerts.models import PolicyAction, PolicyKind
from catalog.models import Availability
from listings.models import Listing
from listings.services import listing_pause
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def out_of_stock(product) -> None:
    product.availability, product.stock_quantity = Availability.OUT_OF_STOCK, 0
    product.save()


def back_in_stock(product) -> None:
    product.availability, product.stock_quantity = Availability.IN_STOCK, 9
    product.save()


def fresh(listing: Listing) -> Listing:
    listing.refresh_from_db()
    return listing


@pytest.fixture
def stock_rules(rule_for):
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.ZERO_QUANTITY)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)


def test_a_manual_pause_survives_zero_quantity_and_back_in_stock(user, product, stock_rules, run):
    listing = ListingFactory(user=user, product=product, status="active", quantity=5)
    listing_pause(listing=listing, reason="manual_pause", actor=user)
    out_of_stock(product)
    run()
    assert (fresh(listing).quantity, listing.status_reason, listing.quantity_reason) == (
        0,
        "manual_pause",
        "out_of_stock",
    )
    back_in_stock(product)

    run()

    listing = fresh(listing)
    assert (listing.status, listing.status_reason) == ("paused", "manual_pause")
    assert (listing.quantity, listing.quantity_reason) == (9, "back_in_stock")


@pytest.mark.parametrize("reason", ["low_margin", "policy", "price_ceiling"])
def test_a_margin_or_policy_pause_survives_back_in_stock(user, product, stock_rules, run, reason):
    listing = ListingFactory(user=user, product=product, status="paused", status_reason=reason, quantity=5)
    out_of_stock(product)
    run()
    back_in_stock(product)

    run()

    listing = fresh(listing)
    assert (listing.status, listing.status_reason, listing.quantity) == ("paused", reason, 9)


def test_a_firing_low_margin_pause_keeps_the_listing_paused_but_lets_its_quantity_back(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active", price=Decimal("21.00"), quantity=5)
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("20"), action=PolicyAction.PAUSE)
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.ZERO_QUANTITY)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)
    run()
    out_of_stock(product)
    run()
    assert (fresh(listing).status, listing.status_reason, listing.quantity) == ("paused", "low_margin", 0)
    back_in_stock(product)

    run()

    listing = fresh(listing)
    assert (listing.status, listing.status_reason, listing.quantity) == ("paused", "low_margin", 9)


def test_a_listing_paused_for_stock_is_resumed_and_its_zeroed_quantity_restored(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active", quantity=5)
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE)
    rule_for(kind=PolicyKind.LOW_STOCK, threshold=Decimal("1"), action=PolicyAction.ZERO_QUANTITY)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)
    out_of_stock(product)
    run()
    assert (fresh(listing).status, listing.quantity) == ("paused", 0)
    back_in_stock(product)

    run()

    listing = fresh(listing)
    assert (listing.status, listing.status_reason, listing.quantity) == ("active", "back_in_stock", 9)


def test_a_still_firing_zero_quantity_rule_keeps_the_quantity_at_zero(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active", quantity=5)
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("10"), action=PolicyAction.ZERO_QUANTITY)
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.ZERO_QUANTITY)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)
    out_of_stock(product)
    run()
    back_in_stock(product)

    run()

    assert fresh(listing).quantity == 0
