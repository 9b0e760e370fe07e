"""Business analytics: a year of marketplace data for 10,000 listings, then every business endpoint's p50 and p95.

One large user owns 2,000 listings on three stores, eight smaller users share the other 8,000; every listing has a
`MarketplaceData` row every day (3.65 million rows at full scale) and a price decision every 30 days (one in ten
held by a guardrail); 5 % of the large user's listings were paused for low margin and zeroed out of stock once.
The rows go in with COPY with the rollup trigger off (a backfill), then `business_rollups_rebuild` builds the
rollups and VACUUM ANALYZE runs (as autovacuum would); a sample of single-row updates measures writes through the
trigger. Endpoints are read as the large user through the Django test client, cold (the user's cached results
deleted before every request) and cached.
"""

import io
import json
import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from analytics.models import AnalyticsCache
from analytics.services import business_rollups_rebuild
from benchmarks.report import Figure, median, percentile
from catalog.models import Product
from dropship_central.models import AuditLog
from listings.models import Listing, MarketplaceData, PriceDecision, PricingRule
from marketplaces.models import StoreAccount
from suppliers.models import Supplier

DESCRIPTION = "business analytics endpoints over a year of daily marketplace data for 10k listings"
NAME = "business"
DAYS = 365
DECISION_EVERY_DAYS = 30
SMALL_USERS = 8
COPY_CHUNK = 50_000


def run(*, scale: float) -> list[Figure]:
    total = max(200, int(10_000 * scale))
    large = max(40, total // 5)
    today = timezone.localdate()
    first_day = today - timedelta(days=DAYS - 1)
    rng = random.Random(6)
    owner, listings = _listings(total, large)
    figures = []

    rules = _rules()
    started = time.perf_counter()
    decisions = _copy(PriceDecision._meta.db_table, DECISION_COLUMNS, _decisions(listings, rules, first_day, rng))
    figures.append(_rate("price decisions COPY", decisions, started, "rows/s"))

    started = time.perf_counter()
    rows = _copy(MarketplaceData._meta.db_table, DATA_COLUMNS, _daily_rows(listings, first_day, rng), triggers=False)
    figures.append(_rate("marketplace data COPY (trigger off)", rows, started, "rows/s"))
    started = time.perf_counter()
    business_rollups_rebuild()
    figures.append(_rate("rollup rebuild", rows, started, "rows/s"))
    _audit_pauses(listings[:large], today, rng)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need the visibility map

    figures.append(_trigger_writes(listings, first_day, rng))
    client = APIClient()
    client.force_authenticate(owner)
    year = {"from": first_day.isoformat(), "to": today.isoformat()}
    endpoints = {
        "dashboard 30d": ("dashboard", {}),
        "revenue by store 365d": ("revenue", {**year, "group_by": "store", "interval": "month"}),
        "profit by product 365d": ("profit", {**year, "group_by": "product", "interval": "month"}),
        "profit by listing 90d": ("profit", {"from": (today - timedelta(89)).isoformat(), "group_by": "listing"}),
        "trends daily 365d": ("trends", {**year, "interval": "day"}),
        "top-products 30d": ("top-products", {}),
        "top-products 365d": ("top-products", year),
        "rules 30d": ("rules", {}),
        "rules 365d": ("rules", year),
    }
    runs = max(10, min(30, int(60 * scale)))
    note = f"{rows:,} rows, {total:,} listings, user of {large:,}, {runs} runs"
    for name, (path, params) in endpoints.items():
        url = f"/api/v1/analytics/{path}"
        cold = _timings(client, url, params, runs, owner=owner, cold=True)
        cached = _timings(client, url, params, runs, owner=owner, cold=False)
        figures += [
            Figure(NAME, f"{name} cold p50", median(cold), "ms", note),
            Figure(NAME, f"{name} cold p95", percentile(cold, 95), "ms", note),
            Figure(NAME, f"{name} cached p50", median(cached), "ms", note),
            Figure(NAME, f"{name} cached p95", percentile(cached, 95), "ms", note),
        ]
    return figures


def _rate(name: str, count: int, started: float, unit: str) -> Figure:
    return Figure(NAME, name, count / (time.perf_counter() - started), unit, f"{count:,} rows")


def _listings(total: int, large: int) -> tuple[User, list[tuple[int, int]]]:
    """The large user and every listing as (id, user id), the large user's first."""
    users = [User.objects.create_user(f"seller{n}@example.com", "bench-password") for n in range(SMALL_USERS + 1)]
    supplier = Supplier.objects.create(slug="amazon", name="Amazon")
    products = Product.objects.bulk_create(
        (
            Product(supplier=supplier, external_id=f"B0BIZ{n:07d}", title=f"Business Widget {n}", currency="USD")
            for n in range(total)
        ),
        batch_size=2000,
    )
    stores = {user.pk: [] for user in users}
    for user in users:
        for n in range(3 if user == users[0] else 1):
            stores[user.pk].append(
                StoreAccount.objects.create(
                    user=user, marketplace="ebay", name=f"{user.email} {n}", status=StoreAccount.Status.CONNECTED
                )
            )
    owners = [users[0]] * large + [users[1 + n % SMALL_USERS] for n in range(total - large)]
    created = Listing.objects.bulk_create(
        (
            Listing(
                user=owner,
                store_account=stores[owner.pk][n % len(stores[owner.pk])],
                product=product,
                sku=f"BIZ-{n:06d}",
                title=product.title,
                status=Listing.Status.ACTIVE,
                price=Decimal("29.99"),
                quantity=5,
            )
            for n, (owner, product) in enumerate(zip(owners, products, strict=True))
        ),
        batch_size=2000,
    )
    return users[0], [(listing.pk, listing.user_id) for listing in created]


def _rules() -> dict[int, list[tuple[int, str]]]:
    rules: dict[int, list[tuple[int, str]]] = {}
    for user in User.objects.all():
        for name in ("Standard", "Premium", "Clearance"):
            rule = PricingRule.objects.create(user=user, name=name, markup_percent=Decimal(30))
            rules.setdefault(user.pk, []).append((rule.pk, name))
    return rules


DECISION_COLUMNS = (
    "listing_id, created_at, trigger, outcome, refusal_code, cost, cost_currency, converted_cost, rule_id, rule_name, "
    "tier, floor_hit, guardrail, price_before, price_after, currency, explanation"
)


def _decisions(
    listings: list[tuple[int, int]], rules: dict[int, list[tuple[int, str]]], first_day: date, rng: random.Random
) -> Iterator[tuple[object, ...]]:
    for listing_id, user_id in listings:
        price = Decimal("29.99")
        offset = -rng.randint(1, DECISION_EVERY_DAYS)
        while offset < DAYS:
            at = datetime.combine(first_day + timedelta(days=offset), clock(rng.randint(0, 23)), tzinfo=UTC)
            rule_id, name = rules[user_id][rng.randrange(3)]
            proposed = (Decimal(rng.randint(1500, 4500)) / 100).quantize(Decimal("0.01"))
            held = rng.random() < 0.1
            outcome, guardrail = ("held", "price_drop") if held else ("applied", "")
            yield (listing_id, at, "product_changed", outcome, "", proposed / 2, "USD", proposed / 2, rule_id, name,
                   "", False, guardrail, price, proposed, "USD", "benchmark")  # fmt: skip
            if not held:
                price = proposed
            offset += DECISION_EVERY_DAYS


DATA_COLUMNS = "listing_id, date, currency, views, orders, units_sold, revenue, cost, fees, refunds, profit, updated_at"


def _daily_rows(listings: list[tuple[int, int]], first_day: date, rng: random.Random) -> Iterator[tuple[object, ...]]:
    now = timezone.now()
    for listing_id, _user in listings:
        pace = rng.randint(0, 6)
        for offset in range(DAYS):
            units = max(0, pace + rng.randint(-3, 3))
            revenue = units * 2999
            cost = units * 1500
            fees = revenue * 13 // 100
            refunds = 2999 if units and rng.random() < 0.02 else 0
            profit = revenue - cost - fees - refunds
            yield (listing_id, first_day + timedelta(days=offset), "USD", units * 20 + 5, min(units, 3), units,
                   _cents(revenue), _cents(cost), _cents(fees), _cents(refunds), _cents(profit), now)  # fmt: skip


def _cents(value: int) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value) // 100}.{abs(value) % 100:02d}"


def _copy(table: str, columns: str, rows: Iterator[tuple[object, ...]], *, triggers: bool = True) -> int:
    """COPY the rows into the table (with `triggers=False`: as a backfill, no triggers); how many went in."""
    count = 0
    with connection.cursor() as cursor:
        if not triggers:
            cursor.execute("SET session_replication_role = replica")
        try:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(_text(value) for value in row) + "\n")
                    count += 1
                    if count % COPY_CHUNK == 0:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        finally:
            if not triggers:
                cursor.execute("SET session_replication_role = DEFAULT")
    return count


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _audit_pauses(listings: list[tuple[int, int]], today: date, rng: random.Random) -> None:
    """A low-margin pause of 2–9 days and an out-of-stock zero quantity of 1–5 days on 5 % of the listings."""
    content_type = ContentType.objects.get_for_model(Listing).pk
    entries = []
    for listing_id, _user in rng.sample(listings, max(1, len(listings) // 20)):
        paused = datetime.combine(today - timedelta(days=rng.randint(10, 300)), clock(6), tzinfo=UTC)
        zeroed = datetime.combine(today - timedelta(days=rng.randint(10, 300)), clock(9), tzinfo=UTC)
        resumed = paused + timedelta(days=rng.randint(2, 9))
        restored = zeroed + timedelta(days=rng.randint(1, 5))
        for at, changes in (
            (paused, {"status": ["active", "paused"], "status_reason": [None, "low_margin"]}),
            (resumed, {"status": ["paused", "active"], "status_reason": [None, "manual_resume"]}),
            (zeroed, {"quantity": [5, 0], "quantity_reason": ["", "out_of_stock"]}),
            (restored, {"quantity": [0, 5], "quantity_reason": ["out_of_stock", "back_in_stock"]}),
        ):
            entries.append((None, "update", content_type, str(listing_id), "", json.dumps(changes), "", "", "", at))
    columns = (
        "actor_id, action, content_type_id, object_id, object_repr, changes, message, user_agent, request_id, "
        "created_at"
    )
    _copy(AuditLog._meta.db_table, columns, iter(entries))


def _trigger_writes(listings: list[tuple[int, int]], first_day: date, rng: random.Random) -> Figure:
    """Single-row updates as the order import makes them (autocommit), each through the rollup trigger."""
    count = 500
    picks = [(rng.choice(listings)[0], first_day + timedelta(days=rng.randrange(DAYS))) for _ in range(count)]
    started = time.perf_counter()
    for listing_id, day in picks:
        MarketplaceData.objects.filter(listing_id=listing_id, date=day).update(
            orders=1, units_sold=1, revenue=Decimal("29.99"), updated_at=timezone.now()
        )
    return _rate("order-import writes through the trigger", count, started, "rows/s")


def _timings(client: APIClient, url: str, params: dict[str, str], runs: int, *, owner: User, cold: bool) -> list[float]:
    client.get(url, params)
    samples = []
    for _ in range(runs):
        if cold:
            AnalyticsCache.objects.filter(user=owner).delete()
        cache.clear()  # the API's rate-limit counters: a benchmark is not a client to throttle
        started = time.perf_counter()
        response = client.get(url, params)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, f"{url} answered {response.status_code}: {response.content[:200]!r}"
        assert response["X-Analytics-Cache"] == ("miss" if cold else "hit"), url
    return samples
