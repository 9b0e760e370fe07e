import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from dropship_central.models import AuditLog
from marketplaces.models import StoreAccount
from suppliers.models import Proxy
from tests.admin.conftest import form_data
from tests.factories import ListingFactory, ProxyFactory, StoreAccountFactory

CLIENT_SECRET = "client-secret-7f3a9c"
ACCESS_TOKEN = "access-token-51b2e8"
REFRESH_TOKEN = "refresh-token-c04d17"
PROXY_PASSWORD = "proxy-password-9e8d7c"
STORE_SECRETS = (CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN)


@pytest.fixture
def store(db):
    return StoreAccountFactory(
        credentials={"client_id": "app-id", "client_secret": CLIENT_SECRET},
        access_token=ACCESS_TOKEN,
        refresh_token=REFRESH_TOKEN,
    )


@pytest.fixture
def proxy(db):
    return ProxyFactory(username="scraper", password=PROXY_PASSWORD)


def _assert_absent(html: str, secrets: tuple[str, ...]) -> None:
    for secret in secrets:
        assert secret not in html


@pytest.mark.parametrize("view", ["changelist", "change", "history", "delete"])
def test_store_account_pages_never_show_its_secrets(admin_client, store, view):
    ListingFactory(store_account=store, user=store.user)
    args = [] if view == "changelist" else [store.pk]

    response = admin_client.get(reverse(f"admin:marketplaces_storeaccount_{view}", args=args))

    assert response.status_code == 200
    _assert_absent(response.content.decode(), STORE_SECRETS)


def test_store_account_change_page_says_which_secrets_are_set(admin_client, store):
    html = admin_client.get(reverse("admin:marketplaces_storeaccount_change", args=[store.pk])).content.decode()

    assert html.count("********") == 3


def test_setting_a_token_stores_it_without_echoing_or_auditing_it(admin_client, store):
    url = reverse("admin:marketplaces_storeaccount_change", args=[store.pk])
    data = form_data(admin_client.get(url))
    data["set_access_token"] = "new-access-token-0a1b2c"

    response = admin_client.post(url, data, follow=True)

    store.refresh_from_db()
    assert store.access_token == "new-access-token-0a1b2c"
    assert store.refresh_token == REFRESH_TOKEN
    assert store.credentials["client_secret"] == CLIENT_SECRET
    _assert_absent(response.content.decode(), ("new-access-token-0a1b2c", *STORE_SECRETS))
    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(store.pk))
    assert entry.changes == {"set_access_token": ["", "********"]}
    assert "new-access-token" not in str(LogEntry.objects.values_list("change_message", flat=True))


def test_a_rejected_form_does_not_echo_the_submitted_secrets(admin_client, store):
    url = reverse("admin:marketplaces_storeaccount_change", args=[store.pk])
    data = form_data(admin_client.get(url))
    data.update(name="", set_access_token="typed-token-3f4e5d", set_credentials='{"client_secret": "typed-cs-6a7b"}')

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    _assert_absent(response.content.decode(), ("typed-token-3f4e5d", "typed-cs-6a7b", *STORE_SECRETS))


def test_credentials_must_be_a_json_object(admin_client, store):
    url = reverse("admin:marketplaces_storeaccount_change", args=[store.pk])
    data = form_data(admin_client.get(url))
    data["set_credentials"] = '["not", "an", "object"]'

    response = admin_client.post(url, data)

    assert "set_credentials" in response.context["adminform"].form.errors
    store.refresh_from_db()
    assert store.credentials["client_secret"] == CLIENT_SECRET


def test_clearing_secrets_wipes_credentials_and_tokens(admin_client, store):
    url = reverse("admin:marketplaces_storeaccount_change", args=[store.pk])
    data = form_data(admin_client.get(url))
    data["clear_secrets"] = "on"

    admin_client.post(url, data)

    store = StoreAccount.objects.get(pk=store.pk)
    assert (store.credentials, store.access_token, store.refresh_token) == ({}, "", "")


@pytest.mark.parametrize("view", ["changelist", "change", "history", "delete"])
def test_proxy_pages_never_show_its_password(admin_client, proxy, view):
    args = [] if view == "changelist" else [proxy.pk]

    response = admin_client.get(reverse(f"admin:suppliers_proxy_{view}", args=args))

    assert response.status_code == 200
    _assert_absent(response.content.decode(), (PROXY_PASSWORD,))


def test_setting_a_proxy_password_stores_it_masked_in_the_audit(admin_client, proxy):
    url = reverse("admin:suppliers_proxy_change", args=[proxy.pk])
    data = form_data(admin_client.get(url))
    data["new_password"] = "rotated-password-1c2d"

    response = admin_client.post(url, data, follow=True)

    assert Proxy.objects.get(pk=proxy.pk).password == "rotated-password-1c2d"
    _assert_absent(response.content.decode(), ("rotated-password-1c2d", PROXY_PASSWORD))
    entry = AuditLog.objects.get(action=AuditLog.Action.UPDATE, object_id=str(proxy.pk))
    assert "rotated-password" not in str(entry.changes)


def test_saving_a_proxy_without_a_new_password_keeps_the_old_one(admin_client, proxy):
    url = reverse("admin:suppliers_proxy_change", args=[proxy.pk])
    data = form_data(admin_client.get(url))
    data["port"] = "3128"

    admin_client.post(url, data)

    proxy = Proxy.objects.get(pk=proxy.pk)
    assert (proxy.port, proxy.password) == (3128, PROXY_PASSWORD)


def test_adding_a_store_account_masks_every_secret_in_the_audit(admin_client, user):
    response = admin_client.post(
        reverse("admin:marketplaces_storeaccount_add"),
        {
            "user": user.pk,
            "marketplace": "shopify",
            "name": "Main shop",
            "environment": "production",
            "shop_domain": "https://Main.myshopify.com/",
            "status": "connected",
            "scopes": "[]",
            "currency": "USD",
            "set_access_token": "shpat-secret-value-88",
            "set_credentials": '{"api_secret": "shpss-secret-value-99"}',
        },
    )

    assert response.status_code == 302
    store = StoreAccount.objects.get(name="Main shop")
    assert store.access_token == "shpat-secret-value-88"
    assert store.shop_domain == "main.myshopify.com"
    entry = AuditLog.objects.get(action=AuditLog.Action.CREATE, object_id=str(store.pk))
    assert "secret-value" not in str(entry.changes)
    assert entry.changes["set_access_token"] == ["", "********"]


def test_a_shopify_store_needs_a_myshopify_domain(admin_client, user):
    response = admin_client.post(
        reverse("admin:marketplaces_storeaccount_add"),
        {
            "user": user.pk,
            "marketplace": "shopify",
            "name": "Bad shop",
            "environment": "production",
            "shop_domain": "example.com",
            "status": "pending",
            "scopes": "[]",
            "currency": "USD",
        },
    )

    assert "shop_domain" in response.context["adminform"].form.errors
    assert not StoreAccount.objects.filter(name="Bad shop").exists()
