from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from django.db import connection

from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from marketplaces.oauth import state_sign, state_verify
from marketplaces.shopify_oauth import query_signature_valid
from tests.factories import StoreAccountFactory
from tests.loopback import Reply
from tests.marketplaces_connect.conftest import CLIENT_ID, CODE, ISSUED_TOKEN, SHOP, signed_query

pytestmark = pytest.mark.django_db

CALLBACK = "/api/v1/marketplaces/shopify/callback"


@pytest.fixture
def pending_shop(user):
    return StoreAccountFactory(
        user=user,
        marketplace=StoreAccount.Marketplace.SHOPIFY,
        shop_domain=SHOP,
        status=StoreAccount.Status.PENDING,
        credentials={},
        access_token="",
        refresh_token="",
    )


def install_state(client, account) -> str:
    response = client.post(f"/api/v1/store-accounts/{account.id}/connect")
    assert response.status_code == 200, response.content
    return parse_qs(urlsplit(response.json()["authorization_url"]).query)["state"][0]


def callback(client, **params: str):
    query = {"code": CODE, "shop": SHOP, "timestamp": "1337178173", "host": "YWRtaW4uc2hvcGlmeS5jb20", **params}
    return client.get(f"{CALLBACK}?{signed_query(query)}")


def test_shopifys_documented_example_signature_is_accepted_and_a_changed_value_is_not():
    query = (
        "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
        "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173"
    )
    assert query_signature_valid(parse_qsl(query), secret="hush")
    assert not query_signature_valid(parse_qsl(query.replace("some-shop", "other-shop")), secret="hush")
    assert not query_signature_valid(parse_qsl(query), secret="another-secret")


def test_install_url_is_the_shops_authorize_page_with_client_id_scopes_redirect_and_state(
    auth_client, pending_shop, shopify_oauth, settings
):
    response = auth_client.post(f"/api/v1/store-accounts/{pending_shop.id}/connect")

    parts = urlsplit(response.json()["authorization_url"])
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{settings.SHOPIFY_BASE_URL}/admin/oauth/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == ["read_products,write_products,read_inventory,write_inventory,read_orders"]
    assert query["redirect_uri"] == [settings.SHOPIFY_REDIRECT_URI]
    claims = state_verify(query["state"][0])
    assert (claims.user_id, claims.account_id) == (pending_shop.user_id, pending_shop.id)


def test_install_url_falls_back_to_this_services_callback_without_a_configured_redirect(
    auth_client, pending_shop, shopify_oauth, settings
):
    settings.SHOPIFY_REDIRECT_URI = ""
    response = auth_client.post(f"/api/v1/store-accounts/{pending_shop.id}/connect")

    query = parse_qs(urlsplit(response.json()["authorization_url"]).query)
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]


def test_install_refused_while_the_shopify_app_is_not_configured(auth_client, pending_shop, settings):
    settings.SHOPIFY_CLIENT_ID = ""
    response = auth_client.post(f"/api/v1/store-accounts/{pending_shop.id}/connect")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_configured"


def test_another_users_store_cannot_be_connected(other_client, pending_shop, shopify_oauth):
    assert other_client.post(f"/api/v1/store-accounts/{pending_shop.id}/connect").status_code == 404


def test_shopify_store_without_a_token_is_created_pending_for_the_install(auth_client, shopify_oauth):
    response = auth_client.post(
        "/api/v1/store-accounts",
        {"marketplace": "shopify", "name": "Main", "shop_domain": SHOP, "credentials": {}},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"


def test_callback_exchanges_the_code_and_connects_with_the_token_encrypted(
    api_client, auth_client, pending_shop, shopify_oauth
):
    state = install_state(auth_client, pending_shop)

    response = callback(api_client, state=state)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "connected"
    assert shopify_oauth.exchanges[-1]["code"] == [CODE]
    account = StoreAccount.objects.get(pk=pending_shop.pk)
    assert account.access_token == ISSUED_TOKEN
    assert account.install_method == StoreAccount.InstallMethod.OAUTH
    assert account.scopes == ["write_products", "write_inventory", "read_orders"]
    assert account.oauth_nonce == ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM marketplaces_storeaccount WHERE id = %s", [account.pk])
        assert ISSUED_TOKEN not in cursor.fetchone()[0]
    entry = AuditLog.objects.get(object_id=str(account.pk), message="Shopify install")
    assert entry.changes["status"] == ["pending", "connected"]
    assert ISSUED_TOKEN not in str(entry.changes)


def test_a_used_state_cannot_connect_twice(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)
    assert callback(api_client, state=state).status_code == 200

    response = callback(api_client, state=state)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "state_mismatch"
    assert len(shopify_oauth.exchanges) == 1


def test_bad_hmac_is_refused_before_anything_changes(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)
    query = signed_query({"code": CODE, "shop": SHOP, "state": state, "timestamp": "1"}, secret="not-the-secret")

    response = api_client.get(f"{CALLBACK}?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "hmac_invalid"
    assert shopify_oauth.exchanges == []
    account = StoreAccount.objects.get(pk=pending_shop.pk)
    assert account.status == StoreAccount.Status.PENDING
    assert account.oauth_nonce != ""


def test_a_query_altered_after_signing_is_refused(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)
    query = signed_query({"code": CODE, "shop": SHOP, "state": state, "timestamp": "1"})

    response = api_client.get(f"{CALLBACK}?{query.replace('code=', 'code=x')}")

    assert response.json()["error"]["code"] == "hmac_invalid"


def test_state_of_an_older_link_is_refused(api_client, auth_client, pending_shop, shopify_oauth):
    old = install_state(auth_client, pending_shop)
    install_state(auth_client, pending_shop)

    response = callback(api_client, state=old)

    assert response.json()["error"]["code"] == "state_mismatch"
    assert shopify_oauth.exchanges == []


def test_forged_state_is_refused(api_client, pending_shop, shopify_oauth):
    response = callback(api_client, state="forged-state")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "state_mismatch"


def test_state_of_an_ebay_store_cannot_connect_a_shopify_install(api_client, user, shopify_oauth):
    ebay = StoreAccountFactory(user=user, status=StoreAccount.Status.PENDING, oauth_nonce="n-1")
    state = state_sign(user_id=user.pk, account_id=ebay.pk, nonce="n-1")

    response = callback(api_client, state=state)

    assert response.json()["error"]["code"] == "state_mismatch"
    assert shopify_oauth.exchanges == []


def test_signed_in_as_another_user_the_state_is_refused(other_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)

    response = callback(other_client, state=state)

    assert response.json()["error"]["code"] == "state_mismatch"
    assert StoreAccount.objects.get(pk=pending_shop.pk).status == StoreAccount.Status.PENDING


def test_denied_consent_is_recorded_without_an_exchange(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)
    query = signed_query(
        {"error": "access_denied", "error_description": "The merchant declined", "shop": SHOP, "state": state}
    )

    response = api_client.get(f"{CALLBACK}?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_denied"
    assert shopify_oauth.exchanges == []
    account = StoreAccount.objects.get(pk=pending_shop.pk)
    assert account.status == StoreAccount.Status.PENDING
    assert "The merchant declined" in account.last_error
    assert account.oauth_nonce == ""


@pytest.mark.parametrize("shop", ["someone-else.myshopify.com", "evil.example.com", ""])
def test_a_shop_other_than_the_stores_own_is_refused(api_client, auth_client, pending_shop, shopify_oauth, shop):
    state = install_state(auth_client, pending_shop)

    response = callback(api_client, state=state, shop=shop)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "shop_mismatch"
    assert shopify_oauth.exchanges == []
    assert StoreAccount.objects.get(pk=pending_shop.pk).access_token == ""


def test_a_refused_code_leaves_the_store_unconnected(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)
    shopify_oauth.codes.clear()

    response = callback(api_client, state=state)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_rejected"
    account = StoreAccount.objects.get(pk=pending_shop.pk)
    assert account.status == StoreAccount.Status.PENDING
    assert "authorization code was not found" in account.last_error


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=503, body="{}", content_type="application/json"),
        Reply(status=200, body="<html>maintenance</html>"),
    ],
)
def test_an_unavailable_or_garbled_exchange_answers_502(api_client, auth_client, pending_shop, shopify_oauth, reply):
    state = install_state(auth_client, pending_shop)
    shopify_oauth.exchange_replies.extend([reply, reply])

    response = callback(api_client, state=state)

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "marketplace_unavailable"
    assert StoreAccount.objects.get(pk=pending_shop.pk).status == StoreAccount.Status.PENDING


def test_a_shopify_install_state_is_refused_by_the_ebay_callback(api_client, auth_client, pending_shop, shopify_oauth):
    state = install_state(auth_client, pending_shop)

    response = api_client.get("/api/v1/marketplaces/ebay/callback", {"code": "any", "state": state})

    assert response.json()["error"]["code"] == "state_mismatch"
    assert StoreAccount.objects.get(pk=pending_shop.pk).oauth_nonce != ""
