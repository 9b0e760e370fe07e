"""The price and stock chart on a product's admin page, from catalog history only.

Readings (product-level, USD unless said), days counted back from today; the chart covers the last 90 days:
price 20.00 on day -100 (before the window: in force when it opens); on day -10 18.00 at 10:00, 22.00 at 15:00,
19.50 at 20:00 (a flicker); 25.00 on day -3. A variant at 1.00 on day -5 and a EUR reading of 999.00 on day -4 do
not count. Stock 7 on day -20, out of stock without a quantity on day -15 (counts as 0), 12 on day -14.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.history_chart import CHART_DAYS, product_daily_history
from catalog.models import Availability
from tests.analytics_admin.conftest import embedded_json, series_by_label
from tests.factories import PriceHistoryFactory, ProductFactory, ProductVariantFactory, StockHistoryFactory

CHART = "product-history-chart"


def _day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)


def _at(offset: int, hour: int = 12) -> datetime:
    return datetime.combine(_day(offset), time(hour), tzinfo=UTC)


@pytest.fixture
def product(db):
    product = ProductFactory(title="Desk lamp", currency="USD")
    for offset, hour, price in [(-100, 12, "20.00"), (-10, 10, "18.00"), (-10, 15, "22.00"), (-10, 20, "19.50")]:
        PriceHistoryFactory(product=product, price=price, recorded_at=_at(offset, hour))
    PriceHistoryFactory(product=product, price="25.00", recorded_at=_at(-3, 8))
    PriceHistoryFactory(
        product=product, variant=ProductVariantFactory(product=product), price="1.00", recorded_at=_at(-5)
    )
    PriceHistoryFactory(product=product, price="999.00", currency="EUR", recorded_at=_at(-4))
    StockHistoryFactory(product=product, stock_quantity=7, recorded_at=_at(-20, 9))
    StockHistoryFactory(
        product=product, stock_quantity=None, availability=Availability.OUT_OF_STOCK, recorded_at=_at(-15)
    )
    StockHistoryFactory(product=product, stock_quantity=12, recorded_at=_at(-14))
    return product


def _expected(values_by_offset: dict[range, object]) -> list[object]:
    values = []
    for offset in range(-(CHART_DAYS - 1), 1):
        values += [value for days, value in values_by_offset.items() if offset in days]
    return values


def _chart(client, product) -> dict:
    response = client.get(reverse("admin:catalog_product_change", args=[product.pk]))
    assert response.status_code == 200
    return embedded_json(response.content.decode(), CHART)


def test_the_product_page_charts_the_last_90_days(admin_client, product):
    spec = _chart(admin_client, product)

    assert spec["labels"] == [_day(offset).isoformat() for offset in range(-89, 1)]
    assert spec["y_title"] == "price (USD)"


def test_each_day_carries_the_price_in_force_and_the_days_low_and_high(admin_client, product):
    series = series_by_label(_chart(admin_client, product))

    assert series["Price low"] == _expected(
        {range(-89, -10): "20.00", range(-10, -9): "18.00", range(-9, -2): "19.50", range(-2, 1): "25.00"}
    )
    assert series["Price high"] == _expected(
        {range(-89, -10): "20.00", range(-10, -9): "22.00", range(-9, -3): "19.50", range(-3, 1): "25.00"}
    )
    assert series["Price at day end"] == _expected(
        {range(-89, -10): "20.00", range(-10, -3): "19.50", range(-3, 1): "25.00"}
    )


def test_stock_is_the_quantity_at_day_end_and_out_of_stock_counts_as_zero(admin_client, product):
    stock = series_by_label(_chart(admin_client, product))["Stock at day end"]

    assert stock == _expected({range(-89, -20): None, range(-20, -15): 7, range(-15, -14): 0, range(-14, 1): 12})


def test_a_day_with_readings_is_exact_in_the_selector(product):
    by_day = {point.day: point for point in product_daily_history(product=product)["price"]}

    flicker = by_day[_day(-10)]
    assert (str(flicker.low), str(flicker.high), str(flicker.close)) == ("18.00", "22.00", "19.50")


def test_a_product_without_history_charts_gaps(admin_client, db):
    series = series_by_label(_chart(admin_client, ProductFactory()))

    assert set(series["Price at day end"]) == {None}
    assert set(series["Stock at day end"]) == {None}


def test_the_add_page_has_no_chart(admin_client, db):
    html = admin_client.get(reverse("admin:catalog_product_add")).content.decode()

    assert CHART not in html


def test_the_product_page_loads_the_vendored_chart_library(admin_client, product):
    html = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()

    assert '<script src="/static/vendor/chartjs/chart.umd.js"></script>' in html
    assert '<canvas data-chart="product-history-chart"' in html


def test_a_product_title_cannot_break_out_of_the_embedded_json(admin_client, product):
    product.title = "</script><script>alert(1)</script>"
    product.save()

    html = admin_client.get(reverse("admin:catalog_product_change", args=[product.pk])).content.decode()

    assert "<script>alert(1)" not in html
    assert embedded_json(html, CHART)["title"] == "</script><script>alert(1)</script>"


def test_the_chart_queries_do_not_grow_with_the_history(admin_client, product):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            _chart(admin_client, product)
        return len(captured)

    queries()
    few = queries()
    for hour in range(24):
        PriceHistoryFactory(product=product, price=f"{30 + hour}.00", recorded_at=_at(-2, hour))
        StockHistoryFactory(product=product, stock_quantity=hour, recorded_at=_at(-30, hour))

    assert queries() == few
