"""One import job runs a batch of waiting imports: fetched concurrently, each job with its own outcome."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from catalog.models import Product
from catalog.services import product_import_request
from dropship_central.jobs import BATCH_PREFIX, _enqueue_rq, jobs_claim_batch
from dropship_central.models import Job
from tests.catalog_import.conftest import DARONG, MISSING, SLOWPLAY
from tests.core_jobs.conftest import rq_job_ids
from tests.factories import JobFactory, UserFactory
from tests.loopback import Reply

pytestmark = pytest.mark.django_db(transaction=True)

# Real product pages of the shared fixtures (ASIN -> plain page) beyond the two named in conftest.
MORE = ["B07G2L3JMM", "B07FNW9FGJ", "B0013A2OZU", "B0CY5QW186"]


def _request(user, external_id: str) -> Job:
    return product_import_request(user=user, supplier="amazon", external_id=external_id)


def test_one_job_claims_the_waiting_imports_and_fetches_them_concurrently(user, site, worker, loopback):
    asins = [SLOWPLAY, DARONG, *MORE]
    for asin in asins:
        site.server.route(f"/dp/{asin}", Reply(body=site.page(asin), delay=0.3))
    jobs = [_request(user, asin) for asin in asins]

    worker()

    assert {job.status for job in Job.objects.filter(pk__in=[j.pk for j in jobs])} == {Job.Status.SUCCESS}
    assert set(Product.objects.values_list("external_id", flat=True)) == set(asins)
    assert loopback.max_in_flight > 1
    batched = Job.objects.filter(rq_job_id__startswith=BATCH_PREFIX)
    assert batched.count() == len(asins) - 1
    assert {job.attempts for job in batched} == {1}


def test_claimed_jobs_lose_their_waiting_rq_deliveries(user, site, jobs_env):
    leader, *others = [_request(user, asin) for asin in (SLOWPLAY, DARONG, MISSING)]

    claimed = jobs_claim_batch(holder=leader, payload_match={"supplier": "amazon"}, limit=10)

    assert [job.pk for job in claimed] == [job.pk for job in others]
    assert rq_job_ids("scrape") == [str(leader.pk)]


def test_a_job_held_by_a_batch_is_not_taken_back_by_its_own_delivery(user, site, jobs_env, worker):
    leader, member = _request(user, SLOWPLAY), _request(user, DARONG)
    jobs_claim_batch(holder=leader, payload_match={"supplier": "amazon"}, limit=10)
    Job.objects.filter(pk=leader.pk).update(status=Job.Status.SUCCESS)
    _enqueue_rq(member)  # a stray delivery of the member, as if Redis had kept it
    Job.objects.filter(pk=member.pk).update(rq_job_id=f"{BATCH_PREFIX}{leader.pk}")
    worker()

    member.refresh_from_db()
    assert (member.status, member.attempts) == (Job.Status.RUNNING, 1)


def test_a_members_transient_failure_is_retried_on_its_own(user, site, worker):
    site.serve(SLOWPLAY)
    site.serve(DARONG, Reply(body=site.captcha()))
    leader, member = _request(user, SLOWPLAY), _request(user, DARONG)

    worker()

    leader.refresh_from_db()
    member.refresh_from_db()
    assert (leader.status, leader.attempts) == (Job.Status.SUCCESS, 1)
    assert (member.status, member.attempts) == (Job.Status.SUCCESS, 2)


def test_a_members_permanent_failure_fails_only_that_job(user, site, worker):
    site.serve(SLOWPLAY)
    leader, member = _request(user, SLOWPLAY), _request(user, MISSING)

    worker()

    leader.refresh_from_db()
    member.refresh_from_db()
    assert leader.status == Job.Status.SUCCESS
    assert (member.status, member.attempts) == (Job.Status.FAILED, 1)
    assert member.error.startswith("ProductNotFoundError")


def test_two_batches_never_claim_the_same_job(amazon):
    user = UserFactory()
    holders = JobFactory.create_batch(2, user=user, status=Job.Status.RUNNING, payload={"supplier": "amazon"})
    waiting = JobFactory.create_batch(
        120, user=user, payload={"supplier": "amazon", "external_id": SLOWPLAY, "user_id": user.pk}
    )
    barrier = threading.Barrier(2)

    def claim(holder: Job) -> list:
        try:
            barrier.wait()
            return [job.pk for job in jobs_claim_batch(holder=holder, payload_match={"supplier": "amazon"}, limit=80)]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(claim, holders)

    assert not set(first) & set(second)
    assert set(first) | set(second) == {job.pk for job in waiting}
    assert Job.objects.filter(pk__in=first + second, status=Job.Status.RUNNING, attempts=1).count() == 120


def test_a_batch_only_claims_imports_of_its_supplier(amazon):
    user = UserFactory()
    holder = JobFactory(user=user, status=Job.Status.RUNNING, payload={"supplier": "amazon"})
    other = JobFactory(user=user, payload={"supplier": "aliexpress", "external_id": "1005001", "user_id": user.pk})

    assert jobs_claim_batch(holder=holder, payload_match={"supplier": "amazon"}, limit=10) == []
    other.refresh_from_db()
    assert other.status == Job.Status.QUEUED
