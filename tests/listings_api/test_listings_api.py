import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dropship_central.models import AuditLog
from listings.models import Listing
from tests.factories import ListingFactory, PricingRuleFactory, ProductFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/listings"


def ids(response) -> list[int]:
    return sorted(row["id"] for row in response.json()["results"])


def test_list_shows_only_own_listings(auth_client, user, other_user):
    own = ListingFactory(user=user)
    ListingFactory(user=other_user)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert ids(response) == [own.id]


def test_list_filters_by_status(auth_client, user):
    active = ListingFactory(user=user, status=Listing.Status.ACTIVE)
    ListingFactory(user=user, status=Listing.Status.PENDING)

    assert ids(auth_client.get(URL, {"status": "active"})) == [active.id]


def test_list_filters_by_store_account(auth_client, user):
    listing = ListingFactory(user=user)
    ListingFactory(user=user)

    assert ids(auth_client.get(URL, {"store_account": listing.store_account_id})) == [listing.id]


def test_list_filters_by_product(auth_client, user):
    listing = ListingFactory(user=user)
    ListingFactory(user=user)

    assert ids(auth_client.get(URL, {"product": listing.product_id})) == [listing.id]


def test_list_searches_sku_and_title(auth_client, user):
    by_sku = ListingFactory(user=user, sku="WIDGET-42")
    by_title = ListingFactory(user=user, title="Blue widget lamp")
    ListingFactory(user=user, sku="OTHER-1", title="Garden hose")

    assert ids(auth_client.get(URL, {"search": "widget"})) == sorted([by_sku.id, by_title.id])


def test_retrieve_shows_store_and_product_without_store_secrets(auth_client, user):
    listing = ListingFactory(user=user, product=ProductFactory(title="Desk lamp"))

    response = auth_client.get(f"{URL}/{listing.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["product_title"] == "Desk lamp"
    assert body["marketplace"] == "ebay"
    assert body["store_account_name"] == listing.store_account.name
    assert "app-secret" not in response.content.decode()
    assert "access-token" not in response.content.decode()


def test_other_users_listing_is_not_found(other_client, user):
    listing = ListingFactory(user=user)

    assert other_client.get(f"{URL}/{listing.id}").status_code == 404


def test_other_user_cannot_change_a_listing(other_client, user):
    listing = ListingFactory(user=user, title="Original")

    response = other_client.patch(f"{URL}/{listing.id}", {"title": "Hijacked"}, format="json")

    assert response.status_code == 404
    listing.refresh_from_db()
    assert listing.title == "Original"


def test_patch_changes_editable_fields(auth_client, user):
    listing = ListingFactory(user=user)
    rule = PricingRuleFactory(user=user)
    body = {"title": "New title", "description": "Better words", "max_quantity": 3, "pricing_rule": rule.id}

    response = auth_client.patch(f"{URL}/{listing.id}", body, format="json")

    assert response.status_code == 200, response.content
    assert {key: response.json()[key] for key in body} == body
    listing.refresh_from_db()
    assert (listing.title, listing.max_quantity, listing.pricing_rule_id) == ("New title", 3, rule.id)


def test_patch_clears_the_pricing_rule_and_cap(auth_client, user):
    listing = ListingFactory(user=user, pricing_rule=PricingRuleFactory(user=user), max_quantity=4)

    response = auth_client.patch(f"{URL}/{listing.id}", {"pricing_rule": None, "max_quantity": None}, format="json")

    assert response.status_code == 200
    listing.refresh_from_db()
    assert (listing.pricing_rule_id, listing.max_quantity) == (None, None)


def test_patch_refuses_another_users_pricing_rule(auth_client, user, other_user):
    listing = ListingFactory(user=user)
    foreign_rule = PricingRuleFactory(user=other_user)

    response = auth_client.patch(f"{URL}/{listing.id}", {"pricing_rule": foreign_rule.id}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "pricing_rule" in error["details"]
    listing.refresh_from_db()
    assert listing.pricing_rule_id is None


def test_patch_changes_sku_while_pending(auth_client, user):
    listing = ListingFactory(user=user, status=Listing.Status.PENDING)

    response = auth_client.patch(f"{URL}/{listing.id}", {"sku": "NEW-SKU-1"}, format="json")

    assert response.status_code == 200
    assert response.json()["sku"] == "NEW-SKU-1"


@pytest.mark.parametrize("status", [Listing.Status.ACTIVE, Listing.Status.PAUSED, Listing.Status.ENDED])
def test_patch_refuses_sku_once_published(auth_client, user, status):
    listing = ListingFactory(user=user, status=status, sku="LIVE-1")

    response = auth_client.patch(f"{URL}/{listing.id}", {"sku": "NEW-SKU-1"}, format="json")

    assert response.status_code == 400
    assert "sku" in response.json()["error"]["details"]
    listing.refresh_from_db()
    assert listing.sku == "LIVE-1"


def test_patch_refuses_a_sku_taken_in_the_same_store(auth_client, user):
    taken = ListingFactory(user=user, sku="TAKEN")
    listing = ListingFactory(user=user, store_account=taken.store_account)

    response = auth_client.patch(f"{URL}/{listing.id}", {"sku": "TAKEN"}, format="json")

    assert response.status_code == 400
    assert "sku" in response.json()["error"]["details"]


@pytest.mark.parametrize("field", ["status", "price", "quantity", "user", "store_account"])
def test_patch_refuses_fields_that_are_not_user_editable(auth_client, user, other_user, field):
    listing = ListingFactory(user=user, status=Listing.Status.ACTIVE, price="29.99", quantity=5)
    value = {"status": "ended", "price": "1.00", "quantity": 99, "user": other_user.id, "store_account": 1}[field]

    response = auth_client.patch(f"{URL}/{listing.id}", {field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["details"]
    listing.refresh_from_db()
    assert (listing.status, str(listing.price), listing.quantity, listing.user_id) == (
        "active",
        "29.99",
        5,
        user.id,
    )


def test_patch_is_audited_with_old_and_new_values(auth_client, user):
    listing = ListingFactory(user=user, title="Old title")
    rule = PricingRuleFactory(user=user)

    auth_client.patch(f"{URL}/{listing.id}", {"title": "New title", "pricing_rule": rule.id}, format="json")

    entry = AuditLog.objects.get(object_id=str(listing.id), action=AuditLog.Action.UPDATE)
    assert entry.actor == user
    assert entry.changes == {"title": ["Old title", "New title"], "pricing_rule": [None, rule.id]}


def test_patch_without_changes_records_no_audit(auth_client, user):
    listing = ListingFactory(user=user, title="Same")

    response = auth_client.patch(f"{URL}/{listing.id}", {"title": "Same"}, format="json")

    assert response.status_code == 200
    assert not AuditLog.objects.filter(object_id=str(listing.id)).exists()


def test_put_is_not_allowed(auth_client, user):
    listing = ListingFactory(user=user)

    assert auth_client.put(f"{URL}/{listing.id}", {"title": "x"}, format="json").status_code == 405


def test_list_query_count_does_not_grow_with_rows(auth_client, user):
    store = StoreAccountFactory(user=user)
    ListingFactory(user=user, store_account=store, pricing_rule=PricingRuleFactory(user=user))
    with CaptureQueriesContext(connection) as one:
        auth_client.get(URL)
    for _ in range(9):
        ListingFactory(
            user=user, store_account=StoreAccountFactory(user=user), pricing_rule=PricingRuleFactory(user=user)
        )
    with CaptureQueriesContext(connection) as ten:
        response = auth_client.get(URL)

    assert len(response.json()["results"]) == 10
    assert len(ten) == len(one)


def test_list_never_reads_store_secrets(auth_client, user):
    ListingFactory(user=user)

    with CaptureQueriesContext(connection) as queries:
        auth_client.get(URL)

    listing_query = next(q["sql"] for q in queries if 'FROM "listings_listing"' in q["sql"])
    for column in ("credentials", "access_token", "refresh_token"):
        assert f'"marketplaces_storeaccount"."{column}",' not in listing_query
        assert f'"marketplaces_storeaccount"."{column}" ' not in listing_query


def test_list_pages_with_a_cursor_through_every_listing_once(auth_client, user):
    listings = ListingFactory.create_batch(5, user=user)

    seen: list[int] = []
    url: str | None = f"{URL}?page_size=2"
    while url:
        body = auth_client.get(url).json()
        seen.extend(row["id"] for row in body["results"])
        url = body["next"]

    assert seen == [listing.id for listing in reversed(listings)]
