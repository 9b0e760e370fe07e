import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.admin.conftest import FACTORIES, PROJECT_APPS

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry if model._meta.app_label in PROJECT_APPS)
# Records only services write (history, audit, jobs, hashed keys, computed caches): no add page on purpose.
NO_ADD_PAGE = {
    "accounts.apikey",
    "core.job",
    "core.auditlog",
    "catalog.pricehistory",
    "catalog.stockhistory",
    "catalog.suspectreading",
    "listings.pricedecision",
    "listings.listingpush",
    "marketplaces.importedorder",
    "analytics.analyticscache",
    "catalog.historyday",
    "catalog.historyseries",
    "catalog.chargedprice",
    "analytics.businessday",
    "analytics.listingperiod",
    "analytics.businessdataversion",
    "alerts.notificationattempt",
    "alerts.policystate",
}


def _url(label: str, view: str, *args: object) -> str:
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def test_every_project_model_is_registered():
    models = {m._meta.label_lower for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()}

    assert models == set(REGISTERED)


def test_every_registered_model_has_a_factory_for_these_tests():
    assert set(REGISTERED) == set(FACTORIES)


@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_answers_200(admin_client, label):
    FACTORIES[label]()

    response = admin_client.get(_url(label, "changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize("label", REGISTERED)
def test_change_page_answers_200(admin_client, label):
    obj = FACTORIES[label]()

    response = admin_client.get(_url(label, "change", obj.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("label", sorted(set(REGISTERED) - NO_ADD_PAGE))
def test_add_page_answers_200(admin_client, label):
    response = admin_client.get(_url(label, "add"))

    assert response.status_code == 200


@pytest.mark.parametrize("label", sorted(NO_ADD_PAGE))
def test_service_written_records_have_no_add_page(admin_client, label):
    response = admin_client.get(_url(label, "add"))

    assert response.status_code == 403


@pytest.mark.parametrize("label", ["core.auditlog", "catalog.pricehistory", "catalog.stockhistory"])
def test_append_only_records_cannot_be_changed_or_deleted(admin_client, label):
    obj = FACTORIES[label]()

    page = admin_client.get(_url(label, "change", obj.pk))
    delete = admin_client.post(_url(label, "delete", obj.pk), {"post": "yes"})

    assert 'name="_save"' not in page.content.decode()
    assert delete.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
