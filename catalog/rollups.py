"""Daily rollups of price and stock history (`HistoryDay`), kept as readings land, and rebuilt from raw history.

Every history write goes through `history_record`: it inserts the raw rows and folds them into the rollups in the
same transaction, comparing each reading with where its series stood (`HistorySeries`). A reading older than its
series' newest one cannot be folded in order, so that product's rollups are rebuilt from raw history instead.

The sales components follow `analytics.research_sales`: a drop counts on the day it was read, at the series' price
in force then; the next reading decides whether it was confirmed (stock did not come back up) and whether part of
it was a return (a small increase right after it), and corrects the drop's day.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import groupby
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, QuerySet

from catalog.models import Availability, ChargedPrice, HistoryDay, HistorySeries, PriceHistory, Product, StockHistory

RETURN_MAX_UNITS = 3
OUT_OF_STOCK = frozenset({Availability.OUT_OF_STOCK.value, Availability.UNAVAILABLE.value})
ZERO = Decimal(0)
Key = tuple[int, int]  # (product id, variant id or 0 for the product itself)
DAY_FIELDS = [
    f.name for f in HistoryDay._meta.concrete_fields if f.name not in ("id", "product", "variant", "variant_key", "day")
]
SERIES_FIELDS = [
    f.name for f in HistorySeries._meta.concrete_fields if f.name not in ("id", "product", "variant", "variant_key")
]
BATCH = 2000
SALES = ("units_low", "units", "units_high", "revenue_low", "revenue", "revenue_high")


@dataclass(frozen=True)
class Event:
    """A raw reading, price (`kind` 0) or stock (`kind` 1); a price read with stock applies to it."""

    key: Key
    at: datetime
    kind: int
    order: int
    price: Decimal | None = None
    list_price: Decimal | None = None
    currency: str = ""
    stock: int | None = None
    availability: str = ""


def rollup_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_of(at: datetime) -> date:
    return at.astimezone(rollup_zone()).date()


def day_begins(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=rollup_zone())


def key_of(row: PriceHistory | StockHistory) -> Key:
    return (row.product_id, row.variant_id or 0)


def events_of(rows: Iterable[PriceHistory | StockHistory]) -> list[Event]:
    events = []
    for order, row in enumerate(rows):
        if isinstance(row, PriceHistory):
            events.append(Event(key_of(row), row.recorded_at, 0, order, row.price, row.list_price, row.currency))
        else:
            events.append(
                Event(key_of(row), row.recorded_at, 1, order, stock=row.stock_quantity, availability=row.availability)
            )
    return sorted(events, key=lambda e: (e.key, e.at, e.kind, e.order))


# --- writing -----------------------------------------------------------------------------------------


def history_record(*, rows: list[PriceHistory | StockHistory]) -> None:
    """Insert price and stock history rows and fold them into the daily rollups, in one transaction."""
    if not rows:
        return
    with transaction.atomic():
        prices = [r for r in rows if isinstance(r, PriceHistory)]
        stocks = [r for r in rows if isinstance(r, StockHistory)]
        if prices:
            PriceHistory.objects.bulk_create(prices)
        if stocks:
            StockHistory.objects.bulk_create(stocks)
        rollups_apply(events=events_of(rows))


def rollups_apply(*, events: list[Event]) -> None:
    """Fold new readings (sorted by `events_of`) into the rollups; products read out of order are rebuilt."""
    product_ids = sorted({event.key[0] for event in events})
    series = {(s.product_id, s.variant_key): s for s in HistorySeries.objects.filter(product_id__in=product_ids)}
    late = {e.key[0] for e in events if _is_late(series.get(e.key), e)}
    events = [e for e in events if e.key[0] not in late]
    if late:
        rollups_rebuild(product_ids=sorted(late))
    if not events:
        return
    first_days = [day_of(event.at) for event in events]
    first_days += [state.drop_day for state in series.values() if state.drop_day is not None]
    existing = HistoryDay.objects.filter(product_id__in=product_ids, day__gte=min(first_days))
    folder = Folder(series, {(d.product_id, d.variant_key, d.day): d for d in existing})
    folder.fold(events)
    folder.save(update=True)


def _is_late(state: HistorySeries | None, event: Event) -> bool:
    """Older than the series' newest reading of either kind (a price sets what the stock drops after it earn)."""
    if state is None:
        return False
    return any(newest is not None and event.at < newest for newest in (state.price_at, state.stock_at))


class Folder:
    """Folds readings, oldest first per series, into day rows and series states held in memory."""

    def __init__(
        self, series: dict[Key, HistorySeries], days: dict[tuple[int, int, date], HistoryDay] | None = None
    ) -> None:
        self.series = series
        self.days = days if days is not None else {}
        self.by_series: dict[Key, list[HistoryDay]] = {}
        for (product_id, variant_key, _), row in sorted(self.days.items()):
            self.by_series.setdefault((product_id, variant_key), []).append(row)
        self.touched_series: set[Key] = set()
        self.touched_days: set[tuple[int, int, date]] = set()
        self.charged: set[tuple[int, int, Decimal]] = set()

    def fold(self, events: Iterable[Event]) -> None:
        for event in events:
            state = self._state(event.key)
            row = self._day(event.key, day_of(event.at), state)
            if event.kind == 0:
                self._price(state, row, event)
            else:
                self._stock(state, row, event)

    def save(self, *, update: bool) -> None:
        days = [self.days[k] for k in self.touched_days]
        states = [self.series[k] for k in self.touched_series]
        for start in range(0, len(days), BATCH):
            _upsert(HistoryDay, days[start : start + BATCH], ["product", "variant_key", "day"], DAY_FIELDS, update)
        for start in range(0, len(states), BATCH):
            _upsert(HistorySeries, states[start : start + BATCH], ["product", "variant_key"], SERIES_FIELDS, update)
        charged = [ChargedPrice(product_id=p, variant_key=v, price=price) for p, v, price in self.charged]
        ChargedPrice.objects.bulk_create(charged, batch_size=BATCH, ignore_conflicts=True)
        self.touched_days.clear()
        self.touched_series.clear()
        self.charged.clear()

    def _state(self, key: Key) -> HistorySeries:
        state = self.series.get(key)
        if state is None:
            state = HistorySeries(product_id=key[0], variant_id=key[1] or None, variant_key=key[1])
            self.series[key] = state
        self.touched_series.add(key)
        return state

    def _day(self, key: Key, day: date, state: HistorySeries) -> HistoryDay:
        index = (key[0], key[1], day)
        row = self.days.get(index)
        if row is None:
            row = HistoryDay(product_id=key[0], variant_id=key[1] or None, variant_key=key[1], day=day)
            row.price_end = state.price
            row.price_area_end, row.price_seconds_end = area_until(state, day_begins(day + timedelta(days=1)))
            for name in SALES:
                setattr(row, f"cum_{name}", getattr(state, f"cum_{name}"))
            self.days[index] = row
            rows = self.by_series.setdefault(key, [])
            rows.insert(bisect_right([r.day for r in rows], day), row)
        self.touched_days.add(index)
        return row

    def _price(self, state: HistorySeries, row: HistoryDay, event: Event) -> None:
        price = event.price
        if state.price is not None and state.price_at is not None:
            state.price_area, state.price_seconds = area_until(state, event.at)
        state.price, state.price_at = price, event.at
        if price is not None:
            self.charged.add((row.product_id, row.variant_key, price))
            state.first_price_at = state.first_price_at or event.at
            state.price_min = price if state.price_min is None else min(state.price_min, price)
            row.price_min = price if row.price_min is None else min(row.price_min, price)
            row.price_max = price if row.price_max is None else max(row.price_max, price)
            row.price_sum += price
            row.price_count += 1
            row.price_open = price if row.price_open is None else row.price_open
            row.price_close = price
        if event.list_price is not None:
            row.list_price_max = max(row.list_price_max or event.list_price, event.list_price)
        row.currency = event.currency or row.currency
        row.price_end = price
        row.price_area_end, row.price_seconds_end = area_until(state, day_begins(row.day + timedelta(days=1)))

    def _stock(self, state: HistorySeries, row: HistoryDay, event: Event) -> None:
        out = event.availability in OUT_OF_STOCK
        if row.stock_readings == 0 and state.stock_at is not None and event.at > day_begins(row.day):
            row.out_any = row.out_any or state.out
        row.out_any = row.out_any or out
        row.out_at_end = out
        row.stock_readings += 1
        quantity = event.stock
        row.stock_last = quantity
        if quantity is not None:
            row.stock_min = quantity if row.stock_min is None else min(row.stock_min, quantity)
            row.stock_max = quantity if row.stock_max is None else max(row.stock_max, quantity)
            row.stock_sum += quantity
            row.stock_count += 1
        self._sales(state, row, event)
        state.stock, state.stock_at, state.out = quantity, event.at, out
        state.first_stock_at = state.first_stock_at or event.at

    def _sales(self, state: HistorySeries, row: HistoryDay, event: Event) -> None:
        """The drop (if any) this reading shows, and its verdict on the drop the previous reading showed."""
        previous, quantity = state.stock, event.stock
        change = None if state.stock_at is None or previous is None or quantity is None else quantity - previous
        if state.drop_units:
            key = (row.product_id, row.variant_key)
            dropped = self._day(key, state.drop_day, state)
            dropped.pending_units, dropped.pending_revenue, dropped.pending_at = 0, ZERO, None
            if change is not None and change <= 0:
                units, revenue = state.drop_units, state.drop_units * state.drop_price
                self._credit(key, state, dropped, {"units_low": units, "revenue_low": revenue})
            if change is not None and 0 < change <= min(state.drop_units, RETURN_MAX_UNITS):
                self._credit(key, state, dropped, {"units": -change, "revenue": -change * state.drop_price})
        state.drop_units, state.drop_price, state.drop_day = 0, ZERO, None
        if change is None or change >= 0:
            return
        units, price = -change, state.price or ZERO
        revenue = units * price
        sale = {"units": units, "units_high": units, "revenue": revenue, "revenue_high": revenue}
        self._credit((row.product_id, row.variant_key), state, row, sale)
        row.pending_units, row.pending_revenue, row.pending_at = units, revenue, event.at
        state.drop_units, state.drop_price, state.drop_day = units, price, row.day

    def _credit(self, key: Key, state: HistorySeries, row: HistoryDay, amounts: dict[str, Decimal | int]) -> None:
        """Add sales to the day they were read, and to the running totals from that day on."""
        for name, amount in amounts.items():
            setattr(row, name, getattr(row, name) + amount)
            setattr(state, f"cum_{name}", getattr(state, f"cum_{name}") + amount)
        for later in reversed(self.by_series[key]):
            if later.day < row.day:
                break
            for name, amount in amounts.items():
                setattr(later, f"cum_{name}", getattr(later, f"cum_{name}") + amount)
            self.touched_days.add((later.product_id, later.variant_key, later.day))


def area_until(state: HistorySeries, until: datetime) -> tuple[Decimal, int]:
    """The series' price × seconds and priced seconds up to `until`, the newest price holding until then."""
    if state.price is None or state.price_at is None or until <= state.price_at:
        return state.price_area, state.price_seconds
    seconds = int((until - state.price_at).total_seconds())
    return state.price_area + state.price * seconds, state.price_seconds + seconds


def _upsert(model: type, rows: list, unique: list[str], fields: list[str], update: bool) -> None:
    if update:
        model.objects.bulk_create(rows, update_conflicts=True, unique_fields=unique, update_fields=fields)
    else:
        model.objects.bulk_create(rows)


# --- rebuilding --------------------------------------------------------------------------------------


def rollups_rebuild(*, product_ids: list[int] | None = None) -> None:
    """Recompute the rollups of these products (all when None) from their raw history, oldest reading first.

    The products stay locked until the caller's transaction ends, so an ingest of one of them waits for it.
    """
    with transaction.atomic():
        if product_ids is not None:
            list(Product.objects.select_for_update().filter(pk__in=product_ids).values_list("pk", flat=True))
        if connection.vendor == "postgresql":
            rollups_rebuild_sql(product_ids=product_ids)
        else:
            rollups_replay(product_ids=product_ids)


def rollups_replay(*, product_ids: list[int] | None = None) -> None:
    """`rollups_rebuild` by folding every raw reading in order (any database)."""
    with transaction.atomic():
        prices, stocks = PriceHistory.objects.all(), StockHistory.objects.all()
        if product_ids is not None:
            prices, stocks = prices.filter(product_id__in=product_ids), stocks.filter(product_id__in=product_ids)
        _delete_rollups(product_ids)
        for _, events in groupby(_merged(prices, stocks), key=lambda e: e.key[0]):
            folder = Folder({})
            folder.fold(events)
            folder.save(update=False)


def _delete_rollups(product_ids: list[int] | None) -> None:
    for model in (HistoryDay, HistorySeries, ChargedPrice):
        rows = model.objects.all() if product_ids is None else model.objects.filter(product_id__in=product_ids)
        rows.delete()


def _merged(prices: QuerySet[PriceHistory], stocks: QuerySet[StockHistory]) -> Iterator[Event]:
    """Every reading, ordered by series and time (a price before stock read at the same moment)."""
    price_rows = prices.values_list("product_id", "variant_id", "recorded_at", "id", "price", "list_price", "currency")
    stock_rows = stocks.values_list("product_id", "variant_id", "recorded_at", "id", "stock_quantity", "availability")
    price_events = (
        Event((p, v or 0), at, 0, pk, price, lp, cur) for p, v, at, pk, price, lp, cur in _ordered(price_rows)
    )
    stock_events = (
        Event((p, v or 0), at, 1, pk, stock=q, availability=a) for p, v, at, pk, q, a in _ordered(stock_rows)
    )
    yield from _merge_sorted(price_events, stock_events)


def _ordered(rows: QuerySet) -> Iterator[tuple]:
    ordered = rows.order_by("product_id", F("variant_id").asc(nulls_first=True), "recorded_at", "id")
    return ordered.iterator(chunk_size=5000)


def _merge_sorted(*streams: Iterator[Event]) -> Iterator[Event]:
    return heapq.merge(*streams, key=lambda e: (e.key, e.at, e.kind, e.order))


# --- rebuilding in one statement (PostgreSQL) -------------------------------------------------------------

_EVENTS = """
WITH ev AS (
    SELECT product_id AS p, COALESCE(variant_id, 0) AS v, variant_id AS vid, recorded_at AS at, 0 AS kind, id,
           price, list_price, currency, NULL::integer AS q, NULL::boolean AS out_
    FROM catalog_pricehistory WHERE {scope}
    UNION ALL
    SELECT product_id, COALESCE(variant_id, 0), variant_id, recorded_at, 1, id, NULL, NULL, NULL, stock_quantity,
           availability IN ('out_of_stock', 'unavailable')
    FROM catalog_stockhistory WHERE {scope}
),
seg AS (  -- each known price's seconds until the series' next price
    SELECT ev.*, (at AT TIME ZONE %(tz)s)::date AS day,
           CASE WHEN kind = 0 AND price IS NOT NULL
                THEN floor(extract(epoch FROM (LEAD(at) OVER next_of_kind - at)))::bigint END AS secs
    FROM ev WINDOW next_of_kind AS (PARTITION BY p, v, kind ORDER BY at, id)
),
run AS (  -- the price × seconds totals before each price; which price is in force at each reading
    SELECT seg.*,
           COALESCE(SUM(secs * price) OVER earlier, 0) AS area_before,
           COALESCE(SUM(secs) OVER earlier, 0) AS secs_before,
           COUNT(*) FILTER (WHERE kind = 0) OVER series AS price_group
    FROM seg
    WINDOW earlier AS (PARTITION BY p, v, kind ORDER BY at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING),
           series AS (PARTITION BY p, v ORDER BY at, kind, id)
),
forced AS (
    SELECT run.*,
           FIRST_VALUE(CASE WHEN kind = 0 THEN price END) OVER grp AS pif,
           FIRST_VALUE(at) OVER grp AS pif_at,
           FIRST_VALUE(CASE WHEN kind = 0 THEN area_before END) OVER grp AS cum_area,
           FIRST_VALUE(CASE WHEN kind = 0 THEN secs_before END) OVER grp AS cum_secs
    FROM run WINDOW grp AS (PARTITION BY p, v, price_group ORDER BY at, kind, id)
),
st AS (
    SELECT p, v, at, id, day, q, out_, COALESCE(pif, 0) AS drop_price,
           LAG(id) OVER ws IS NOT NULL AS has_prev, LAG(q) OVER ws AS prev_q, LAG(out_) OVER ws AS prev_out,
           LEAD(id) OVER ws IS NOT NULL AS has_next, LEAD(q) OVER ws AS next_q,
           ROW_NUMBER() OVER (PARTITION BY p, v, day ORDER BY at, id) AS nth
    FROM forced WHERE kind = 1 WINDOW ws AS (PARTITION BY p, v ORDER BY at, id)
),
drops AS (
    SELECT st.*, CASE WHEN has_prev AND q < prev_q THEN prev_q - q ELSE 0 END AS u, next_q - q AS nc FROM st
),
sales AS (
    SELECT drops.*,
           CASE WHEN u > 0 AND nc > 0 AND nc <= LEAST(u, {return_max}) THEN nc ELSE 0 END AS returned,
           COALESCE(u > 0 AND nc <= 0, false) AS confirmed,
           u > 0 AND NOT has_next AS pending
    FROM drops
)
"""

_DAYS = """
, stock_days AS (
    SELECT p, v, day, MIN(q) AS stock_min, MAX(q) AS stock_max, (array_agg(q ORDER BY at DESC, id DESC))[1] AS last_q,
           COALESCE(SUM(q), 0) AS stock_sum, COUNT(q) AS stock_count, COUNT(*) AS stock_readings,
           bool_or(out_) OR bool_or(nth = 1 AND has_prev AND prev_out AND at > (day::timestamp AT TIME ZONE %(tz)s))
               AS out_any,
           (array_agg(out_ ORDER BY at DESC, id DESC))[1] AS out_at_end,
           SUM(CASE WHEN confirmed THEN u ELSE 0 END) AS units_low, SUM(u - returned) AS units, SUM(u) AS units_high,
           SUM(CASE WHEN confirmed THEN u * drop_price ELSE 0 END) AS revenue_low,
           SUM((u - returned) * drop_price) AS revenue, SUM(u * drop_price) AS revenue_high,
           COALESCE(SUM(u) FILTER (WHERE pending), 0) AS pending_units,
           COALESCE(SUM(u * drop_price) FILTER (WHERE pending), 0) AS pending_revenue,
           MAX(at) FILTER (WHERE pending) AS pending_at
    FROM sales GROUP BY p, v, day
),
price_days AS (
    SELECT p, v, day, MIN(price) AS price_min, MAX(price) AS price_max, COALESCE(SUM(price), 0) AS price_sum,
           COUNT(price) AS price_count,
           (array_agg(price ORDER BY at, id) FILTER (WHERE price IS NOT NULL))[1] AS price_open,
           (array_agg(price ORDER BY at DESC, id DESC) FILTER (WHERE price IS NOT NULL))[1] AS price_close,
           MAX(list_price) AS list_price_max,
           (array_agg(currency ORDER BY at DESC, id DESC) FILTER (WHERE currency <> ''))[1] AS currency
    FROM forced WHERE kind = 0 GROUP BY p, v, day
),
ends AS (
    SELECT DISTINCT ON (p, v, day) p, v, vid, day, pif, pif_at, COALESCE(cum_area, 0) AS cum_area,
           COALESCE(cum_secs, 0) AS cum_secs,
           CASE WHEN pif IS NULL THEN 0
                ELSE floor(extract(epoch FROM ((day + 1)::timestamp AT TIME ZONE %(tz)s) - pif_at))::bigint END AS tail
    FROM forced ORDER BY p, v, day, at DESC, kind DESC, id DESC
),
daily AS (
    SELECT e.p, e.vid, e.v, e.day, COALESCE(pd.currency, '') AS currency, pd.price_min, pd.price_max,
           COALESCE(pd.price_sum, 0) AS price_sum, COALESCE(pd.price_count, 0) AS price_count, pd.price_open,
           pd.price_close, pd.list_price_max, e.pif AS price_end, e.cum_area + COALESCE(e.pif, 0) * e.tail AS area_end,
           e.cum_secs + e.tail AS secs_end, sd.stock_min, sd.stock_max, sd.last_q,
           COALESCE(sd.stock_sum, 0) AS stock_sum, COALESCE(sd.stock_count, 0) AS stock_count,
           COALESCE(sd.stock_readings, 0) AS stock_readings, COALESCE(sd.out_any, false) AS out_any,
           COALESCE(sd.out_at_end, false) AS out_at_end, COALESCE(sd.units_low, 0) AS units_low,
           COALESCE(sd.units, 0) AS units, COALESCE(sd.units_high, 0) AS units_high,
           COALESCE(sd.revenue_low, 0) AS revenue_low, COALESCE(sd.revenue, 0) AS revenue,
           COALESCE(sd.revenue_high, 0) AS revenue_high, COALESCE(sd.pending_units, 0) AS pending_units,
           COALESCE(sd.pending_revenue, 0) AS pending_revenue, sd.pending_at
    FROM ends e LEFT JOIN price_days pd USING (p, v, day) LEFT JOIN stock_days sd USING (p, v, day)
)
INSERT INTO catalog_historyday (
    product_id, variant_id, variant_key, day, currency, price_min, price_max, price_sum, price_count, price_open,
    price_close, list_price_max, price_end, price_area_end, price_seconds_end, stock_min, stock_max, stock_last,
    stock_sum, stock_count, stock_readings, out_any, out_at_end, units_low, units, units_high, revenue_low, revenue,
    revenue_high, pending_units, pending_revenue, pending_at, cum_units_low, cum_units, cum_units_high,
    cum_revenue_low, cum_revenue, cum_revenue_high
)
SELECT daily.*, SUM(units_low) OVER upto, SUM(units) OVER upto, SUM(units_high) OVER upto,
       SUM(revenue_low) OVER upto, SUM(revenue) OVER upto, SUM(revenue_high) OVER upto
FROM daily WINDOW upto AS (PARTITION BY p, v ORDER BY day)
ORDER BY day, p, v  -- a day's rows together on disk, as readings landing day by day leave them
"""

_SERIES = """
, prices AS (
    SELECT p, v, MIN(vid) AS vid, (array_agg(price ORDER BY at DESC, id DESC))[1] AS price, MAX(at) AS price_at,
           MIN(at) FILTER (WHERE price IS NOT NULL) AS first_price_at, MIN(price) AS price_min,
           (array_agg(area_before ORDER BY at DESC, id DESC))[1] AS price_area,
           (array_agg(secs_before ORDER BY at DESC, id DESC))[1] AS price_seconds
    FROM forced WHERE kind = 0 GROUP BY p, v
),
stocks AS (
    SELECT DISTINCT ON (p, v) p, v, q, at, out_, pending, u, drop_price, day
    FROM sales ORDER BY p, v, at DESC, id DESC
),
totals AS (
    SELECT p, v, MIN(at) AS first_stock_at, SUM(CASE WHEN confirmed THEN u ELSE 0 END) AS units_low,
           SUM(u - returned) AS units, SUM(u) AS units_high,
           SUM(CASE WHEN confirmed THEN u * drop_price ELSE 0 END) AS revenue_low,
           SUM((u - returned) * drop_price) AS revenue, SUM(u * drop_price) AS revenue_high
    FROM sales GROUP BY p, v
),
keys AS (SELECT DISTINCT p, v, vid FROM ev)
INSERT INTO catalog_historyseries (
    product_id, variant_id, variant_key, price, price_at, first_price_at, price_min, price_area, price_seconds,
    stock, stock_at, "out", drop_units, drop_price, drop_day, first_stock_at, cum_units_low, cum_units,
    cum_units_high, cum_revenue_low, cum_revenue, cum_revenue_high
)
SELECT k.p, k.vid, k.v, pr.price, pr.price_at, pr.first_price_at, pr.price_min, COALESCE(pr.price_area, 0),
       COALESCE(pr.price_seconds, 0), s.q, s.at, COALESCE(s.out_, false),
       CASE WHEN s.pending THEN s.u ELSE 0 END, CASE WHEN s.pending THEN s.drop_price ELSE 0 END,
       CASE WHEN s.pending THEN s.day END, t.first_stock_at, COALESCE(t.units_low, 0), COALESCE(t.units, 0),
       COALESCE(t.units_high, 0), COALESCE(t.revenue_low, 0), COALESCE(t.revenue, 0), COALESCE(t.revenue_high, 0)
FROM keys k LEFT JOIN prices pr USING (p, v) LEFT JOIN stocks s USING (p, v) LEFT JOIN totals t USING (p, v)
"""


_CHARGED = """
INSERT INTO catalog_chargedprice (product_id, variant_key, price)
SELECT DISTINCT product_id, COALESCE(variant_id, 0), price FROM catalog_pricehistory
WHERE {scope} AND price IS NOT NULL
"""


def rollups_rebuild_sql(*, product_ids: list[int] | None = None) -> None:
    """`rollups_rebuild` on PostgreSQL: the products' day rows and series states, each in one statement."""
    scope = "true" if product_ids is None else "product_id = ANY(%(ids)s)"
    events = _EVENTS.format(scope=scope, return_max=RETURN_MAX_UNITS)
    params = {"tz": settings.TIME_ZONE, "ids": product_ids}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        _delete_rollups(product_ids)
        cursor.execute(events + _DAYS, params)
        cursor.execute(events + _SERIES, params)
        cursor.execute(_CHARGED.format(scope=scope), params)
