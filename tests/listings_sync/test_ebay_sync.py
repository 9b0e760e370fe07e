"""The sync engine against the loopback eBay: what is sent, in which order, in how many calls, and what is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from listings.models import Listing, ListingPush
from listings.sync import SyncInterrupted, store_account_sync
from marketplaces.models import StoreAccount
from tests.listings_sync.conftest import BULK, bulk_requests, published, sent
from tests.loopback import Reply
from tests.marketplaces.ebay.fake_ebay import ebay_error

pytestmark = pytest.mark.django_db


def test_a_changed_listing_is_pushed_and_its_pushed_state_recorded(ebay_account, fake_ebay):
    listing = published(ebay_account, 1, price=Decimal("24.99"), pushed_price=Decimal("20.00"), pushed_quantity=3)

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert result.pushed == 1
    assert [sent(r) for r in bulk_requests(fake_ebay)[0]] == [{"sku": "SKU-00001", "price": "24.99", "quantity": 5}]
    listing.refresh_from_db()
    assert (listing.pushed_price, listing.pushed_quantity) == (Decimal("24.99"), 5)
    assert listing.last_synced_at is not None
    assert listing.sync_lease_until is None
    assert listing.last_response["status"] == "ok"
    push = ListingPush.objects.get(listing=listing)
    assert (push.kind, push.status, push.price_before, push.price_after) == (
        "update",
        "success",
        Decimal("20.00"),
        Decimal("24.99"),
    )
    assert (push.quantity_before, push.quantity_after) == (3, 5)


def test_listings_already_in_step_send_nothing(ebay_account, fake_ebay):
    published(ebay_account, 1)
    published(ebay_account, 2, status=Listing.Status.PENDING, external_id="", pushed_price=None)

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert (result.pushed, result.calls) == (0, 0)
    assert fake_ebay.seen("POST", BULK) == []


def test_stock_outs_go_first_then_price_rises_then_price_drops(ebay_account, fake_ebay):
    published(ebay_account, 1, price=Decimal("18.00"))  # drop from 20.00
    published(ebay_account, 2, price=Decimal("22.00"))  # rise
    published(ebay_account, 3, quantity=0)  # stock-out
    published(ebay_account, 4, price=Decimal("17.00"))  # drop
    published(ebay_account, 5, quantity=9)  # more stock

    store_account_sync(store_account_id=ebay_account.pk)

    skus = [r["sku"] for r in bulk_requests(fake_ebay)[0]]
    assert skus == ["SKU-00003", "SKU-00002", "SKU-00005", "SKU-00001", "SKU-00004"]


def test_stock_outs_are_in_the_first_bulk_call_when_many_listings_change(ebay_account, fake_ebay):
    for number in range(30):
        published(ebay_account, number, price=Decimal("15.00"))  # 30 price drops
    published(ebay_account, 99, quantity=0)

    store_account_sync(store_account_id=ebay_account.pk)

    calls = bulk_requests(fake_ebay)
    assert calls[0][0]["sku"] == "SKU-00099"
    assert [len(call) for call in calls] == [25, 6]


def test_batches_fill_ebays_bulk_limit_of_25(ebay_account, fake_ebay):
    for number in range(60):
        published(ebay_account, number, quantity=7)

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert [len(call) for call in bulk_requests(fake_ebay)] == [25, 25, 10]
    assert result.calls == 3
    assert result.pushed == 60


def test_only_the_newest_desired_state_is_sent(ebay_account, fake_ebay):
    listing = published(ebay_account, 1)
    for price in ("21.00", "23.00", "25.00"):
        Listing.objects.filter(pk=listing.pk).update(price=Decimal(price))

    store_account_sync(store_account_id=ebay_account.pk)

    assert [sent(r)["price"] for call in bulk_requests(fake_ebay) for r in call] == ["25.00"]


def test_price_moves_inside_the_deadband_are_not_pushed(ebay_account, fake_ebay, settings):
    settings.SYNC_PRICE_DEADBAND_PERCENT = "0.5"
    published(ebay_account, 1, price=Decimal("100.40"), pushed_price=Decimal("100.00"))  # 0.4 % < 0.5 %
    published(ebay_account, 2, price=Decimal("100.50"), pushed_price=Decimal("100.00"))  # 0.5 %: pushed
    published(ebay_account, 3, price=Decimal("1.01"), pushed_price=Decimal("1.00"))  # the 0.01 minimum: pushed

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert sorted(sent(r)["sku"] for call in bulk_requests(fake_ebay) for r in call) == ["SKU-00002", "SKU-00003"]
    assert result.pushed == 2
    assert Listing.objects.get(sku="SKU-00001").pushed_price == Decimal("100.00")


def test_a_quantity_crossing_zero_is_pushed_even_inside_the_quantity_deadband(ebay_account, fake_ebay, settings):
    settings.SYNC_QUANTITY_DEADBAND = 3
    published(ebay_account, 1, quantity=7, pushed_quantity=5)  # +2: inside
    published(ebay_account, 2, quantity=0, pushed_quantity=2)  # to zero
    published(ebay_account, 3, quantity=1, pushed_quantity=0)  # back from zero

    store_account_sync(store_account_id=ebay_account.pk)

    assert sorted(sent(r)["sku"] for call in bulk_requests(fake_ebay) for r in call) == ["SKU-00002", "SKU-00003"]


def test_a_paused_listing_offers_nothing(ebay_account, fake_ebay):
    published(ebay_account, 1, status=Listing.Status.PAUSED)

    store_account_sync(store_account_id=ebay_account.pk)

    assert [sent(r) for r in bulk_requests(fake_ebay)[0]] == [{"sku": "SKU-00001", "price": None, "quantity": 0}]


def test_an_ended_listing_is_withdrawn_once(ebay_account, fake_ebay):
    listing = published(ebay_account, 1, status=Listing.Status.ENDED)
    fake_ebay.state.listings[listing.offer_id] = listing.external_id

    first = store_account_sync(store_account_id=ebay_account.pk)
    second = store_account_sync(store_account_id=ebay_account.pk)

    assert (first.withdrawn, second.withdrawn) == (1, 0)
    assert fake_ebay.state.withdrawn == [listing.offer_id]
    listing.refresh_from_db()
    assert listing.withdrawn_at is not None
    assert ListingPush.objects.get(listing=listing).kind == ListingPush.Kind.WITHDRAW


def test_revisions_are_counted_per_listing_and_day(ebay_account, fake_ebay):
    yesterday = timezone.localdate() - timedelta(days=1)
    fresh = published(ebay_account, 1, quantity=8, revisions_today=200, revisions_date=yesterday)
    busy = published(ebay_account, 2, quantity=8, revisions_today=7, revisions_date=timezone.localdate())

    store_account_sync(store_account_id=ebay_account.pk)

    fresh.refresh_from_db()
    busy.refresh_from_db()
    assert (fresh.revisions_today, fresh.revisions_date) == (1, timezone.localdate())
    assert busy.revisions_today == 8


def test_a_low_revision_budget_defers_price_drops_but_not_stock_outs(ebay_account, fake_ebay, settings):
    settings.SYNC_REVISION_RESERVE = 20
    today = timezone.localdate()
    published(ebay_account, 1, price=Decimal("15.00"), revisions_today=240, revisions_date=today)  # drop: waits
    published(ebay_account, 2, price=Decimal("25.00"), revisions_today=240, revisions_date=today)  # rise: goes
    published(ebay_account, 3, quantity=0, revisions_today=249, revisions_date=today)  # stock-out: goes
    published(ebay_account, 4, price=Decimal("25.00"), revisions_today=249, revisions_date=today)  # rise: waits
    published(ebay_account, 5, quantity=0, revisions_today=250, revisions_date=today)  # nothing left

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert sorted(sent(r)["sku"] for call in bulk_requests(fake_ebay) for r in call) == ["SKU-00002", "SKU-00003"]
    assert (result.pushed, result.deferred) == (2, 3)
    assert Listing.objects.get(sku="SKU-00003").revisions_today == 250


def test_a_listing_the_marketplace_refuses_keeps_the_error_and_is_flagged_after_repeated_failures(
    ebay_account, fake_ebay, settings
):
    settings.SYNC_MAX_FAILURES = 3
    bad = published(ebay_account, 1, quantity=9)
    good = published(ebay_account, 2, quantity=9)
    fake_ebay.state.bulk_errors["SKU-00001"] = {"errorId": 25001, "message": "A system error has occurred."}

    for _ in range(3):
        store_account_sync(store_account_id=ebay_account.pk)
    after_flag = store_account_sync(store_account_id=ebay_account.pk)

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.sync_failures == 3
    assert bad.sync_flagged_at is not None
    assert "25001" in bad.last_error
    assert bad.last_response["status"] == "failed"
    assert ListingPush.objects.filter(listing=bad, status=ListingPush.Status.FAILED).count() == 3
    assert after_flag.pushed == after_flag.failed == 0
    assert good.pushed_quantity == 9
    assert good.sync_failures == 0


def test_a_bulk_call_refused_as_a_whole_is_retried_per_listing(ebay_account, fake_ebay):
    published(ebay_account, 1, quantity=9)
    published(ebay_account, 2, quantity=9)
    fake_ebay.fail_next("POST", BULK, ebay_error(400, 25709, "Invalid value for requests."))

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert len(fake_ebay.seen("POST", BULK)) == 3
    assert [len(call) for call in bulk_requests(fake_ebay)] == [1, 1]
    assert (result.pushed, result.failed) == (2, 0)


def test_a_store_that_is_not_connected_is_skipped(ebay_account, fake_ebay):
    published(ebay_account, 1, quantity=0)
    StoreAccount.objects.filter(pk=ebay_account.pk).update(status=StoreAccount.Status.DISCONNECTED)

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert result.skipped == "store not connected"
    assert fake_ebay.requests == []


def test_an_expired_access_token_is_refreshed_and_the_push_retried(ebay_account, fake_ebay):
    published(ebay_account, 1, quantity=0)
    fake_ebay.expire_access_tokens()

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert result.pushed == 1
    assert len(fake_ebay.seen("POST", r"/identity/v1/oauth2/token")) == 1
    assert len(fake_ebay.seen("POST", BULK)) == 2
    assert Listing.objects.get(sku="SKU-00001").pushed_quantity == 0


def test_a_refused_refresh_stops_the_pass_without_blaming_the_listings(ebay_account, fake_ebay):
    listing = published(ebay_account, 1, quantity=0)
    fake_ebay.expire_access_tokens()
    fake_ebay.state.refresh_tokens.clear()

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert result.skipped.startswith("reconnect needed")
    listing.refresh_from_db()
    assert listing.sync_failures == 0
    assert listing.pushed_quantity == 5
    assert listing.sync_lease_until is None
    assert StoreAccount.objects.get(pk=ebay_account.pk).status == StoreAccount.Status.RECONNECT_NEEDED


def test_a_429_is_retried_after_the_hint(ebay_account, fake_ebay):
    published(ebay_account, 1, quantity=0)
    fake_ebay.fail_next("POST", BULK, Reply(status=429, headers={"Retry-After": "0.1"}, body="{}"))

    result = store_account_sync(store_account_id=ebay_account.pk)

    assert result.pushed == 1
    assert len(fake_ebay.seen("POST", BULK)) == 2


def test_a_marketplace_that_stays_throttled_ends_the_pass_for_the_job_ledger_to_retry(ebay_account, fake_ebay):
    listing = published(ebay_account, 1, quantity=0)
    throttled = Reply(status=429, headers={"Retry-After": "0.05"}, body="{}")
    fake_ebay.fail_next("POST", BULK, throttled, throttled, throttled)

    with pytest.raises(SyncInterrupted) as raised:
        store_account_sync(store_account_id=ebay_account.pk)

    assert not getattr(raised.value, "permanent", False)
    listing.refresh_from_db()
    assert listing.sync_failures == 0
    assert listing.sync_lease_until is None
    assert listing.pushed_quantity == 5
