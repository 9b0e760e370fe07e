"""`POST /api/v1/products/import`: validation at the edge, quota, idempotency, and the 202 answer."""

import pytest

from catalog.models import Product
from dropship_central.models import Job
from suppliers.models import Supplier
from tests.factories import ProductFactory, SupplierFactory, TrackedProductFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/products/import"
ASIN = "B0CFR36HR9"


@pytest.fixture(autouse=True)
def suppliers(db):
    SupplierFactory(slug="amazon")
    SupplierFactory(slug="aliexpress")


def _error(response) -> dict:
    return response.json()["error"]


def test_import_by_supplier_and_id_answers_202_with_the_job(auth_client, user):
    response = auth_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job_id"])
    assert (job.user, job.queue, job.type) == (user, "scrape", "catalog.jobs.product_import")
    assert job.payload == {"supplier": "amazon", "external_id": ASIN, "user_id": user.pk}
    assert response.json()["job"] == f"http://testserver/api/v1/jobs/{job.pk}"
    assert response["Location"] == response.json()["job"]


def test_a_lower_case_asin_is_normalized(auth_client):
    response = auth_client.post(URL, {"supplier": "amazon", "external_id": " b0cfr36hr9 "}, format="json")

    assert response.status_code == 202
    assert Job.objects.get().payload["external_id"] == ASIN


def test_import_by_url_finds_the_supplier_and_asin(auth_client):
    response = auth_client.post(URL, {"url": f"https://www.amazon.de/gp/product/{ASIN}?psc=1"}, format="json")

    assert response.status_code == 202
    assert Job.objects.get().payload["supplier"] == "amazon"
    assert Job.objects.get().payload["external_id"] == ASIN


def test_the_same_idempotency_key_returns_the_same_job(auth_client):
    body = {"supplier": "amazon", "external_id": ASIN}
    first = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    second = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")

    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() == second.json()
    assert Job.objects.count() == 1


def test_another_idempotency_key_records_another_job(auth_client):
    body = {"supplier": "amazon", "external_id": ASIN}
    auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-1")
    auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="import-2")

    assert Job.objects.count() == 2


def test_an_idempotency_key_is_per_user(auth_client, other_client):
    body = {"supplier": "amazon", "external_id": ASIN}
    first = auth_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same")
    second = other_client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="same")

    assert first.json()["job_id"] != second.json()["job_id"]


@pytest.mark.parametrize("external_id", ["B0CFR36", "B0CFR36HR9X", "B0CFR-6HR9", ""])
def test_a_malformed_asin_is_refused(auth_client, external_id):
    response = auth_client.post(URL, {"supplier": "amazon", "external_id": external_id}, format="json")

    assert response.status_code == 400
    assert Job.objects.count() == 0


def test_a_malformed_asin_says_what_an_asin_looks_like(auth_client):
    response = auth_client.post(URL, {"supplier": "amazon", "external_id": "B0CFR36"}, format="json")

    error = _error(response)
    assert error["code"] == "invalid_external_id"
    assert "ASIN" in error["details"]["external_id"][0]


def test_an_unknown_supplier_is_refused(auth_client):
    response = auth_client.post(URL, {"supplier": "ebay", "external_id": ASIN}, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "unknown_supplier"
    assert "supplier" in _error(response)["details"]


def test_a_supplier_without_its_row_is_refused(auth_client):
    Supplier.objects.filter(slug="amazon").update(is_active=False)
    response = auth_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert _error(response)["code"] == "unknown_supplier"


def test_a_url_of_no_supplier_is_refused(auth_client):
    response = auth_client.post(URL, {"url": f"https://notamazon.com/dp/{ASIN}"}, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "unsupported_url"


def test_a_url_of_another_supplier_than_the_one_named_is_refused(auth_client):
    response = auth_client.post(
        URL, {"supplier": "aliexpress", "url": f"https://www.amazon.com/dp/{ASIN}"}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "supplier_mismatch"


def test_a_supplier_url_that_is_not_a_product_page_is_refused(auth_client):
    response = auth_client.post(URL, {"url": "https://www.amazon.com/s?k=kettle"}, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid_url"


def test_a_request_without_a_product_is_refused(auth_client):
    response = auth_client.post(URL, {"supplier": "amazon"}, format="json")

    assert response.status_code == 400
    assert _error(response)["code"] == "validation_error"


def test_an_import_past_the_tier_quota_is_refused(auth_client, user, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "tracked_products": 2}}
    TrackedProductFactory.create_batch(2, user=user)

    response = auth_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert response.status_code == 403
    assert _error(response)["code"] == "quota_exceeded"
    assert _error(response)["details"]["resource"] == "tracked_products"


def test_a_product_already_tracked_can_be_imported_again_at_the_quota(auth_client, user, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "tracked_products": 1}}
    product = ProductFactory(supplier=SupplierFactory(slug="amazon"), external_id=ASIN)
    TrackedProductFactory(user=user, product=product)

    response = auth_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert response.status_code == 202


def test_other_users_tracking_does_not_count_against_the_quota(auth_client, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "tracked_products": 1}}
    TrackedProductFactory(user=UserFactory())

    response = auth_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert response.status_code == 202


def test_an_anonymous_import_is_refused(api_client):
    response = api_client.post(URL, {"supplier": "amazon", "external_id": ASIN}, format="json")

    assert response.status_code == 401
    assert not Product.objects.exists()


def test_numeric_product_routes_still_work_beside_import(auth_client):
    assert auth_client.get("/api/v1/products").status_code == 200
    assert auth_client.get("/api/v1/products/import").status_code == 405
