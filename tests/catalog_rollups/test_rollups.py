"""Daily rollups kept as readings land: exact figures, and equal to the raw computation and to a rebuild."""

from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.research_sales import PriceReading, StockReading, estimate_sales
from catalog.ingest import product_gone_ingest, product_ingest
from catalog.models import ChargedPrice, HistoryDay, HistorySeries, PriceHistory, Product, StockHistory
from catalog.rollups import day_begins, history_record, rollups_rebuild, rollups_rebuild_sql, rollups_replay
from suppliers.plugins.base import ProductData, VariantData
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(day: int, hour: int = 9) -> datetime:
    return T0 + timedelta(days=day - 1, hours=hour - 9)


def reading(
    price: str, stock: int | None, *, sku_stock: int | None = None, sku_price: str | None = None
) -> ProductData:
    availability = "unknown" if stock is None else ("out_of_stock" if stock == 0 else "in_stock")
    variants = []
    if sku_stock is not None:
        variants = [
            VariantData(
                sku="S1",
                price=Decimal(sku_price or price),
                currency="UZS",
                availability="in_stock" if sku_stock else "out_of_stock",
                stock_quantity=sku_stock,
            )
        ]
    return ProductData(
        external_id="42",
        url="https://uzum.uz/product/42",
        title="Cable",
        price=Decimal(price),
        list_price=Decimal("150"),
        currency="UZS",
        availability=availability,
        stock_quantity=stock,
        variants=variants,
    )


@pytest.fixture
def supplier():
    return SupplierFactory(slug="uzum")


def ingest_all(supplier, readings: list[tuple[datetime, ProductData]]) -> Product:
    for scraped_at, data in readings:
        product_ingest(supplier=supplier, data=data, scraped_at=scraped_at)
    return Product.objects.get(external_id="42")


def day_rows(product: Product, variant_key: int = 0) -> dict[date, HistoryDay]:
    return {row.day: row for row in HistoryDay.objects.filter(product=product, variant_key=variant_key)}


def snapshot() -> list[tuple]:
    skip = {"id"}
    days = [
        tuple(getattr(row, f.attname) for f in HistoryDay._meta.concrete_fields if f.name not in skip)
        for row in HistoryDay.objects.order_by("product_id", "variant_key", "day")
    ]
    series = [
        tuple(getattr(row, f.attname) for f in HistorySeries._meta.concrete_fields if f.name not in skip)
        for row in HistorySeries.objects.order_by("product_id", "variant_key")
    ]
    charged = sorted(ChargedPrice.objects.values_list("product_id", "variant_key", "price"))
    return days + series + charged


def assert_equals_rebuild() -> None:
    incremental = snapshot()
    rollups_rebuild()
    assert snapshot() == incremental


def out_during_raw(readings: list[tuple[datetime, bool]], day: date) -> bool:
    """Out at any moment of the day from raw readings: the one in force at midnight, or any taken during it."""
    times = [reading_at for reading_at, _ in readings]
    first = max(bisect_right(times, day_begins(day)) - 1, 0)
    last = bisect_left(times, day_begins(day + timedelta(days=1)))
    return any(out for _, out in readings[first:last])


def sales_from_raw(product: Product, variant_id: int | None, since: datetime) -> dict:
    stock = StockHistory.objects.filter(product=product, variant_id=variant_id).order_by("recorded_at", "id")
    prices = PriceHistory.objects.filter(product=product, variant_id=variant_id).order_by("recorded_at", "id")
    estimate = estimate_sales(
        [StockReading(r.recorded_at, r.stock_quantity) for r in stock],
        [PriceReading(r.recorded_at, r.price) for r in prices],
        since=since,
        last_seen_at=product.last_scraped_at,
    )
    return estimate.as_dict()


def sales_from_rollups(product: Product, variant_key: int, since: date) -> dict:
    rows = HistoryDay.objects.filter(product=product, variant_key=variant_key, day__gte=since)
    figures = {"units": 0, "units_low": 0, "units_high": 0, "revenue": 0, "revenue_low": 0, "revenue_high": 0}
    for row in rows:
        confirmed = row.pending_at is not None and product.last_scraped_at > row.pending_at
        figures["units"] += row.units
        figures["units_high"] += row.units_high
        figures["units_low"] += row.units_low + (row.pending_units if confirmed else 0)
        figures["revenue"] += row.revenue
        figures["revenue_high"] += row.revenue_high
        figures["revenue_low"] += row.revenue_low + (row.pending_revenue if confirmed else 0)
    return {name: Decimal(value) if name.startswith("revenue") else value for name, value in figures.items()}


# A sale, a return, a restock and a price that flickers, with several readings on one day.
STORY = [
    (at(1), reading("100", 20)),
    (at(2), reading("100", 18)),  # sale of 2 at 100
    (at(2, 15), reading("90", 17)),  # price flickers down; sale of 1 at 90
    (at(2, 18), reading("100", 17)),  # and back up
    (at(3), reading("100", 18)),  # a return of 1 (the last drop was 1)
    (at(5), reading("100", 50)),  # a restock
    (at(6), reading("100", 45)),  # sale of 5 at 100, newest reading: pending confirmation
]


def test_a_sale_a_return_a_restock_and_a_flickering_price_roll_up_by_day(supplier):
    product = ingest_all(supplier, STORY)
    days = day_rows(product)

    assert sorted(days) == [date(2026, 3, d) for d in (1, 2, 3, 5, 6)]
    two = days[date(2026, 3, 2)]
    assert (two.price_min, two.price_max, two.price_sum, two.price_count) == (
        Decimal("90"),
        Decimal("100"),
        Decimal("190"),
        2,
    )  # history holds changes only: 90 and back to 100
    assert (two.price_open, two.price_close, two.list_price_max, two.currency) == (
        Decimal("90"),
        Decimal("100"),
        Decimal("150"),
        "UZS",
    )
    assert (two.stock_min, two.stock_max, two.stock_last, two.stock_sum, two.stock_count) == (17, 18, 17, 35, 2)
    # 2 at 100 confirmed by the 17 after it; 1 at 90 of which the next reading returned 1
    assert (two.units_high, two.units, two.units_low) == (3, 2, 2)
    assert (two.revenue_high, two.revenue, two.revenue_low) == (Decimal("290"), Decimal("200"), Decimal("200"))
    restock = days[date(2026, 3, 5)]
    assert (restock.units_high, restock.units) == (0, 0)
    newest = days[date(2026, 3, 6)]
    assert (newest.units, newest.units_low, newest.pending_units, newest.pending_revenue) == (5, 0, 5, Decimal("500"))
    assert newest.pending_at == at(6)


def test_rollups_equal_the_raw_sales_estimate_from_any_day(supplier):
    product = ingest_all(supplier, [*STORY, (at(7), reading("100", 45, sku_stock=3))])
    product.refresh_from_db()

    for first_day in range(1, 8):
        since = date(2026, 3, first_day)
        assert sales_from_rollups(product, 0, since) == sales_from_raw(product, None, day_begins(since))


def test_a_later_scrape_that_saw_the_same_stock_confirms_the_newest_drop(supplier):
    product = ingest_all(supplier, STORY)
    product.last_scraped_at = at(7)
    assert sales_from_rollups(product, 0, date(2026, 3, 6))["units_low"] == 5
    assert sales_from_raw(product, None, day_begins(date(2026, 3, 6)))["units_low"] == 5


def test_incremental_rollups_equal_a_rebuild_from_raw_history(supplier):
    ingest_all(supplier, [*STORY, (at(6, 20), reading("100", 44, sku_stock=4, sku_price="99"))])
    ingest_all(supplier, [(at(8), reading("110", 0, sku_stock=2, sku_price="99"))])
    product_gone_ingest(product_id=Product.objects.get().pk, scraped_at=at(10))

    assert_equals_rebuild()


def test_a_reading_older_than_the_newest_rebuilds_the_product(supplier):
    ingest_all(supplier, [(at(1), reading("100", 20)), (at(3), reading("100", 15))])
    product = ingest_all(supplier, [(at(2), reading("95", 10))])

    assert day_rows(product)[date(2026, 3, 3)].units == 0  # 20 → 10 → 15 once the late reading is in order
    assert day_rows(product)[date(2026, 3, 2)].units == 10
    assert_equals_rebuild()


def test_out_of_stock_at_any_moment_matches_the_raw_computation(supplier):
    product = ingest_all(
        supplier,
        [
            (at(1), reading("100", 5)),
            (at(2, 23), reading("100", 0)),  # out late on day 2
            (at(4, 10), reading("100", 3)),  # back on day 4: out when day 4 began
            (at(6, 0), reading("100", 0)),  # out exactly at midnight of day 6
            (at(6, 1), reading("100", 2)),
            (at(7, 0), reading("100", 1)),  # a reading exactly at midnight: the day-6 state does not carry
        ],
    )
    rows = day_rows(product)
    raw = [
        (r.recorded_at, r.availability in ("out_of_stock", "unavailable"))
        for r in StockHistory.objects.filter(product=product, variant=None).order_by("recorded_at")
    ]
    for day in (date(2026, 3, n) for n in range(1, 8)):
        row = rows.get(day)
        if row is not None:
            assert row.out_any == out_during_raw(raw, day), day
    assert [d.day for d in rows.values() if d.out_any] == [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6)]
    assert rows[date(2026, 3, 2)].out_at_end is True


def test_a_day_without_a_price_reading_carries_the_time_weighted_price(supplier):
    product = ingest_all(supplier, [(at(1, 0), reading("100", 5)), (at(1, 12), reading("200", 5))])
    ingest_all(supplier, [(at(3), reading("200", 4))])  # a stock-only day
    days = day_rows(product)

    one, three = days[date(2026, 3, 1)], days[date(2026, 3, 3)]
    assert (one.price_area_end, one.price_seconds_end) == (Decimal(100 * 43200 + 200 * 43200), 86400)
    assert three.price_count == 0
    assert (three.price_end, three.price_seconds_end) == (Decimal("200"), 3 * 86400)
    assert three.price_area_end == Decimal(100 * 43200 + 200 * 43200 + 200 * 2 * 86400)
    assert_equals_rebuild()


def test_seller_rating_is_stored_from_the_reading(supplier):
    stats = {"rating": 4.8, "reviews": 14996, "orders": 186827, "registrationDate": 1556519941282}
    data = replace(reading("100", 5), seller="Good Hood", seller_id="2224", extra={"seller": stats})
    product = ingest_all(supplier, [(at(1), data)])

    seller = product.seller
    assert (seller.rating, seller.review_count, seller.orders_count) == (Decimal("4.80"), 14996, 186827)
    assert seller.registered_at == datetime(2019, 4, 29, 6, 39, 1, 282000, tzinfo=UTC)


def test_the_one_statement_rebuild_equals_folding_every_reading(supplier):
    ingest_all(supplier, [*STORY, (at(6, 20), reading("100", 44, sku_stock=4, sku_price="99"))])
    ingest_all(supplier, [(at(8), reading("110", None, sku_stock=2, sku_price="99"))])
    ingest_all(supplier, [(at(8, 12), reading("120", 3, sku_stock=3, sku_price="98"))])
    product_gone_ingest(product_id=Product.objects.get().pk, scraped_at=at(10))
    rollups_replay()
    folded = snapshot()

    rollups_rebuild_sql()

    assert snapshot() == folded


def test_a_price_older_than_the_newest_stock_reading_rebuilds_the_product(supplier):
    product = ingest_all(supplier, [(at(1), reading("100", 20))])
    product_gone_ingest(product_id=product.pk, scraped_at=at(3))  # stock only: 0 at day 3
    history_record(rows=[PriceHistory(product=product, price=Decimal("90"), currency="UZS", recorded_at=at(2))])

    assert day_rows(product)[date(2026, 3, 3)].revenue == Decimal("1800")  # the 20 units dropped at 90
    assert_equals_rebuild()
