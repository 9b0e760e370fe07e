"""`POST /api/v1/listings`: 201 with the pending listing, or 202 with the publish job; tenancy by 404."""

from decimal import Decimal

import pytest

from dropship_central.models import Job
from listings.models import Listing
from marketplaces.models import StoreAccount
from tests.factories import PricingRuleFactory, ProductFactory, StoreAccountFactory, TrackedProductFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/listings"
PUBLISH_JOB = "listings.jobs.listing_publish_run"


def body(product, store, **extra) -> dict:
    return {"product": product.pk, "store_account": store.pk, **extra}


def test_create_answers_201_with_the_priced_pending_listing(auth_client, product, store, rule):
    response = auth_client.post(URL, body(product, store, max_quantity=4), format="json")

    assert response.status_code == 201
    data = response.json()
    assert (data["status"], data["price"], data["quantity"], data["title"]) == ("pending", "15.00", 4, "A" * 80)
    assert data["sku"] == f"AMAZON-{product.external_id}"
    listing = Listing.objects.get(pk=data["id"])
    assert listing.price_decisions.get().trigger == "created"
    assert not Job.objects.filter(type=PUBLISH_JOB).exists()


def test_the_new_listing_is_visible_to_its_owner_only(auth_client, other_client, product, store, rule):
    listing_id = auth_client.post(URL, body(product, store), format="json").json()["id"]

    assert auth_client.get(f"{URL}/{listing_id}").status_code == 200
    assert other_client.get(f"{URL}/{listing_id}").status_code == 404


def test_unknown_fields_are_400(auth_client, product, store, rule):
    response = auth_client.post(URL, body(product, store, price="1.00"), format="json")

    assert response.status_code == 400
    assert "price" in response.json()["error"]["details"]
    assert not Listing.objects.exists()


def test_another_customers_product_is_404(auth_client, other_user, store, rule):
    theirs = ProductFactory()
    TrackedProductFactory(user=other_user, product=theirs)

    response = auth_client.post(URL, body(theirs, store), format="json")

    assert response.status_code == 404
    assert not Listing.objects.exists()


def test_another_customers_store_is_404(auth_client, other_user, product, rule):
    response = auth_client.post(URL, body(product, StoreAccountFactory(user=other_user)), format="json")

    assert response.status_code == 404


def test_another_customers_pricing_rule_is_400(auth_client, other_user, product, store, rule):
    theirs = PricingRuleFactory(user=other_user)

    response = auth_client.post(URL, body(product, store, pricing_rule=theirs.pk), format="json")

    assert response.status_code == 400
    assert "pricing_rule" in response.json()["error"]["details"]


def test_a_disconnected_store_is_409(auth_client, user, product, rule):
    store = StoreAccountFactory(user=user, status=StoreAccount.Status.DISCONNECTED)

    response = auth_client.post(URL, body(product, store), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "store_disconnected"


def test_over_the_quota_is_403(auth_client, product, store, rule, settings):
    settings.TIER_QUOTAS = {**settings.TIER_QUOTAS, "pro": {**settings.TIER_QUOTAS["pro"], "listings": 1}}
    assert auth_client.post(URL, body(product, store), format="json").status_code == 201

    response = auth_client.post(URL, body(product, store), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "quota_exceeded"


@pytest.mark.parametrize("how", ["field", "query"])
def test_publish_answers_202_with_the_listing_and_its_job(auth_client, product, store, rule, how):
    url, data = (
        (URL, body(product, store, publish=True)) if how == "field" else (f"{URL}?publish=true", body(product, store))
    )

    response = auth_client.post(url, data, format="json")

    assert response.status_code == 202
    listing_id = response.json()["listing"]["id"]
    job = Job.objects.get(type=PUBLISH_JOB)
    assert (response.json()["job"]["id"], job.payload) == (str(job.pk), {"listing_id": listing_id})


def test_a_refused_publish_creates_nothing(auth_client, user, product, rule):
    store = StoreAccountFactory(user=user, status=StoreAccount.Status.PENDING)

    response = auth_client.post(URL, body(product, store, publish=True), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "store_not_connected"
    assert not Listing.objects.exists()
    assert not Job.objects.exists()


def test_a_price_in_the_body_never_reaches_the_listing(auth_client, product, store, rule):
    auth_client.post(URL, body(product, store, price="1.00"), format="json")
    response = auth_client.post(URL, body(product, store), format="json")

    assert Decimal(response.json()["price"]) == Decimal("15.00")
