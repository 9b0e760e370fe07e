import pytest

from dropship_central.models import Job
from listings.reconcile_jobs import (
    ORDERS_JOB,
    RECONCILE_JOB,
    store_account_orders_import_run,
    store_account_reconcile_run,
    stores_reconcile_run,
)
from marketplaces.models import StoreAccount
from tests.factories import StoreAccountFactory

pytestmark = pytest.mark.django_db


def test_fan_out_enqueues_one_read_back_and_one_import_per_connected_store(redis_conn):
    connected = StoreAccountFactory()
    StoreAccountFactory(status=StoreAccount.Status.DISCONNECTED)
    StoreAccountFactory(status=StoreAccount.Status.RECONNECT_NEEDED)

    outcome = stores_reconcile_run()

    assert outcome == {"stores": 1, "jobs": 2}
    jobs = Job.objects.filter(payload={"store_account_id": connected.pk}, queue="sync")
    assert sorted(jobs.values_list("type", flat=True)) == sorted([RECONCILE_JOB, ORDERS_JOB])
    assert {job.user_id for job in jobs} == {connected.user_id}


def test_fan_out_does_not_pile_up_jobs_still_waiting(redis_conn):
    StoreAccountFactory()
    stores_reconcile_run()

    assert stores_reconcile_run()["jobs"] == 0
    assert Job.objects.count() == 2


def test_jobs_skip_a_store_disconnected_meanwhile(db):
    account = StoreAccountFactory(status=StoreAccount.Status.DISCONNECTED)

    assert store_account_reconcile_run(account.pk)["skipped"] == "store not connected"
    assert store_account_orders_import_run(account.pk)["skipped"] == "store not connected"
