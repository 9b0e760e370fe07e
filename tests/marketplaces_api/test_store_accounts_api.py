import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from dropship_central.audit import SECRET_MASK
from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/store-accounts"
SHOPIFY_TOKEN = "shpat_0123456789abcdef-secret"
EBAY_SECRET = "PRD-ebay-client-secret-xyz"
SECRETS = ("app-secret", "access-token", "refresh-token", SHOPIFY_TOKEN, EBAY_SECRET, "app-id")


def shopify_body(**overrides: object) -> dict:
    body = {
        "marketplace": "shopify",
        "name": "My Shopify",
        "shop_domain": "my-shop.myshopify.com",
        "credentials": {"access_token": SHOPIFY_TOKEN},
    }
    return {**body, **overrides}


def ebay_body(**overrides: object) -> dict:
    body = {
        "marketplace": "ebay",
        "name": "My eBay",
        "environment": "sandbox",
        "credentials": {"client_id": "ebay-client-id", "client_secret": EBAY_SECRET},
    }
    return {**body, **overrides}


def assert_no_secret(raw: bytes) -> None:
    text = raw.decode()
    for secret in SECRETS:
        assert secret not in text


def test_list_shows_only_own_store_accounts(auth_client, user, other_user):
    own = StoreAccountFactory(user=user)
    StoreAccountFactory(user=other_user)

    response = auth_client.get(URL)

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [own.id]


def test_list_never_contains_secrets(auth_client, user):
    StoreAccountFactory(user=user)

    response = auth_client.get(URL)

    assert response.json()["results"][0]["has_credentials"] is True
    assert_no_secret(response.content)


def test_retrieve_never_contains_secrets(auth_client, user):
    account = StoreAccountFactory(user=user)

    response = auth_client.get(f"{URL}/{account.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "connected"
    assert not {"credentials", "access_token", "refresh_token"} & set(body)
    assert_no_secret(response.content)


def test_list_filters_by_marketplace(auth_client, user):
    StoreAccountFactory(user=user, marketplace="ebay")
    shopify = StoreAccountFactory(user=user, marketplace="shopify", shop_domain="a.myshopify.com")

    response = auth_client.get(URL, {"marketplace": "shopify"})

    assert [row["id"] for row in response.json()["results"]] == [shopify.id]


def test_create_shopify_connects_with_token_and_hides_it(auth_client, user):
    response = auth_client.post(URL, shopify_body(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "connected"
    assert body["has_credentials"] is True
    assert body["connected_at"] is not None
    assert_no_secret(response.content)
    account = StoreAccount.objects.get(pk=body["id"], user=user)
    assert account.access_token == SHOPIFY_TOKEN


def test_create_ebay_stores_client_credentials_and_waits_for_consent(auth_client, user):
    response = auth_client.post(URL, ebay_body(), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert_no_secret(response.content)
    account = StoreAccount.objects.get(pk=response.json()["id"])
    assert account.credentials == {"client_id": "ebay-client-id", "client_secret": EBAY_SECRET}
    assert account.environment == "sandbox"


def test_create_stores_secrets_encrypted_at_rest(auth_client):
    response = auth_client.post(URL, shopify_body(), format="json")

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, credentials FROM marketplaces_storeaccount WHERE id = %s", [response.json()["id"]]
        )
        access_token, credentials = cursor.fetchone()
    assert SHOPIFY_TOKEN not in access_token
    assert SHOPIFY_TOKEN not in credentials


def test_create_normalizes_shop_domain(auth_client):
    response = auth_client.post(URL, shopify_body(shop_domain="https://My-Shop.myshopify.com/admin"), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["shop_domain"] == "my-shop.myshopify.com"


@pytest.mark.parametrize("domain", ["my-shop.example.com", "", "myshopify.com", "evil.com/x.myshopify.com"])
def test_create_shopify_refuses_a_domain_outside_myshopify(auth_client, domain):
    response = auth_client.post(URL, shopify_body(shop_domain=domain), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "shop_domain" in error["details"]


def test_create_ebay_refuses_a_shop_domain(auth_client):
    response = auth_client.post(URL, ebay_body(shop_domain="x.myshopify.com"), format="json")

    assert response.status_code == 400
    assert "shop_domain" in response.json()["error"]["details"]


def test_create_refuses_missing_credentials_without_echoing_them(auth_client):
    response = auth_client.post(URL, ebay_body(credentials={"client_secret": EBAY_SECRET}), format="json")

    assert response.status_code == 400
    assert "client_id" in response.json()["error"]["details"]["credentials"]
    assert_no_secret(response.content)


def test_create_refuses_unknown_marketplace(auth_client):
    response = auth_client.post(URL, ebay_body(marketplace="amazon"), format="json")

    assert response.status_code == 400
    assert "marketplace" in response.json()["error"]["details"]


def test_create_refuses_duplicate_name_with_conflict(auth_client, user):
    StoreAccountFactory(user=user, marketplace="ebay", name="My eBay")

    response = auth_client.post(URL, ebay_body(), format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"


def test_create_refuses_past_the_tier_quota(auth_client, user):
    user.tier = User.Tier.FREE
    user.save()
    StoreAccountFactory(user=user)

    response = auth_client.post(URL, shopify_body(), format="json")

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert error["details"] == {"resource": "store_accounts", "limit": 1, "current": 1}
    assert StoreAccount.objects.filter(user=user).count() == 1


def test_disconnected_store_does_not_count_against_the_quota(auth_client, user):
    user.tier = User.Tier.FREE
    user.save()
    StoreAccountFactory(user=user, status=StoreAccount.Status.DISCONNECTED)

    response = auth_client.post(URL, shopify_body(), format="json")

    assert response.status_code == 201


def test_create_is_audited_with_secrets_masked(auth_client, user):
    response = auth_client.post(URL, shopify_body(), format="json", HTTP_USER_AGENT="pytest-agent")

    entry = AuditLog.objects.get(object_id=str(response.json()["id"]), action=AuditLog.Action.CREATE)
    assert entry.actor == user
    assert entry.user_agent == "pytest-agent"
    assert entry.changes["access_token"] == ["", SECRET_MASK]
    assert entry.changes["shop_domain"] == [None, "my-shop.myshopify.com"]
    assert SHOPIFY_TOKEN not in json.dumps(entry.changes)


def test_delete_without_listings_removes_the_store(auth_client, user):
    account = StoreAccountFactory(user=user)

    response = auth_client.delete(f"{URL}/{account.id}")

    assert response.status_code == 204
    assert not StoreAccount.objects.filter(pk=account.pk).exists()
    entry = AuditLog.objects.get(object_id=str(account.id), action=AuditLog.Action.DELETE)
    assert entry.changes["refresh_token"] == [SECRET_MASK, ""]
    assert "app-secret" not in json.dumps(entry.changes)


def test_delete_with_listings_disconnects_and_wipes_secrets(auth_client, user):
    account = StoreAccountFactory(user=user)
    listing = ListingFactory(user=user, store_account=account)

    response = auth_client.delete(f"{URL}/{account.id}")

    assert response.status_code == 204
    account.refresh_from_db()
    assert account.status == StoreAccount.Status.DISCONNECTED
    assert (account.credentials, account.access_token, account.refresh_token) == ({}, "", "")
    assert auth_client.get(f"/api/v1/listings/{listing.id}").status_code == 200


def test_disconnect_is_audited_with_secrets_masked(auth_client, user):
    account = StoreAccountFactory(user=user)
    ListingFactory(user=user, store_account=account)

    auth_client.delete(f"{URL}/{account.id}")

    entry = AuditLog.objects.get(object_id=str(account.id), action=AuditLog.Action.UPDATE)
    assert entry.changes["status"] == ["connected", "disconnected"]
    assert entry.changes["access_token"] == [SECRET_MASK, ""]
    assert "app-secret" not in json.dumps(entry.changes)


def test_disconnected_store_shows_no_credentials(auth_client, user):
    account = StoreAccountFactory(user=user)
    ListingFactory(user=user, store_account=account)
    auth_client.delete(f"{URL}/{account.id}")

    body = auth_client.get(f"{URL}/{account.id}").json()

    assert body["status"] == "disconnected"
    assert body["has_credentials"] is False


def test_other_users_store_account_is_not_found(other_client, user):
    account = StoreAccountFactory(user=user)

    assert other_client.get(f"{URL}/{account.id}").status_code == 404


def test_other_user_cannot_delete_a_store_account(other_client, user):
    account = StoreAccountFactory(user=user)

    response = other_client.delete(f"{URL}/{account.id}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    account.refresh_from_db()
    assert account.status == StoreAccount.Status.CONNECTED


def test_anonymous_request_is_refused(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_url_with_trailing_slash_does_not_route(auth_client):
    assert auth_client.get(f"{URL}/").status_code == 404


def test_list_query_count_does_not_grow_with_rows(auth_client, user):
    StoreAccountFactory(user=user)
    with CaptureQueriesContext(connection) as one:
        auth_client.get(URL)
    StoreAccountFactory.create_batch(9, user=user)
    with CaptureQueriesContext(connection) as ten:
        response = auth_client.get(URL)

    assert len(response.json()["results"]) == 10
    assert len(ten) == len(one)


def test_other_user_sees_an_empty_list(other_client, user):
    StoreAccountFactory.create_batch(2, user=user)

    assert other_client.get(URL).json()["results"] == []
