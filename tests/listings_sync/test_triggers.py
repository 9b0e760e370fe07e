"""What starts a sync: every change of a published listing's desired state, coalesced per store, and the sweep."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from dropship_central.models import Job
from listings.cron import register_cron_jobs
from listings.jobs import store_account_sync_run
from listings.models import Listing, ListingPush, StatusReason
from listings.services import listing_pause, listing_reprice, listing_set_quantity_zero
from listings.sync import SYNC_JOB, SyncSettings, _claim, listings_sync_sweep, store_account_sync
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory, PricingRuleFactory, StoreAccountFactory
from tests.listings_sync.conftest import BULK, bulk_requests, published, sent


def sync_jobs(account: StoreAccount) -> list[Job]:
    return list(Job.objects.filter(type=SYNC_JOB, payload={"store_account_id": account.pk}))


@pytest.mark.django_db
class TestTriggers:
    def test_a_stock_out_enqueues_the_stores_sync_once_for_a_burst_of_changes(self, user):
        account = StoreAccountFactory(user=user)
        first, second = published(account, 1), published(account, 2)

        listing_set_quantity_zero(listing=first, reason=StatusReason.OUT_OF_STOCK)
        listing_set_quantity_zero(listing=second, reason=StatusReason.OUT_OF_STOCK)
        listing_pause(listing=first, reason=StatusReason.MANUAL_PAUSE)

        jobs = sync_jobs(account)
        assert len(jobs) == 1
        assert (jobs[0].queue, jobs[0].status) == ("sync", Job.Status.QUEUED)

    def test_a_new_sync_is_enqueued_once_the_waiting_one_has_started(self, user):
        account = StoreAccountFactory(user=user)
        listing = published(account, 1)
        listing_set_quantity_zero(listing=listing, reason=StatusReason.OUT_OF_STOCK)
        Job.objects.filter(type=SYNC_JOB).update(status=Job.Status.RUNNING)

        listing_pause(listing=listing, reason=StatusReason.MANUAL_PAUSE)

        assert [job.status for job in sync_jobs(account)].count(Job.Status.QUEUED) == 1

    def test_a_new_price_from_repricing_enqueues_a_sync(self, user):
        account = StoreAccountFactory(user=user)
        PricingRuleFactory(user=user)
        listing = published(account, 1)

        decision = listing_reprice(listing=listing, reason="product_changed")

        assert decision.outcome == "applied"
        assert len(sync_jobs(account)) == 1

    def test_unpublished_listings_and_disconnected_stores_enqueue_nothing(self, user):
        pending = ListingFactory(user=user)
        gone_store = StoreAccountFactory(user=user, status=StoreAccount.Status.DISCONNECTED)
        orphan = published(gone_store, 2)

        listing_set_quantity_zero(listing=pending, reason=StatusReason.OUT_OF_STOCK)
        listing_set_quantity_zero(listing=orphan, reason=StatusReason.OUT_OF_STOCK)

        assert not Job.objects.filter(type=SYNC_JOB).exists()

    def test_the_sweep_enqueues_one_sync_per_connected_store_with_differences(self, user):
        differs, in_step, disconnected = (StoreAccountFactory(user=user) for _ in range(3))
        StoreAccount.objects.filter(pk=disconnected.pk).update(status=StoreAccount.Status.DISCONNECTED)
        published(differs, 1, quantity=0)
        published(differs, 2, price=Decimal("30.00"))
        published(in_step, 3)
        published(disconnected, 4, quantity=0)

        first = listings_sync_sweep()
        again = listings_sync_sweep()

        assert first["stores"] == 1
        assert first["jobs"] == again["jobs"]
        assert [len(sync_jobs(account)) for account in (differs, in_step, disconnected)] == [1, 0, 0]

    def test_flagged_listings_are_left_out_until_a_sync_is_forced(self, user):
        account = StoreAccountFactory(user=user)
        published(account, 1, quantity=0, sync_flagged_at=timezone.now())

        assert listings_sync_sweep()["stores"] == 0

    def test_the_sweep_is_registered_with_rq_cron(self, monkeypatch):
        registered = []
        monkeypatch.setattr("listings.cron.cron.register", lambda func, queue, **kw: registered.append((func, queue)))

        register_cron_jobs()

        assert [(func.__name__, queue) for func, queue in registered] == [
            ("listings_sync_sweep_run", "sync"),
            ("stores_reconcile_run", "sync"),
        ]


@pytest.mark.django_db
def test_a_stock_out_reaches_the_marketplace_through_the_sync_job(
    ebay_account, fake_ebay, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    listing = published(ebay_account, 1)

    with django_capture_on_commit_callbacks(execute=True):
        listing_set_quantity_zero(listing=listing, reason=StatusReason.OUT_OF_STOCK)

    assert [sent(r) for r in bulk_requests(fake_ebay)[0]] == [{"sku": "SKU-00001", "price": None, "quantity": 0}]
    assert Job.objects.get(type=SYNC_JOB).status == Job.Status.SUCCESS


@pytest.mark.django_db
def test_the_sync_job_reports_what_it_did(ebay_account, fake_ebay):
    published(ebay_account, 1, quantity=0)

    result = store_account_sync_run(store_account_id=ebay_account.pk)

    assert (result["pushed"], result["calls"], result["failed"]) == (1, 1, 0)


@pytest.mark.django_db
def test_a_leased_listing_is_not_claimed_again_until_its_lease_expires(user):
    account = StoreAccountFactory(user=user)
    listing = published(account, 1, quantity=0)
    config = SyncSettings.current()

    first, _ = _claim(account_id=account.pk, skip=set(), config=config)
    second, _ = _claim(account_id=account.pk, skip=set(), config=config)
    Listing.objects.filter(pk=listing.pk).update(sync_lease_until=timezone.now() - timedelta(seconds=1))
    third, _ = _claim(account_id=account.pk, skip=set(), config=config)

    assert [[x.pk for x in claimed] for claimed in (first, second, third)] == [[listing.pk], [], [listing.pk]]


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_push_each_listing_once(ebay_account, fake_ebay, settings):
    settings.SYNC_CLAIM_BATCH = 10
    for number in range(60):
        published(ebay_account, number, quantity=number % 4)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            store_account_sync(store_account_id=ebay_account.pk)
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    skus = [request["sku"] for call in bulk_requests(fake_ebay) for request in call]
    assert sorted(skus) == [f"SKU-{number:05d}" for number in range(60)]
    assert ListingPush.objects.count() == 60
    assert len(fake_ebay.seen("POST", BULK)) >= 6
