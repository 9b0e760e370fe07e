"""Loading price and stock history in bulk with PostgreSQL COPY, then rebuilding the touched products' rollups.

The CSV has a header and one reading per line:
`kind,product_id,variant_id,recorded_at,price,list_price,currency,stock_quantity,availability` where `kind` is
`price` or `stock`, `variant_id` is empty for the product itself, and `recorded_at` is ISO 8601 with an offset.
Every line is checked before anything is kept: one bad line fails the whole load, naming its line number.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper

from catalog.models import AVAILABILITY_VALUES, PriceHistory, Product, ProductVariant, StockHistory
from catalog.rollups import rollups_rebuild

COLUMNS = (
    "kind",
    "product_id",
    "variant_id",
    "recorded_at",
    "price",
    "list_price",
    "currency",
    "stock_quantity",
    "availability",
)
MAX_PRICE = Decimal("1e12")
MAX_QUANTITY = 2**31 - 1
CHUNK_ROWS = 500_000
MAX_ERRORS = 20
PRICE_COPY = "COPY catalog_pricehistory (product_id, variant_id, recorded_at, price, list_price, currency) FROM STDIN"
STOCK_COPY = "COPY catalog_stockhistory (product_id, variant_id, recorded_at, stock_quantity, availability) FROM STDIN"
AVAILABILITY = frozenset(AVAILABILITY_VALUES)


class BackfillError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class BackfillResult:
    price_rows: int = 0
    stock_rows: int = 0
    load_seconds: float = 0.0
    rollup_seconds: float = 0.0
    products: set[int] = field(default_factory=set)

    @property
    def rows(self) -> int:
        return self.price_rows + self.stock_rows


def history_backfill(*, lines: Iterable[str], rollups: bool = True) -> BackfillResult:
    """Validate and COPY the CSV lines into the history tables in one transaction; rebuild rollups unless told not.

    Raises `BackfillError` listing the first bad lines (by line number); nothing is kept then.
    """
    if connection.vendor != "postgresql":
        raise BackfillError(["backfill needs PostgreSQL (COPY)"])
    result = BackfillResult()
    started = time.perf_counter()
    with transaction.atomic():
        checker = _Checker(
            products=set(Product.objects.values_list("pk", flat=True)),
            variants=dict(ProductVariant.objects.values_list("pk", "product_id")),
        )
        with connection.cursor() as cursor:
            for prices, stocks in _ahead(_chunks(csv.reader(iter(lines)), checker)):
                # in index order: each chunk then walks the (product, time) index instead of jumping around it
                _copy(cursor, PRICE_COPY, sorted(prices))
                _copy(cursor, STOCK_COPY, sorted(stocks))
                result.price_rows += len(prices)
                result.stock_rows += len(stocks)
        if checker.errors:
            raise BackfillError(checker.errors)
        result.products = checker.products
        result.load_seconds = time.perf_counter() - started
        if rollups and result.products:
            started = time.perf_counter()
            rollups_rebuild(product_ids=sorted(result.products))
            result.rollup_seconds = time.perf_counter() - started
        history_indexes_refresh(rollups=rollups)
    return result


def history_indexes_refresh(*, rollups: bool) -> None:
    """Fresh planner statistics after a bulk load, so reads pick the time and rollup indexes, and the time (BRIN)
    indexes summarised over the loaded pages: unsummarised pages match every BRIN search, so a "last day" count
    would read the whole table until the next vacuum."""
    tables = [PriceHistory._meta.db_table, StockHistory._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute("SELECT brin_summarize_new_values(%s::regclass)", [f"{table}_time_brin"])
        if rollups:
            tables += ["catalog_historyday", "catalog_historyseries"]
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _copy(cursor: CursorWrapper, statement: str, rows: list[str]) -> None:
    if not rows:
        return
    with cursor.copy(statement) as copy:
        copy.write("".join(rows))


def _ahead(chunks: Iterator[tuple[list[str], list[str]]]) -> Iterator[tuple[list[str], list[str]]]:
    """The chunks, each next one checked in a thread while the caller copies the current one: checking is Python
    and holds the GIL, copying mostly waits on the server and releases it, so on two cores the two overlap. The
    thread touches no database (the checker has every id it needs)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="backfill-check") as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def _chunks(reader: Iterator[list[str]], checker: _Checker) -> Iterator[tuple[list[str], list[str]]]:
    header = next(reader, None)
    if header is None or tuple(name.strip() for name in header) != COLUMNS:
        checker.errors.append(f"line 1: the header must be {','.join(COLUMNS)}")
        return
    prices: list[str] = []
    stocks: list[str] = []
    for number, row in enumerate(reader, start=2):
        line = checker.check(number, row)
        if line is None:
            if len(checker.errors) >= MAX_ERRORS:
                return
            continue
        (prices if row[0] == "price" else stocks).append(line)
        if len(prices) + len(stocks) >= CHUNK_ROWS and not checker.errors:
            yield prices, stocks
            prices, stocks = [], []
    if not checker.errors:
        yield prices, stocks


class _Checker:
    """Checks one CSV row and turns it into a COPY text line (tab-separated, `\\N` for null)."""

    def __init__(self, *, products: set[int], variants: dict[int, int]) -> None:
        self.known_products = products
        self.variants = variants
        self.products: set[int] = set()
        self.errors: list[str] = []

    def check(self, number: int, row: list[str]) -> str | None:
        try:
            return self._line(row)
        except ValueError as exc:
            self.errors.append(f"line {number}: {exc}")
            return None

    def _line(self, row: list[str]) -> str:
        if len(row) != len(COLUMNS):
            raise ValueError(f"expected {len(COLUMNS)} columns, got {len(row)}")
        kind, product, variant, at, price, list_price, currency, quantity, availability = row
        product_id = self._product(product)
        variant_id = self._variant(variant, product_id)
        recorded_at = _timestamp(at)
        self.products.add(product_id)
        if kind == "price":
            if currency and not (len(currency) == 3 and currency.isascii() and currency.isalpha()):
                raise ValueError(f"currency {currency!r} is not a 3-letter code")
            return f"{product_id}\t{variant_id}\t{recorded_at}\t{_money(price)}\t{_money(list_price)}\t{currency}\n"
        if kind == "stock":
            if availability not in AVAILABILITY:
                raise ValueError(f"availability {availability!r} is not one of {', '.join(sorted(AVAILABILITY))}")
            return f"{product_id}\t{variant_id}\t{recorded_at}\t{_quantity(quantity)}\t{availability}\n"
        raise ValueError(f"kind {kind!r} is neither price nor stock")

    def _product(self, text: str) -> int:
        product_id = _id(text, "product_id")
        if product_id not in self.products and product_id not in self.known_products:
            raise ValueError(f"product {product_id} does not exist")
        return product_id

    def _variant(self, text: str, product_id: int) -> str:
        if not text:
            return "\\N"
        variant_id = _id(text, "variant_id")
        if self.variants.get(variant_id) != product_id:
            raise ValueError(f"variant {variant_id} is not a variant of product {product_id}")
        return str(variant_id)


def _id(text: str, name: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) <= 0:
        raise ValueError(f"{name} {text!r} is not a positive integer")
    return int(text)


def _timestamp(text: str) -> str:
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"recorded_at {text!r} is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise ValueError(f"recorded_at {text!r} has no UTC offset")
    return at.astimezone(UTC).isoformat()


def _money(text: str) -> str:
    if not text:
        return "\\N"
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a price") from None
    if not value.is_finite() or value < 0 or value >= MAX_PRICE or value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"price {text!r} must be 0 or more, below 10^12, with at most 2 decimals")
    return text


def _quantity(text: str) -> str:
    if not text:
        return "\\N"
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_QUANTITY:
        raise ValueError(f"stock_quantity {text!r} is not a whole number 0 or more")
    return text
