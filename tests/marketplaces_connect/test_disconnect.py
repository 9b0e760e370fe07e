import pytest
from django.contrib.admin import helpers
from django.test import Client

from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from tests.factories import ListingFactory, StoreAccountFactory, UserFactory
from tests.loopback import Reply
from tests.marketplaces_connect.conftest import ISSUED_TOKEN, SHOP

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/marketplaces/storeaccount/"


@pytest.fixture
def installed_shop(user, shopify_oauth):
    shopify_oauth.tokens.add(ISSUED_TOKEN)
    return StoreAccountFactory(
        user=user,
        marketplace=StoreAccount.Marketplace.SHOPIFY,
        shop_domain=SHOP,
        credentials={},
        access_token=ISSUED_TOKEN,
        refresh_token="",
        install_method=StoreAccount.InstallMethod.OAUTH,
    )


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def test_disconnect_uninstalls_an_oauth_installed_shop_and_wipes_the_token(auth_client, installed_shop, shopify_oauth):
    response = auth_client.post(f"/api/v1/store-accounts/{installed_shop.id}/disconnect")

    assert response.status_code == 200
    assert shopify_oauth.revoked == [ISSUED_TOKEN]
    account = StoreAccount.objects.get(pk=installed_shop.pk)
    assert account.status == StoreAccount.Status.DISCONNECTED
    assert (account.access_token, account.install_method) == ("", "")
    entry = AuditLog.objects.get(object_id=str(account.pk), action=AuditLog.Action.UPDATE)
    assert entry.message == "Store disconnected; Shopify app access revoked"


def test_a_failed_revoke_still_disconnects_and_says_so(auth_client, installed_shop, loopback):
    failure = Reply(status=503, body="{}", content_type="application/json")
    loopback.route("/admin/api_permissions/current.json", failure)

    auth_client.post(f"/api/v1/store-accounts/{installed_shop.id}/disconnect")

    account = StoreAccount.objects.get(pk=installed_shop.pk)
    assert account.status == StoreAccount.Status.DISCONNECTED
    assert account.access_token == ""
    assert account.last_error.startswith("revoke failed")


def test_a_custom_app_token_is_wiped_without_calling_shopify(auth_client, user, shopify_oauth, loopback):
    shop = StoreAccountFactory(
        user=user, marketplace="shopify", shop_domain=SHOP, credentials={}, access_token="shpat_x", refresh_token=""
    )
    shop.install_method = StoreAccount.InstallMethod.CUSTOM_APP
    shop.save()

    auth_client.post(f"/api/v1/store-accounts/{shop.id}/disconnect")

    assert loopback.requests == []
    assert StoreAccount.objects.get(pk=shop.pk).status == StoreAccount.Status.DISCONNECTED


def test_ebay_disconnect_notes_there_is_no_revoke_endpoint(auth_client, user):
    account = StoreAccountFactory(user=user)

    auth_client.post(f"/api/v1/store-accounts/{account.id}/disconnect")

    entry = AuditLog.objects.get(object_id=str(account.pk), action=AuditLog.Action.UPDATE)
    assert "eBay has no revoke endpoint" in entry.message
    assert StoreAccount.objects.get(pk=account.pk).refresh_token == ""


def test_deleting_a_store_without_listings_revokes_it_too(auth_client, installed_shop, shopify_oauth):
    assert auth_client.delete(f"/api/v1/store-accounts/{installed_shop.id}").status_code == 204

    assert shopify_oauth.revoked == [ISSUED_TOKEN]
    assert not StoreAccount.objects.filter(pk=installed_shop.pk).exists()


def test_removing_a_store_with_listings_revokes_and_keeps_it(auth_client, installed_shop, shopify_oauth):
    ListingFactory(user=installed_shop.user, store_account=installed_shop)

    auth_client.delete(f"/api/v1/store-accounts/{installed_shop.id}")

    assert shopify_oauth.revoked == [ISSUED_TOKEN]
    assert StoreAccount.objects.get(pk=installed_shop.pk).status == StoreAccount.Status.DISCONNECTED


def test_another_user_cannot_disconnect(other_client, installed_shop, shopify_oauth):
    assert other_client.post(f"/api/v1/store-accounts/{installed_shop.id}/disconnect").status_code == 404

    assert shopify_oauth.revoked == []
    assert StoreAccount.objects.get(pk=installed_shop.pk).status == StoreAccount.Status.CONNECTED


def test_admin_disconnect_action_revokes_and_is_audited(admin_client, installed_shop, shopify_oauth):
    response = admin_client.post(
        CHANGELIST, {"action": "disconnect_accounts", helpers.ACTION_CHECKBOX_NAME: [installed_shop.pk]}
    )

    assert response.status_code == 302
    assert shopify_oauth.revoked == [ISSUED_TOKEN]
    assert StoreAccount.objects.get(pk=installed_shop.pk).status == StoreAccount.Status.DISCONNECTED
    assert AuditLog.objects.filter(
        action=AuditLog.Action.ADMIN_ACTION,
        object_id=str(installed_shop.pk),
        message="admin action: disconnect_accounts",
    ).exists()


def test_admin_connect_action_shows_the_install_link_and_is_audited(admin_client, user, shopify_oauth):
    pending = StoreAccountFactory(
        user=user,
        marketplace="shopify",
        shop_domain=SHOP,
        status=StoreAccount.Status.PENDING,
        credentials={},
        access_token="",
        refresh_token="",
    )

    response = admin_client.post(
        CHANGELIST, {"action": "connect_accounts", helpers.ACTION_CHECKBOX_NAME: [pending.pk]}, follow=True
    )

    assert "/admin/oauth/authorize?client_id=" in response.content.decode()
    assert StoreAccount.objects.get(pk=pending.pk).oauth_nonce != ""
    assert AuditLog.objects.filter(
        action=AuditLog.Action.ADMIN_ACTION, object_id=str(pending.pk), message="admin action: connect_accounts"
    ).exists()


def test_admin_connect_action_reports_what_is_missing(admin_client, user):
    account = StoreAccountFactory(user=user, status=StoreAccount.Status.PENDING, credentials={})

    response = admin_client.post(
        CHANGELIST, {"action": "connect_accounts", helpers.ACTION_CHECKBOX_NAME: [account.pk]}, follow=True
    )

    assert "needs its eBay application credentials" in response.content.decode()
