"""Publishing a pending listing: priced by its rules, sent to the store, active only once the marketplace confirms."""

from decimal import Decimal

import pytest

from dropship_central.api.exceptions import ServiceError
from dropship_central.models import Job
from listings.jobs import listing_publish_run
from listings.models import Listing, ListingPush
from listings.publishing import PUBLISH_JOB, PublishRefused, listing_publish, listing_publish_now
from marketplaces.models import StoreAccount
from marketplaces.plugins.base import MarketplaceDownError
from marketplaces.plugins.ebay import PrerequisitesMissingError
from tests.factories import (
    ListingFactory,
    PricingRuleFactory,
    ProductFactory,
    StoreAccountFactory,
    TrackedProductFactory,
)
from tests.marketplaces.ebay.fake_ebay import ebay_error

pytestmark = pytest.mark.django_db


def pending(account: StoreAccount, **values) -> Listing:
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=7)
    TrackedProductFactory(user=account.user, product=product)
    PricingRuleFactory(user=account.user, markup_percent=Decimal("50"), fee_percent=0, fixed_fee=0, rounding="none")
    return ListingFactory(user=account.user, store_account=account, product=product, sku="DS-PUB-1", **values)


def test_a_confirmed_ebay_publish_makes_the_listing_active_with_its_ids(ebay_account, fake_ebay):
    listing = pending(ebay_account, price=None, quantity=0)

    result = listing_publish_run(listing_id=listing.pk)

    listing.refresh_from_db()
    assert result["status"] == listing.status == Listing.Status.ACTIVE
    assert listing.status_reason == "marketplace_confirmed"
    assert listing.external_id == fake_ebay.state.listings[listing.offer_id]
    assert listing.external_url.endswith(listing.external_id)
    assert listing.price == Decimal("15.00")
    assert (listing.pushed_price, listing.pushed_quantity) == (Decimal("15.00"), 7)
    offer = fake_ebay.state.offers[listing.offer_id]
    assert offer["pricingSummary"]["price"]["value"] == "15.00"
    assert offer["availableQuantity"] == 7
    push = ListingPush.objects.get(listing=listing)
    assert (push.kind, push.status, push.price_after) == ("publish", "success", Decimal("15.00"))


def test_missing_ebay_prerequisites_keep_the_listing_pending_with_the_reason(ebay_account, fake_ebay):
    fake_ebay.state.policies["return"] = []
    fake_ebay.state.locations = []
    listing = pending(ebay_account)

    with pytest.raises(PrerequisitesMissingError) as raised:
        listing_publish_now(listing_id=listing.pk)

    assert raised.value.permanent
    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING
    assert "a return policy" in listing.last_error
    assert "an enabled inventory location" in listing.last_error
    assert listing.external_id == ""
    assert ListingPush.objects.get(listing=listing).status == ListingPush.Status.FAILED


def test_an_offer_ebay_refuses_stays_pending_with_ebays_message(ebay_account, fake_ebay):
    fake_ebay.fail_next(
        "POST", r"/sell/inventory/v1/offer/[^/]+/publish", ebay_error(400, 25020, "Invalid category ID.")
    )
    listing = pending(ebay_account)

    with pytest.raises(Exception, match="25020"):
        listing_publish_now(listing_id=listing.pk)

    listing.refresh_from_db()
    assert listing.status == Listing.Status.PENDING
    assert "25020: Invalid category ID." in listing.last_error


def test_a_marketplace_outage_is_transient_and_a_retry_publishes_once(ebay_account, fake_ebay):
    down = ebay_error(503, 25001, "A system error has occurred.")
    fake_ebay.fail_next("POST", r"/sell/inventory/v1/offer/[^/]+/publish", down, down)
    listing = pending(ebay_account)

    with pytest.raises(MarketplaceDownError):
        listing_publish_now(listing_id=listing.pk)
    listing_publish_now(listing_id=listing.pk)

    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert len(fake_ebay.state.offers) == 1


def test_publishing_again_after_confirmation_only_activates(ebay_account, fake_ebay):
    listing = pending(ebay_account, external_id="110000000042", offer_id="9042")

    listing_publish_now(listing_id=listing.pk)

    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE
    assert fake_ebay.requests == []


def test_a_store_that_is_not_connected_is_refused(ebay_account, fake_ebay, user):
    listing = pending(ebay_account)
    StoreAccount.objects.filter(pk=ebay_account.pk).update(status=StoreAccount.Status.RECONNECT_NEEDED)
    listing.refresh_from_db()

    with pytest.raises(ServiceError) as refused:
        listing_publish(listing=listing, actor=user)
    with pytest.raises(PublishRefused):
        listing_publish_now(listing_id=listing.pk)

    assert refused.value.code == "store_not_connected"
    assert fake_ebay.requests == []
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.PENDING


def test_a_listing_without_a_price_from_the_rules_is_not_sent(ebay_account, fake_ebay):
    listing = pending(ebay_account)
    listing.product.price = None
    listing.product.save()

    with pytest.raises(PublishRefused, match="no price"):
        listing_publish_now(listing_id=listing.pk)

    assert fake_ebay.requests == []


def test_a_confirmed_shopify_publish_records_product_and_variant(shopify_account, shop):
    listing = pending(shopify_account, price=None)

    listing_publish_now(listing_id=listing.pk)

    listing.refresh_from_db()
    assert listing.status == Listing.Status.ACTIVE
    assert listing.external_id in shop.products
    assert shop.products[listing.external_id]["status"] == "ACTIVE"
    assert shop.variants[listing.offer_id]["price"] == "15.00"


class TestRequest:
    def test_publish_enqueues_one_sync_job_per_listing(self, user):
        listing = pending(StoreAccountFactory(user=user))

        first = listing_publish(listing=listing, actor=user)
        again = listing_publish(listing=listing, actor=user)

        assert first.pk == again.pk
        assert (first.type, first.queue, first.payload) == (PUBLISH_JOB, "sync", {"listing_id": listing.pk})

    def test_only_a_pending_listing_can_be_published(self, user):
        listing = pending(StoreAccountFactory(user=user), status=Listing.Status.ACTIVE)

        with pytest.raises(ServiceError) as refused:
            listing_publish(listing=listing, actor=user)

        assert refused.value.code == "illegal_transition"

    def test_an_untracked_product_is_refused(self, user):
        account = StoreAccountFactory(user=user)
        listing = ListingFactory(user=user, store_account=account)

        with pytest.raises(ServiceError) as refused:
            listing_publish(listing=listing, actor=user)

        assert refused.value.code == "product_not_tracked"
        assert not Job.objects.filter(type=PUBLISH_JOB).exists()


class TestApi:
    def test_publish_answers_202_with_the_job(self, auth_client, user):
        listing = pending(StoreAccountFactory(user=user))

        response = auth_client.post(f"/api/v1/listings/{listing.pk}/publish")

        assert response.status_code == 202
        assert response.json()["type"] == PUBLISH_JOB

    def test_publishing_an_active_listing_is_409(self, auth_client, user):
        listing = pending(StoreAccountFactory(user=user), status=Listing.Status.ACTIVE)

        response = auth_client.post(f"/api/v1/listings/{listing.pk}/publish")

        assert response.status_code == 409
        assert response.json()["error"]["code"] == "illegal_transition"

    def test_another_users_listing_is_404(self, other_client, user):
        listing = pending(StoreAccountFactory(user=user))

        assert other_client.post(f"/api/v1/listings/{listing.pk}/publish").status_code == 404
        assert not Job.objects.filter(type=PUBLISH_JOB).exists()
