"""No changelist runs a query per row: the count is the same for 2 rows and 20 rows."""

from itertools import count

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.admin.conftest import FACTORIES, PROJECT_APPS
from tests.factories import (
    AlertFactory,
    JobFactory,
    ListingFactory,
    PolicyRuleFactory,
    PriceHistoryFactory,
    ProductFactory,
    ProductVariantFactory,
    ProxyFactory,
    StockHistoryFactory,
    StoreAccountFactory,
    SupplierFactory,
)

SLUGS = (f"supplier-{n}" for n in count())


def _supplier_row():
    return SupplierFactory(slug=next(SLUGS))


def _price_row():
    variant = ProductVariantFactory()
    return PriceHistoryFactory(product=variant.product, variant=variant)


def _stock_row():
    variant = ProductVariantFactory()
    return StockHistoryFactory(product=variant.product, variant=variant)


def _alert_row():
    listing = ListingFactory()
    rule = PolicyRuleFactory(user=listing.user)
    return AlertFactory(user=listing.user, rule=rule, product=listing.product, listing=listing)


def _proxy_row():
    return ProxyFactory(supplier=_supplier_row())


def _store_row():
    store = StoreAccountFactory()
    ListingFactory(store_account=store, user=store.user)
    return store


# The biggest tables, each row built with its own related objects so a missing join shows up.
BIG_TABLES = {
    "catalog.product": lambda: ProductFactory(supplier=_supplier_row()),
    "listings.listing": ListingFactory,
    "catalog.pricehistory": _price_row,
    "catalog.stockhistory": _stock_row,
    "alerts.alert": _alert_row,
    "core.job": JobFactory,
    "suppliers.proxy": _proxy_row,
    "marketplaces.storeaccount": _store_row,
}
OTHER_TABLES = sorted(
    label
    for label in (m._meta.label_lower for m in admin.site._registry if m._meta.app_label in PROJECT_APPS)
    if label not in BIG_TABLES
)


def _changelist_queries(client, label):
    app_label, model_name = label.split(".")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def _assert_constant(client, label, make_row):
    for _ in range(2):
        make_row()
    _changelist_queries(client, label)  # warm per-process caches (content types, sessions)
    few, shown_few = _changelist_queries(client, label)
    for _ in range(18):
        make_row()
    many, shown_many = _changelist_queries(client, label)

    assert shown_many >= shown_few + 18
    assert many == few


@pytest.mark.parametrize("label", sorted(BIG_TABLES))
def test_big_changelists_run_the_same_queries_for_2_and_20_rows(admin_client, label):
    _assert_constant(admin_client, label, BIG_TABLES[label])


@pytest.mark.parametrize("label", OTHER_TABLES)
def test_other_changelists_run_the_same_queries_for_2_and_20_rows(admin_client, label):
    make_row = _supplier_row if label == "suppliers.supplier" else FACTORIES[label]
    _assert_constant(admin_client, label, make_row)
