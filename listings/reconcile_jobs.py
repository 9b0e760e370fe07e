"""Reconciliation jobs: a periodic fan-out, then one listings read-back and one order import per connected store.

Each job takes ids, re-reads and calls one function of `listings.reconcile`; all are safe to run again (the
read-back is a compare-and-set, the import counts each order's difference only).
"""

from typing import Any

from dropship_central.jobs import job_enqueue
from dropship_central.models import Job
from listings.reconcile import store_account_orders_import, store_account_reconcile
from marketplaces.models import StoreAccount

RECONCILE_JOB = "listings.reconcile_jobs.store_account_reconcile_run"
ORDERS_JOB = "listings.reconcile_jobs.store_account_orders_import_run"


def store_account_reconcile_run(store_account_id: int) -> dict[str, Any]:
    """Read one store's listings back and correct the pushed state where the marketplace drifted."""
    return store_account_reconcile(store_account_id=store_account_id).as_dict()


def store_account_orders_import_run(store_account_id: int) -> dict[str, Any]:
    """Import one store's orders modified since its cursor into daily marketplace figures."""
    return store_account_orders_import(store_account_id=store_account_id).as_dict()


def stores_reconcile_run() -> dict[str, Any]:
    """The periodic fan-out (RQ cron): a read-back and an order import for every connected store, one of each
    waiting per store at most."""
    accounts = StoreAccount.objects.filter(status=StoreAccount.Status.CONNECTED).order_by("pk")
    enqueued = 0
    for account in accounts.only("pk", "user_id"):
        for func in (RECONCILE_JOB, ORDERS_JOB):
            payload = {"store_account_id": account.pk}
            if not Job.objects.filter(type=func, status=Job.Status.QUEUED, payload=payload).exists():
                job_enqueue(func=func, payload=payload, user=account.user, queue="sync")
                enqueued += 1
    return {"stores": accounts.count(), "jobs": enqueued}
