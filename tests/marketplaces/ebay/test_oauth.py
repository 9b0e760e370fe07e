import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from marketplaces.oauth import EBAY_SCOPES, state_sign, state_verify
from marketplaces.plugins.base import MarketplaceDownError, ReconnectNeededError
from marketplaces.services import store_account_refresh
from tests.marketplaces.ebay.factories import EbayStoreAccountFactory
from tests.marketplaces.ebay.fake_ebay import CLIENT_ID, CLIENT_SECRET, RU_NAME, TOKEN_PATH

pytestmark = pytest.mark.django_db

CODE = "v^1.1#i^1#auth-code"
CALLBACK = "/api/v1/marketplaces/ebay/callback"


def connect_url(client, account) -> str:
    response = client.post(f"/api/v1/store-accounts/{account.id}/connect")
    assert response.status_code == 200, response.content
    return response.json()["authorization_url"]


def state_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["state"][0]


@pytest.fixture
def pending_account(fake_ebay, user):
    return EbayStoreAccountFactory(
        user=user,
        status=StoreAccount.Status.PENDING,
        access_token="",
        refresh_token="",
        access_token_expires_at=None,
        refresh_token_expires_at=None,
    )


def test_consent_url_asks_for_the_three_sell_scopes_with_client_id_and_ru_name(auth_client, pending_account, settings):
    url = connect_url(auth_client, pending_account)

    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{settings.EBAY_AUTH_BASE_URL}/oauth2/authorize"
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["redirect_uri"] == [RU_NAME]
    assert query["scope"][0].split(" ") == list(EBAY_SCOPES)
    assert "sell.inventory+https://api.ebay.com/oauth/api_scope/sell.account+" in parts.query


def test_consent_url_carries_no_secret(auth_client, pending_account):
    url = connect_url(auth_client, pending_account)

    assert CLIENT_SECRET not in url


def test_consent_state_is_signed_for_the_user_and_the_store(auth_client, pending_account, user):
    claims = state_verify(state_of(connect_url(auth_client, pending_account)))

    assert (claims.user_id, claims.account_id) == (user.id, pending_account.id)


def test_sandbox_store_is_sent_to_the_sandbox_consent_page(auth_client, pending_account, settings):
    settings.EBAY_SANDBOX_AUTH_BASE_URL = "https://auth.sandbox.example"
    pending_account.environment = StoreAccount.Environment.SANDBOX
    pending_account.save()

    assert connect_url(auth_client, pending_account).startswith("https://auth.sandbox.example/oauth2/authorize?")


def test_connect_without_a_ru_name_is_refused(auth_client, pending_account):
    pending_account.credentials = {"client_id": "id", "client_secret": "secret"}
    pending_account.save()

    response = auth_client.post(f"/api/v1/store-accounts/{pending_account.id}/connect")

    assert response.status_code == 400
    assert response.json()["error"]["details"] == {"credentials": ["ru_name"]}


def test_connect_on_another_users_store_is_not_found(other_client, pending_account):
    assert other_client.post(f"/api/v1/store-accounts/{pending_account.id}/connect").status_code == 404


def test_callback_exchanges_the_code_and_stores_encrypted_tokens(auth_client, api_client, pending_account, fake_ebay):
    state = state_of(connect_url(auth_client, pending_account))

    response = api_client.get(CALLBACK, {"code": CODE, "state": state})

    assert response.status_code == 200, response.content
    account = StoreAccount.objects.get(pk=pending_account.pk)
    assert account.status == StoreAccount.Status.CONNECTED
    assert account.access_token in fake_ebay.state.access_tokens
    assert account.refresh_token in fake_ebay.state.refresh_tokens
    assert timedelta(minutes=119) < account.access_token_expires_at - timezone.now() <= timedelta(hours=2)
    assert account.refresh_token_expires_at - timezone.now() > timedelta(days=540)
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM marketplaces_storeaccount WHERE id = %s", [account.pk])
        assert cursor.fetchone()[0] != account.access_token


def test_code_exchange_sends_the_ru_name_with_basic_client_credentials(
    auth_client, api_client, pending_account, fake_ebay
):
    api_client.get(CALLBACK, {"code": CODE, "state": state_of(connect_url(auth_client, pending_account))})

    (token_request,) = fake_ebay.seen("POST", TOKEN_PATH)
    form = parse_qs(token_request.body.decode())
    assert form == {"grant_type": ["authorization_code"], "code": [CODE], "redirect_uri": [RU_NAME]}
    assert token_request.headers["authorization"].startswith("Basic ")


def test_callback_with_a_tampered_state_is_refused_without_calling_ebay(
    auth_client, api_client, pending_account, fake_ebay
):
    state = state_of(connect_url(auth_client, pending_account))

    response = api_client.get(CALLBACK, {"code": CODE, "state": state[:-2] + "xx"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "state_mismatch"
    assert fake_ebay.seen("POST", TOKEN_PATH) == []
    assert StoreAccount.objects.get(pk=pending_account.pk).status == StoreAccount.Status.PENDING


def test_callback_with_an_expired_state_is_refused(auth_client, api_client, pending_account, settings):
    state = state_of(connect_url(auth_client, pending_account))
    settings.EBAY_OAUTH_STATE_MAX_AGE = -1

    response = api_client.get(CALLBACK, {"code": CODE, "state": state})

    assert response.json()["error"]["code"] == "state_mismatch"
    assert "expired" in response.json()["error"]["message"]


def test_callback_signed_in_as_another_user_is_refused(auth_client, other_client, pending_account):
    state = state_of(connect_url(auth_client, pending_account))

    response = other_client.get(CALLBACK, {"code": CODE, "state": state})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "state_mismatch"


def test_state_from_an_older_consent_link_is_refused(auth_client, api_client, pending_account):
    old_state = state_of(connect_url(auth_client, pending_account))
    connect_url(auth_client, pending_account)

    response = api_client.get(CALLBACK, {"code": CODE, "state": old_state})

    assert response.json()["error"]["code"] == "state_mismatch"


def test_state_naming_another_owner_is_refused(api_client, pending_account, other_user):
    pending_account.oauth_nonce = "nonce"
    pending_account.save()
    forged = state_sign(user_id=other_user.id, account_id=pending_account.id, nonce="nonce")

    response = api_client.get(CALLBACK, {"code": CODE, "state": forged})

    assert response.json()["error"]["code"] == "state_mismatch"


def test_a_state_works_only_once(auth_client, api_client, pending_account):
    state = state_of(connect_url(auth_client, pending_account))
    api_client.get(CALLBACK, {"code": CODE, "state": state})

    response = api_client.get(CALLBACK, {"code": CODE, "state": state})

    assert response.json()["error"]["code"] == "state_mismatch"


def test_denied_consent_is_recorded_and_nothing_is_exchanged(auth_client, api_client, pending_account, fake_ebay):
    state = state_of(connect_url(auth_client, pending_account))

    response = api_client.get(
        CALLBACK, {"state": state, "error": "access_denied", "error_description": "The user declined"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "consent_denied"
    account = StoreAccount.objects.get(pk=pending_account.pk)
    assert account.status == StoreAccount.Status.PENDING
    assert "The user declined" in account.last_error
    assert fake_ebay.seen("POST", TOKEN_PATH) == []


def test_a_code_ebay_rejects_keeps_the_store_pending_with_the_reason(auth_client, api_client, pending_account):
    state = state_of(connect_url(auth_client, pending_account))

    response = api_client.get(CALLBACK, {"code": "stale-code", "state": state})

    assert response.json()["error"]["code"] == "consent_rejected"
    account = StoreAccount.objects.get(pk=pending_account.pk)
    assert account.status == StoreAccount.Status.PENDING
    assert "invalid or was issued to another client" in account.last_error


def test_refresh_replaces_a_token_about_to_expire(ebay_account, fake_ebay):
    old = ebay_account.access_token
    ebay_account.access_token_expires_at = timezone.now() + timedelta(seconds=30)
    ebay_account.save()

    account = store_account_refresh(account=ebay_account)

    assert account.access_token != old
    assert account.access_token in fake_ebay.state.access_tokens
    assert account.access_token_expires_at > timezone.now() + timedelta(minutes=119)


def test_refresh_leaves_a_fresh_token_alone(ebay_account, fake_ebay):
    account = store_account_refresh(account=ebay_account)

    assert account.access_token == ebay_account.access_token
    assert fake_ebay.seen("POST", TOKEN_PATH) == []


def test_refresh_sends_the_refresh_token_grant(ebay_account, fake_ebay):
    store_account_refresh(account=ebay_account, stale_token=ebay_account.access_token)

    (request,) = fake_ebay.seen("POST", TOKEN_PATH)
    form = parse_qs(request.body.decode())
    assert form["grant_type"] == ["refresh_token"]
    assert form["refresh_token"] == [ebay_account.refresh_token]
    assert form["scope"][0].split(" ") == list(EBAY_SCOPES)


def test_revoked_refresh_token_marks_the_store_reconnect_needed_with_the_reason(ebay_account, fake_ebay):
    fake_ebay.state.refresh_tokens.clear()

    with pytest.raises(ReconnectNeededError):
        store_account_refresh(account=ebay_account, stale_token=ebay_account.access_token)

    account = StoreAccount.objects.get(pk=ebay_account.pk)
    assert account.status == StoreAccount.Status.RECONNECT_NEEDED
    assert "refresh token is invalid" in account.last_error
    assert (account.access_token, account.refresh_token) == ("", "")


def test_reconnect_needed_is_audited(ebay_account, fake_ebay):
    fake_ebay.state.refresh_tokens.clear()

    with pytest.raises(ReconnectNeededError):
        store_account_refresh(account=ebay_account, stale_token=ebay_account.access_token)

    entry = AuditLog.objects.get(object_id=str(ebay_account.pk), action=AuditLog.Action.UPDATE)
    assert entry.changes["status"] == ["connected", "reconnect_needed"]
    assert entry.changes["refresh_token"] == ["********", ""]


def test_token_endpoint_down_keeps_the_store_connected(ebay_account, fake_ebay):
    fake_ebay.state.refresh_error = "temporarily_unavailable"

    with pytest.raises(MarketplaceDownError):
        store_account_refresh(account=ebay_account, stale_token=ebay_account.access_token)

    assert StoreAccount.objects.get(pk=ebay_account.pk).status == StoreAccount.Status.CONNECTED


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_call_ebay_once(fake_ebay, user):
    access, refresh = fake_ebay.issue_tokens()
    account = EbayStoreAccountFactory(
        user=user, access_token=access, refresh_token=refresh, access_token_expires_at=timezone.now()
    )
    fake_ebay.state.token_delay = 0.3
    tokens: list[str] = []
    start = threading.Barrier(3)

    def worker() -> None:
        try:
            start.wait()
            tokens.append(store_account_refresh(account=StoreAccount.objects.get(pk=account.pk)).access_token)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(fake_ebay.seen("POST", TOKEN_PATH)) == 1
    assert len(tokens) == 3
    assert len(set(tokens)) == 1


def test_disconnect_wipes_every_secret_and_keeps_the_store(auth_client, ebay_account):
    response = auth_client.post(f"/api/v1/store-accounts/{ebay_account.id}/disconnect")

    assert response.status_code == 200
    assert response.json()["status"] == "disconnected"
    account = StoreAccount.objects.get(pk=ebay_account.pk)
    assert (account.access_token, account.refresh_token, account.credentials) == ("", "", {})


def test_disconnect_on_another_users_store_is_not_found(other_client, ebay_account):
    assert other_client.post(f"/api/v1/store-accounts/{ebay_account.id}/disconnect").status_code == 404


def test_callback_needs_no_sign_in(pending_account, auth_client):
    state = state_of(connect_url(auth_client, pending_account))

    response = APIClient().get(CALLBACK, {"code": CODE, "state": state})

    assert response.status_code == 200


def test_connect_on_a_shopify_store_is_refused(auth_client, user):
    shop = EbayStoreAccountFactory(user=user, marketplace="shopify", shop_domain="a.myshopify.com")

    response = auth_client.post(f"/api/v1/store-accounts/{shop.id}/connect")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_oauth"


def test_sandbox_store_exchanges_its_code_with_the_sandbox_api(auth_client, api_client, pending_account, settings):
    settings.EBAY_BASE_URL = "http://127.0.0.1:9"
    pending_account.environment = StoreAccount.Environment.SANDBOX
    pending_account.save()
    state = state_of(connect_url(auth_client, pending_account))

    response = api_client.get(CALLBACK, {"code": CODE, "state": state})

    assert response.json()["status"] == "connected"


def test_a_completed_consent_is_audited_without_secrets(auth_client, api_client, pending_account, user):
    api_client.get(CALLBACK, {"code": CODE, "state": state_of(connect_url(auth_client, pending_account))})

    entry = AuditLog.objects.get(object_id=str(pending_account.pk), message="eBay consent")
    assert entry.actor == user
    assert entry.changes["status"] == ["pending", "connected"]
    assert entry.changes["access_token"] == ["", "********"]
