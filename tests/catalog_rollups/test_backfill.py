"""`manage.py backfill_history`: COPY the CSV in, rebuild the touched rollups, reject bad lines by number."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from catalog.backfill import BackfillError, history_backfill, history_indexes_refresh
from catalog.models import HistoryDay, PriceHistory, StockHistory
from tests.factories import ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db

HEADER = "kind,product_id,variant_id,recorded_at,price,list_price,currency,stock_quantity,availability\n"


def write(tmp_path, lines: list[str]):
    path = tmp_path / "history.csv"
    path.write_text(HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_backfill_loads_readings_and_rolls_them_up(tmp_path, capsys):
    product = ProductFactory()
    variant = ProductVariantFactory(product=product)
    path = write(
        tmp_path,
        [
            f"price,{product.pk},,2026-03-01T09:00:00+00:00,100.00,150,UZS,,",
            f"stock,{product.pk},,2026-03-01T09:00:00+00:00,,,,20,in_stock",
            f"stock,{product.pk},,2026-03-02T09:00:00+00:00,,,,17,in_stock",
            f"stock,{product.pk},,2026-03-02T18:00:00+05:00,,,,0,out_of_stock",
            f"price,{product.pk},{variant.pk},2026-03-02T10:00:00Z,99.5,,UZS,,",
            f"stock,{product.pk},{variant.pk},2026-03-02T10:00:00Z,,,,,unknown",
        ],
    )

    call_command("backfill_history", str(path))

    assert (PriceHistory.objects.count(), StockHistory.objects.count()) == (2, 4)
    day = HistoryDay.objects.get(product=product, variant_key=0, day=date(2026, 3, 2))
    assert (day.units_high, day.revenue_high, day.stock_min, day.out_any) == (20, Decimal("2000"), 0, True)
    sku = HistoryDay.objects.get(product=product, variant_key=variant.pk)
    assert (sku.price_min, sku.stock_readings, sku.stock_count) == (Decimal("99.5"), 1, 0)
    assert "loaded 2 price and 4 stock readings of 1 products" in capsys.readouterr().out


def test_bad_lines_are_reported_by_number_and_nothing_is_loaded(tmp_path):
    product = ProductFactory()
    other = ProductVariantFactory()
    path = write(
        tmp_path,
        [
            f"price,{product.pk},,2026-03-01T09:00:00+00:00,100.00,,UZS,,",
            f"price,{product.pk},,2026-03-01T10:00:00+00:00,-1,,UZS,,",
            f"stock,{product.pk},,2026-03-01 10:00,,,,5,in_stock",
            f"stock,{product.pk + 1000},,2026-03-01T10:00:00+00:00,,,,5,in_stock",
            f"stock,{product.pk},{other.pk},2026-03-01T10:00:00+00:00,,,,5,in_stock",
            f"stock,{product.pk},,2026-03-01T10:00:00+00:00,,,,5,sold_out",
            f"refund,{product.pk},,2026-03-01T10:00:00+00:00,,,,,",
        ],
    )

    with pytest.raises(CommandError) as error:
        call_command("backfill_history", str(path))

    message = str(error.value)
    for number, text in [
        (3, "price '-1' must be 0 or more"),
        (4, "recorded_at '2026-03-01 10:00' has no UTC offset"),
        (5, f"product {product.pk + 1000} does not exist"),
        (6, f"variant {other.pk} is not a variant of product {product.pk}"),
        (7, "availability 'sold_out'"),
        (8, "kind 'refund'"),
    ]:
        assert f"line {number}: {text}" in message
    assert "line 2" not in message
    assert PriceHistory.objects.count() == 0


def test_a_load_of_many_chunks_copies_each_once(tmp_path, monkeypatch):
    monkeypatch.setattr("catalog.backfill.CHUNK_ROWS", 7)  # 50 readings: eight chunks, each checked ahead of its copy
    products = [ProductFactory(), ProductFactory()]
    lines = [
        f"{kind},{products[n % 2].pk},,2026-03-01T{n // 60:02d}:{n % 60:02d}:00+00:00,"
        + (f"{n}.50,,UZS,," if kind == "price" else f",,,{n},in_stock")
        for n in range(25)
        for kind in ("price", "stock")
    ]

    result = history_backfill(lines=write(tmp_path, lines).read_text().splitlines(keepends=True))

    assert (result.price_rows, result.stock_rows, result.products) == (25, 25, {p.pk for p in products})
    assert sorted(PriceHistory.objects.values_list("price", flat=True)) == [Decimal(f"{n}.50") for n in range(25)]
    assert StockHistory.objects.filter(product=products[1]).count() == 12


def test_a_bad_line_in_a_later_chunk_keeps_nothing_of_the_earlier_ones(tmp_path, monkeypatch):
    monkeypatch.setattr("catalog.backfill.CHUNK_ROWS", 5)
    product = ProductFactory()
    lines = [f"price,{product.pk},,2026-03-01T09:{n:02d}:00+00:00,10,,UZS,," for n in range(20)]
    lines.append(f"price,{product.pk},,2026-03-01T10:00:00+00:00,ten,,UZS,,")

    with pytest.raises(BackfillError, match="line 22: 'ten' is not a price"):
        history_backfill(lines=write(tmp_path, lines).read_text().splitlines(keepends=True))

    assert PriceHistory.objects.count() == 0


def test_a_file_without_the_header_is_refused(tmp_path):
    path = tmp_path / "history.csv"
    path.write_text("price,1,,2026-03-01T09:00:00+00:00,1,,UZS,,\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 1: the header must be kind,product_id"):
        call_command("backfill_history", str(path))


def test_a_bulk_load_leaves_no_time_index_range_unsummarised():
    product = ProductFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_pricehistory (product_id, price, currency, recorded_at) "
            "SELECT %s, 1, 'UZS', now() - n * interval '1 minute' FROM generate_series(1, 30000) AS n",
            [product.pk],
        )

        history_indexes_refresh(rollups=False)

        cursor.execute("SELECT brin_summarize_new_values('catalog_pricehistory_time_brin'::regclass)")
        assert cursor.fetchone() == (0,)


def test_the_time_indexes_summarise_each_range_as_it_fills():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s) ORDER BY relname",
            [["catalog_pricehistory_time_brin", "catalog_stockhistory_time_brin"]],
        )
        rows = cursor.fetchall()

    assert rows == [
        ("catalog_pricehistory_time_brin", ["autosummarize=on"]),
        ("catalog_stockhistory_time_brin", ["autosummarize=on"]),
    ]
