from django.contrib.admin import helpers
from django.urls import reverse

from accounts.models import ApiKey
from dropship_central.models import AuditLog
from suppliers.models import Supplier
from tests.admin.conftest import form_data
from tests.factories import ApiKeyFactory, SupplierFactory


def _entries(obj, action):
    return AuditLog.objects.filter(object_id=str(obj.pk), action=action, content_type__model=obj._meta.model_name)


def test_adding_through_the_admin_records_a_create_entry(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:suppliers_supplier_add"),
        {
            "slug": "uzum",
            "name": "Uzum",
            "is_active": "on",
            "requests_per_minute": 30,
            "concurrency": 2,
            "rotate_proxy_every": 10,
            "freshness_seconds": 3600,
            "config": "{}",
        },
    )

    assert response.status_code == 302
    supplier = Supplier.objects.get(slug="uzum")
    entry = _entries(supplier, AuditLog.Action.CREATE).get()
    assert entry.actor == superuser
    assert entry.changes["name"] == [None, "Uzum"]


def test_changing_through_the_admin_records_old_and_new_values(admin_client, superuser):
    supplier = SupplierFactory(slug="aliexpress", requests_per_minute=60)
    url = reverse("admin:suppliers_supplier_change", args=[supplier.pk])
    data = form_data(admin_client.get(url))
    data["requests_per_minute"] = "20"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    entry = _entries(supplier, AuditLog.Action.UPDATE).get()
    assert entry.actor == superuser
    assert entry.changes == {"requests_per_minute": [60, 20]}


def test_saving_without_changes_records_nothing(admin_client):
    supplier = SupplierFactory(slug="aliexpress")
    url = reverse("admin:suppliers_supplier_change", args=[supplier.pk])

    admin_client.post(url, form_data(admin_client.get(url)))

    assert not _entries(supplier, AuditLog.Action.UPDATE).exists()


def test_deleting_through_the_admin_records_a_delete_entry(admin_client, superuser):
    supplier = SupplierFactory(slug="aliexpress")

    response = admin_client.post(reverse("admin:suppliers_supplier_delete", args=[supplier.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert _entries(supplier, AuditLog.Action.DELETE).get().actor == superuser


def test_bulk_delete_action_records_one_delete_entry_per_object(admin_client):
    keys = ApiKeyFactory.create_batch(3)

    admin_client.post(
        reverse("admin:accounts_apikey_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [k.pk for k in keys], "post": "yes"},
    )

    assert not ApiKey.objects.exists()
    assert all(_entries(key, AuditLog.Action.DELETE).count() == 1 for key in keys)


def test_revoke_action_revokes_the_keys_and_records_an_admin_action(admin_client, superuser):
    key = ApiKeyFactory()

    response = admin_client.post(
        reverse("admin:accounts_apikey_changelist"), {"action": "revoke", helpers.ACTION_CHECKBOX_NAME: [key.pk]}
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    entry = _entries(key, AuditLog.Action.ADMIN_ACTION).get()
    assert entry.actor == superuser
    assert entry.message == "admin action: revoke"


def test_revoke_action_records_the_operator_as_who_revoked_the_key(admin_client, superuser):
    key = ApiKeyFactory()

    admin_client.post(
        reverse("admin:accounts_apikey_changelist"), {"action": "revoke", helpers.ACTION_CHECKBOX_NAME: [key.pk]}
    )

    assert _entries(key, AuditLog.Action.DELETE).get().actor == superuser
