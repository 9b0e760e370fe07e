import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import PriceHistory
from dropship_central import admin_mixins
from tests.factories import PriceHistoryFactory, ProductFactory

URL = reverse("admin:catalog_pricehistory_changelist")


@pytest.fixture
def analysed_history(db):
    product = ProductFactory()
    PriceHistoryFactory.create_batch(3, product=product)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {PriceHistory._meta.db_table}")
    return product


def _counting_queries(queries):
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_unfiltered_big_table_is_paged_with_the_planner_estimate(admin_client, analysed_history, monkeypatch):
    monkeypatch.setattr(admin_mixins, "ESTIMATE_COUNT_ABOVE", 0)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(URL)

    assert response.context["cl"].result_count == 3
    assert not [sql for sql in _counting_queries(queries) if "price_history" in sql]


def test_filtered_big_table_is_counted_exactly(admin_client, analysed_history, monkeypatch):
    monkeypatch.setattr(admin_mixins, "ESTIMATE_COUNT_ABOVE", 0)
    PriceHistoryFactory(product=ProductFactory())

    response = admin_client.get(URL, {"product__id__exact": analysed_history.pk})

    assert response.context["cl"].result_count == 3


def test_small_table_is_counted_exactly(admin_client, analysed_history):
    PriceHistoryFactory(product=analysed_history)

    response = admin_client.get(URL)

    assert response.context["cl"].result_count == 4


def test_big_table_changelist_does_not_count_the_whole_table_again(admin_client, analysed_history):
    response = admin_client.get(URL, {"product__id__exact": analysed_history.pk})

    assert response.context["cl"].full_result_count is None


def test_other_databases_count_exactly_instead_of_asking_postgresqls_planner(
    admin_client, analysed_history, monkeypatch
):
    monkeypatch.setattr(admin_mixins, "ESTIMATE_COUNT_ABOVE", 0)
    monkeypatch.setattr(connection, "vendor", "sqlite")

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(URL)

    assert response.status_code == 200
    assert not [q for q in queries.captured_queries if "reltuples" in q["sql"]]
    assert _counting_queries(queries)
