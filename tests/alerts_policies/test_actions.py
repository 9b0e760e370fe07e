"""Rules act on the rule owner's listings of the product, within the rule's scope, and nowhere else."""

from decimal import Decimal

import pytest

from alerts.models import PolicyAction, PolicyKind
from catalog.models import Availability
from listings.models import Listing
from tests.alerts_policies.conftest import change
from tests.factories import ListingFactory, PolicyRuleFactory, StoreAccountFactory, TrackedProductFactory

pytestmark = pytest.mark.django_db


def out_of_stock(product) -> None:
    product.availability, product.stock_quantity = Availability.OUT_OF_STOCK, 0
    product.save()


def back_in_stock(product) -> None:
    product.availability, product.stock_quantity = Availability.IN_STOCK, 9
    product.save()


def status(listing) -> str:
    listing.refresh_from_db()
    return listing.status


def test_out_of_stock_pauses_the_owners_active_listings_only(user, other_user, product, rule_for, run):
    mine = ListingFactory(user=user, product=product, status="active")
    theirs = ListingFactory(user=other_user, product=product, status="active")
    unrelated = ListingFactory(user=user, status="active")
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE)
    out_of_stock(product)

    [outcome] = run()

    assert (status(mine), status(theirs), status(unrelated)) == ("paused", "active", "active")
    assert mine.status_reason == "out_of_stock"
    assert outcome.actions == [{"listing": mine.pk, "action": "pause", "result": "done"}]


def test_out_of_stock_can_zero_the_quantity_instead_of_pausing(user, other_user, product, rule_for, run):
    mine = ListingFactory(user=user, product=product, status="active", quantity=5)
    theirs = ListingFactory(user=other_user, product=product, status="active", quantity=5)
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.ZERO_QUANTITY)
    out_of_stock(product)

    run()

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, mine.quantity) == ("active", 0)
    assert theirs.quantity == 5


def test_back_in_stock_resumes_listings_paused_for_stock(user, other_user, product, rule_for, run):
    stock_paused = ListingFactory(user=user, product=product, status="paused", status_reason="out_of_stock")
    manual = ListingFactory(user=user, product=product, status="paused", status_reason="manual_pause")
    theirs = ListingFactory(user=other_user, product=product, status="paused", status_reason="out_of_stock")
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)

    run(change(old_stock=0, old_availability="out_of_stock"))

    assert (status(stock_paused), status(manual), status(theirs)) == ("active", "paused", "paused")
    assert stock_paused.status_reason == "back_in_stock"


def test_pause_then_resume_round_trip_through_two_rules(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active")
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)
    out_of_stock(product)
    run()
    assert status(listing) == "paused"
    back_in_stock(product)

    run()

    assert status(listing) == "active"


def test_back_in_stock_does_not_resume_a_listing_another_rule_still_holds(user, product, rule_for, run):
    listing = ListingFactory(user=user, product=product, status="active", price=Decimal("100"))
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE)
    rule_for(kind=PolicyKind.PRICE_CEILING, threshold=Decimal("10"), action=PolicyAction.PAUSE)
    rule_for(kind=PolicyKind.BACK_IN_STOCK, action=PolicyAction.RESUME)
    out_of_stock(product)
    run()
    Listing.objects.filter(pk=listing.pk).update(status_reason="out_of_stock")
    back_in_stock(product)

    run()

    assert status(listing) == "paused"


def test_a_store_scoped_rule_acts_only_on_that_stores_listings(user, product, run):
    store = StoreAccountFactory(user=user)
    in_store = ListingFactory(user=user, store_account=store, product=product, status="active")
    elsewhere = ListingFactory(user=user, product=product, status="active")
    PolicyRuleFactory(
        user=user, kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE, threshold=None, store_account=store
    )
    out_of_stock(product)

    run()

    assert (status(in_store), status(elsewhere)) == ("paused", "active")


def test_a_store_scoped_rule_without_listings_in_that_store_does_not_alert(user, product, tracked, run):
    store = StoreAccountFactory(user=user)
    PolicyRuleFactory(user=user, kind=PolicyKind.OUT_OF_STOCK, threshold=None, store_account=store)
    out_of_stock(product)

    assert run() == []


def test_low_margin_pauses_only_the_listing_below_the_margin(user, product, rule_for, run):
    thin = ListingFactory(user=user, product=product, status="active", price=Decimal("21.00"))
    fat = ListingFactory(user=user, product=product, status="active", price=Decimal("40.00"))
    rule_for(kind=PolicyKind.LOW_MARGIN, threshold=Decimal("20"), action=PolicyAction.PAUSE)

    run()

    assert (status(thin), status(fat)) == ("paused", "active")
    assert thin.status_reason == "low_margin"


def test_a_paused_listing_is_nothing_to_do_for_pause(user, product, rule_for, run):
    ListingFactory(user=user, product=product, status="paused", status_reason="manual_pause")
    rule_for(kind=PolicyKind.OUT_OF_STOCK, action=PolicyAction.PAUSE)
    out_of_stock(product)

    [outcome] = run()

    assert outcome.holds
    assert outcome.actions == []


def test_rules_of_a_user_who_neither_tracks_nor_lists_the_product_do_not_run(other_user, product, run):
    PolicyRuleFactory(user=other_user, kind=PolicyKind.OUT_OF_STOCK, threshold=None)
    out_of_stock(product)

    assert run() == []


def test_every_user_tracking_the_product_gets_their_own_alert(user, other_user, product, rule_for, run):
    TrackedProductFactory(user=other_user, product=product)
    rule_for(kind=PolicyKind.OUT_OF_STOCK)
    PolicyRuleFactory(user=other_user, kind=PolicyKind.OUT_OF_STOCK, threshold=None)
    out_of_stock(product)

    outcomes = run()

    assert sorted(o.alerted for o in outcomes) == [True, True]
    assert user.alerts.count() == 1
    assert other_user.alerts.count() == 1
