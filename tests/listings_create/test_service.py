"""`listing_create`: a pending listing of a tracked product on the user's store, priced at once."""

from decimal import Decimal

import pytest

from dropship_central.api.exceptions import ServiceError
from dropship_central.models import AuditLog
from listings.models import Listing
from listings.services import listing_create
from marketplaces.models import StoreAccount
from tests.factories import (
    ListingFactory,
    PricingRuleFactory,
    ProductFactory,
    StoreAccountFactory,
    TrackedProductFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


def create(user, product, store, **data) -> Listing:
    return listing_create(user=user, product=product, store_account=store, data=data)


def refused(user, product, store, **data) -> ServiceError:
    with pytest.raises(ServiceError) as exc:
        create(user, product, store, **data)
    return exc.value


def test_a_new_listing_is_pending_priced_and_audited(user, product, store, rule):
    listing = create(user, product, store)

    assert (listing.status, listing.user, listing.store_account) == ("pending", user, store)
    assert (listing.price, listing.currency, listing.quantity) == (D("15.00"), store.currency, 25)
    [decision] = listing.price_decisions.all()
    assert (decision.trigger, decision.outcome, decision.rule_id) == ("created", "applied", rule.pk)
    entry = AuditLog.objects.get(object_id=str(listing.pk), action=AuditLog.Action.CREATE)
    assert (entry.actor, entry.changes["product"]) == (user, [None, product.pk])
    product.refresh_from_db()
    assert product.is_listed


def test_defaults_sku_from_supplier_and_external_id_and_cuts_the_title_for_ebay(user, product, store, rule):
    listing = create(user, product, store)

    assert listing.sku == f"AMAZON-{product.external_id}"
    assert listing.title == "A" * 80


def test_shopify_keeps_a_longer_title(user, product, rule):
    shop = StoreAccountFactory(user=user, marketplace=StoreAccount.Marketplace.SHOPIFY)

    assert create(user, product, shop).title == "A" * 100


def test_listing_the_same_product_again_in_a_store_gets_the_next_free_sku(user, product, store, rule):
    first, second = create(user, product, store), create(user, product, store)

    assert second.sku == f"{first.sku}-2"


def test_given_fields_are_kept(user, product, store, rule):
    listing = create(user, product, store, sku="MY-SKU", title="Short", description="Nice", max_quantity=3)

    assert (listing.sku, listing.title, listing.description, listing.quantity) == ("MY-SKU", "Short", "Nice", 3)


def test_a_sku_already_in_the_store_is_refused(user, product, store, rule):
    ListingFactory(user=user, store_account=store, sku="TAKEN")

    error = refused(user, product, store, sku="TAKEN")

    assert (error.code, list(error.details)) == ("validation_error", ["sku"])


def test_a_title_past_the_marketplace_limit_is_refused(user, product, store, rule):
    assert list(refused(user, product, store, title="B" * 81).details) == ["title"]


def test_unknown_fields_are_refused(user, product, store, rule):
    assert list(refused(user, product, store, price=D("1.00")).details) == ["price"]


def test_a_product_the_user_does_not_track_is_not_found(user, store, rule):
    error = refused(user, ProductFactory(), store)

    assert (error.code, error.status_code) == ("not_found", 404)
    assert not Listing.objects.exists()


def test_another_users_store_is_not_found(user, other_user, product, rule):
    error = refused(user, product, StoreAccountFactory(user=other_user))

    assert (error.code, error.status_code) == ("not_found", 404)


def test_another_users_pricing_rule_is_refused(user, other_user, product, store, rule):
    error = refused(user, product, store, pricing_rule=PricingRuleFactory(user=other_user))

    assert list(error.details) == ["pricing_rule"]


def test_a_disconnected_store_is_refused_with_409(user, product, rule):
    store = StoreAccountFactory(user=user, status=StoreAccount.Status.DISCONNECTED)

    error = refused(user, product, store)

    assert (error.code, error.status_code) == ("store_disconnected", 409)


def test_a_store_needing_reconnection_can_still_hold_pending_listings(user, product, rule):
    store = StoreAccountFactory(user=user, status=StoreAccount.Status.RECONNECT_NEEDED)

    assert create(user, product, store).status == "pending"


def test_the_tier_quota_counts_open_listings_only(user, product, store, rule, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "listings": 2}}
    ListingFactory(user=user, store_account=store, status="active")
    ListingFactory(user=user, store_account=store, status="ended")
    create(user, product, store)

    error = refused(user, product, store)

    assert (error.code, error.status_code) == ("quota_exceeded", 403)
    assert Listing.objects.filter(user=user).count() == 3


def test_quota_is_per_user(user, other_user, product, store, rule, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "listings": 1}}
    ListingFactory(user=other_user, status="active")

    assert create(user, product, store).pk is not None


def test_without_a_rule_the_listing_is_created_with_a_refused_first_decision(user, product, store):
    listing = create(user, product, store)

    assert listing.price is None
    assert listing.price_decisions.get().refusal_code == "no_rule"


def test_the_other_user_can_list_the_same_product_on_their_store(user, other_user, product, store, rule):
    TrackedProductFactory(user=other_user, product=product)
    other_store = StoreAccountFactory(user=other_user)

    mine, theirs = create(user, product, store), create(other_user, product, other_store)

    assert (mine.user, theirs.user, theirs.sku) == (user, other_user, mine.sku)
