from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.models import PriceHistory
from dropship_central.admin_mixins import RECENT_INLINE_ROWS
from tests.admin.conftest import form_data
from tests.factories import PriceHistoryFactory, ProductFactory, ProductVariantFactory, StockHistoryFactory


def _inline(response, model):
    return next(i for i in response.context["inline_admin_formsets"] if i.formset.model is model)


def test_price_history_inline_shows_only_the_newest_rows(admin_client):
    product = ProductFactory()
    start = timezone.now() - timedelta(days=60)
    rows = [PriceHistoryFactory(product=product, recorded_at=start + timedelta(days=i)) for i in range(25)]

    response = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk]))

    shown = [form.instance.pk for form in _inline(response, PriceHistory).formset.forms]
    assert shown == [row.pk for row in reversed(rows)][:RECENT_INLINE_ROWS]


def test_product_page_links_to_its_full_history(admin_client):
    product = ProductFactory()

    html = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()

    assert f"{reverse('admin:catalog_pricehistory_changelist')}?product__id__exact={product.pk}" in html
    assert f"{reverse('admin:catalog_stockhistory_changelist')}?product__id__exact={product.pk}" in html


def test_history_changelist_filters_by_product(admin_client):
    product, other = ProductFactory(), ProductFactory()
    mine = PriceHistoryFactory(product=product)
    PriceHistoryFactory(product=other)

    response = admin_client.get(reverse("admin:catalog_pricehistory_changelist"), {"product__id__exact": product.pk})

    assert [row.pk for row in response.context["cl"].result_list] == [mine.pk]


def test_saving_a_product_with_long_history_edits_variants_and_keeps_history(admin_client):
    product = ProductFactory()
    variant = ProductVariantFactory(product=product, stock_quantity=10)
    for i in range(RECENT_INLINE_ROWS + 5):
        PriceHistoryFactory(product=product, recorded_at=timezone.now() - timedelta(hours=i))
        StockHistoryFactory(product=product, recorded_at=timezone.now() - timedelta(hours=i))
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = form_data(admin_client.get(url))
    data["variants-0-stock_quantity"] = "3"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.stock_quantity == 3
    assert product.price_history.count() == RECENT_INLINE_ROWS + 5


def _change_page_queries(client, product):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert response.status_code == 200
    return len(queries)


def _add_history_rows(product, count):
    for _ in range(count):
        variant = ProductVariantFactory(product=product)
        PriceHistoryFactory(product=product, variant=variant)
        StockHistoryFactory(product=product, variant=variant)


def test_product_page_runs_the_same_queries_for_2_and_20_history_rows(admin_client):
    product = ProductFactory()
    _add_history_rows(product, 2)
    _change_page_queries(admin_client, product)
    few = _change_page_queries(admin_client, product)
    _add_history_rows(product, 18)

    assert _change_page_queries(admin_client, product) == few
