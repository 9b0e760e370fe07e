import pytest

from dropship_central.api.exceptions import ServiceError
from listings.services import listing_update
from tests.factories import ListingFactory, PricingRuleFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db


def test_update_refuses_another_users_rule_even_without_the_api(user, other_user):
    listing = ListingFactory(user=user)

    with pytest.raises(ServiceError) as exc:
        listing_update(listing=listing, actor=user, data={"pricing_rule": PricingRuleFactory(user=other_user)})

    assert exc.value.code == "validation_error"
    assert "pricing_rule" in exc.value.details


def test_update_refuses_a_rule_scoped_to_another_store(user):
    listing = ListingFactory(user=user)
    rule = PricingRuleFactory(user=user, store_account=StoreAccountFactory(user=user))

    with pytest.raises(ServiceError) as exc:
        listing_update(listing=listing, actor=user, data={"pricing_rule": rule})

    assert exc.value.details == {"pricing_rule": ["This pricing rule belongs to another store."]}


def test_update_accepts_a_rule_scoped_to_the_listings_store(user):
    listing = ListingFactory(user=user)
    rule = PricingRuleFactory(user=user, store_account=listing.store_account)

    updated = listing_update(listing=listing, actor=user, data={"pricing_rule": rule})

    assert updated.pricing_rule_id == rule.id


def test_update_refuses_status(user):
    listing = ListingFactory(user=user)

    with pytest.raises(ServiceError) as exc:
        listing_update(listing=listing, actor=user, data={"status": "active"})

    assert "status" in exc.value.details
    listing.refresh_from_db()
    assert listing.status == "pending"
