"""From `POST /api/v1/products/import` to the stored product, its history and the user's tracking link."""

from decimal import Decimal

import pytest

from catalog.models import PriceHistory, Product, StockHistory, TrackedProduct
from dropship_central.models import Job
from tests.catalog_import.conftest import DARONG, MISSING, SLOWPLAY
from tests.loopback import Reply

pytestmark = pytest.mark.django_db(transaction=True)


def _import(client, **body) -> str:
    response = client.post("/api/v1/products/import", body, format="json")
    assert response.status_code == 202, response.content
    return response.json()["job_id"]


def test_import_by_id_stores_the_product_its_history_and_the_tracking_link(auth_client, user, site, worker):
    site.serve(SLOWPLAY)

    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    job = auth_client.get(f"/api/v1/jobs/{job_id}").json()
    assert job["status"] == "success"
    product = Product.objects.get(pk=job["result"]["product_id"])
    truth = site.truth[SLOWPLAY]
    assert (product.external_id, product.title, product.price) == (SLOWPLAY, truth["title"], Decimal("159.00"))
    assert product.currency == "USD"
    assert job["result"]["created"] is True
    assert PriceHistory.objects.filter(product=product, variant=None).count() == 1
    assert StockHistory.objects.filter(product=product, variant=None).count() == 1
    assert TrackedProduct.objects.filter(user=user, product=product).exists()
    assert auth_client.get(f"/api/v1/products/{product.pk}").status_code == 200


def test_import_by_url_reads_the_asin_from_the_url(auth_client, site, worker):
    site.serve(DARONG)

    job_id = _import(auth_client, url=f"https://www.amazon.de/-/en/dp/{DARONG}?th=1")
    worker()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.SUCCESS
    assert Product.objects.get(pk=job.result["product_id"]).parent_external_id == "B0D1KHSGRB"


def test_a_captcha_page_then_the_product_page_is_retried_and_succeeds(auth_client, site, worker):
    site.serve(SLOWPLAY, Reply(body=site.captcha()))

    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == (Job.Status.SUCCESS, 2)
    assert site.hits(SLOWPLAY) == 2


def test_a_404_fails_the_job_as_not_found_without_retrying(auth_client, site, worker):
    job_id = _import(auth_client, supplier="amazon", external_id=MISSING)
    worker()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)
    assert job.error.startswith("ProductNotFoundError")
    assert not Product.objects.filter(external_id=MISSING).exists()


def test_a_response_slower_than_the_read_timeout_is_retried(auth_client, site, worker):
    site.serve(SLOWPLAY, Reply(body=site.page(SLOWPLAY), delay=2.5))

    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == (Job.Status.SUCCESS, 2)


def test_a_dropped_connection_is_retried(auth_client, site, worker):
    site.serve(SLOWPLAY, Reply(drop=True))

    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == (Job.Status.SUCCESS, 2)


def test_a_block_page_every_time_fails_after_the_last_attempt(auth_client, site, worker, loopback):
    loopback.route(f"/dp/{SLOWPLAY}", Reply(body=site.captcha()))

    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    job = Job.objects.get(pk=job_id)
    assert (job.status, job.attempts) == (Job.Status.FAILED, job.max_attempts)
    assert job.error.startswith("CaptchaError")


def test_two_users_importing_the_same_product_share_one_product(
    auth_client, other_client, user, other_user, site, worker
):
    site.serve(SLOWPLAY)

    _import(auth_client, supplier="amazon", external_id=SLOWPLAY)
    _import(other_client, supplier="amazon", external_id=SLOWPLAY)
    worker()

    product = Product.objects.get(external_id=SLOWPLAY)
    trackers = TrackedProduct.objects.filter(product=product).values_list("user", flat=True)
    assert set(trackers) == {user.pk, other_user.pk}
    assert PriceHistory.objects.filter(product=product, variant=None).count() == 1


def test_another_users_import_job_is_not_found(auth_client, other_client, site):
    job_id = _import(auth_client, supplier="amazon", external_id=SLOWPLAY)

    assert other_client.get(f"/api/v1/jobs/{job_id}").status_code == 404
    assert auth_client.get(f"/api/v1/jobs/{job_id}").status_code == 200
