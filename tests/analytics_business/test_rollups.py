"""The business rollups (`BusinessDay`, `ListingPeriod`) always equal the raw `MarketplaceData` they sum."""

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import DateField, F, Sum
from django.db.models.functions import Trunc

from analytics.business import (
    FIGURE_NAMES,
    BusinessScope,
    business_breakdown,
    business_series,
    business_totals,
    covering_spans,
    marketplace_data_for_scope,
)
from analytics.models import AnalyticsCache, BusinessDataVersion, BusinessDay, ListingPeriod
from analytics.services import business_rollups_rebuild
from listings.models import Listing, MarketplaceData
from tests.factories import ListingFactory, MarketplaceDataFactory, ProductFactory, StoreAccountFactory

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
FAR = datetime(2100, 1, 1, tzinfo=UTC)
DAYS = 120


def figures(rows: Any, *keys: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    sums = rows.values(*keys).annotate(**{f"s_{name}": Sum(name) for name in FIGURE_NAMES}).order_by()
    return {
        tuple(row[key] for key in keys): tuple(row[f"s_{name}"] for name in FIGURE_NAMES)
        for row in sums
        if any(row[f"s_{name}"] for name in FIGURE_NAMES)
    }


def raw_days(user: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    rows = MarketplaceData.objects.filter(listing__user=user).annotate(store=F("listing__store_account_id"))
    return figures(rows, "store", "date", "currency")


def rollup_days(user: Any) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return figures(
        BusinessDay.objects.filter(user=user).annotate(store=F("store_account_id")), "store", "date", "currency"
    )


def raw_periods(user: Any, span: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    rows = MarketplaceData.objects.filter(listing__user=user).annotate(
        start=Trunc("date", span, output_field=DateField())
    )
    return figures(rows, "listing_id", "start", "currency")


def rollup_periods(user: Any, span: str) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    return figures(ListingPeriod.objects.filter(user=user, span=span), "listing_id", "start", "currency")


def assert_rollups_equal_raw(user: Any) -> None:
    assert rollup_days(user) == raw_days(user)
    for span in ("week", "month"):
        assert rollup_periods(user, span) == raw_periods(user, span)


@pytest.fixture
def sales(user, other_user) -> list[Listing]:
    """Two users' listings (two stores, three products, one listing in EUR) with random sales over 120 days."""
    rng = random.Random(6)
    stores = [StoreAccountFactory(user=user), StoreAccountFactory(user=user)]
    products = [ProductFactory() for _ in range(3)]
    listings = [
        ListingFactory(user=user, store_account=stores[index % 2], product=products[index % 3]) for index in range(5)
    ]
    listings.append(ListingFactory(user=other_user, product=products[0]))
    for listing in listings:
        for offset in rng.sample(range(DAYS), 40):
            units = rng.randint(0, 4)
            revenue = Decimal(units * rng.randint(10, 40))
            cost = (revenue * Decimal("0.6")).quantize(Decimal("0.01"))
            MarketplaceDataFactory(
                listing=listing,
                date=START + timedelta(days=offset),
                currency="EUR" if listing == listings[4] else "USD",
                views=rng.randint(0, 50),
                orders=min(units, 2),
                units_sold=units,
                revenue=revenue,
                cost=cost,
                fees=Decimal("1.00"),
                refunds=Decimal(0),
                profit=revenue - cost - Decimal("1.00"),
            )
    return listings


def test_inserts_updates_and_deletes_keep_the_rollups_equal_to_the_raw_rows(user, other_user, sales):
    assert_rollups_equal_raw(user)

    rows = MarketplaceData.objects.filter(listing=sales[0]).order_by("date")
    rows.filter(pk=rows[0].pk).update(revenue=F("revenue") + 7, profit=F("profit") + 7, units_sold=F("units_sold") + 1)
    rows.filter(pk=rows[1].pk).delete()
    MarketplaceData.objects.filter(listing=sales[1]).update(refunds=Decimal("2.50"), profit=F("profit") - 2)

    assert_rollups_equal_raw(user)
    assert_rollups_equal_raw(other_user)


def test_the_rollups_keep_each_users_rows_apart(user, other_user, sales):
    assert set(BusinessDay.objects.filter(user=other_user).values_list("store_account_id", flat=True)) == {
        sales[5].store_account_id
    }
    assert set(ListingPeriod.objects.filter(user=other_user).values_list("listing_id", flat=True)) == {sales[5].pk}
    assert not BusinessDay.objects.filter(user=user, store_account_id=sales[5].store_account_id).exists()


def test_the_rebuild_reproduces_the_rollups_and_repairs_drift(user, other_user, sales):
    BusinessDay.objects.filter(user=user).update(revenue=0)
    ListingPeriod.objects.filter(user=user).delete()
    before = BusinessDataVersion.objects.get(user=user).version

    read = business_rollups_rebuild(user=user)

    assert read == MarketplaceData.objects.filter(listing__user=user).count()
    assert_rollups_equal_raw(user)
    assert_rollups_equal_raw(other_user)
    assert BusinessDataVersion.objects.get(user=user).version == before + 1


def test_the_rebuild_command_rebuilds_everyone(user, other_user, sales):
    BusinessDay.objects.all().delete()
    ListingPeriod.objects.all().delete()

    call_command("business_rollups_rebuild")

    assert_rollups_equal_raw(user)
    assert_rollups_equal_raw(other_user)


def test_a_user_with_sales_can_be_deleted(other_user, sales):
    other_user.delete()

    assert not BusinessDay.objects.filter(user_id=other_user.pk).exists()
    assert not ListingPeriod.objects.filter(user_id=other_user.pk).exists()


def test_a_write_drops_only_that_users_cached_results(user, other_user, sales):
    AnalyticsCache.objects.create(key="a", user=user, scope=f"user:{user.pk}", kind="k", expires_at=FAR)
    AnalyticsCache.objects.create(key="b", user=other_user, scope="x", kind="k", expires_at=FAR)

    MarketplaceData.objects.filter(listing=sales[0]).first().delete()

    assert list(AnalyticsCache.objects.values_list("key", flat=True)) == ["b"]


RANGES = [
    (date(2026, 1, 1), date(2026, 4, 30)),  # four whole months
    (date(2026, 1, 3), date(2026, 4, 17)),  # months, weeks and days
    (date(2026, 2, 10), date(2026, 3, 9)),  # 28 days across a month end
    (date(2026, 3, 4), date(2026, 3, 4)),  # one day
    (date(2025, 12, 20), date(2026, 1, 20)),  # partly before the data
]


def raw_breakdown(scope: BusinessScope, key: str) -> dict[int, tuple[Any, ...]]:
    grouped = figures(marketplace_data_for_scope(scope=scope), key)
    return {group[0]: sums for group, sums in grouped.items()}


@pytest.mark.parametrize(("date_from", "date_to"), RANGES)
@pytest.mark.parametrize("group_by", ["store", "listing", "product"])
def test_breakdowns_from_the_rollups_equal_the_raw_computation(user, sales, date_from, date_to, group_by):
    scope = BusinessScope(user=user, date_from=date_from, date_to=date_to, currency="USD")
    key = {"store": "listing__store_account_id", "listing": "listing_id", "product": "listing__product_id"}[group_by]

    rows = business_breakdown(scope=scope, group_by=group_by)

    got = {row["id"]: tuple(row[name] for name in FIGURE_NAMES) for row in rows if any(row[n] for n in FIGURE_NAMES)}
    assert got == raw_breakdown(scope, key)
    assert got


@pytest.mark.parametrize(("date_from", "date_to"), RANGES)
def test_totals_and_series_from_the_rollups_equal_the_raw_computation(user, sales, date_from, date_to):
    scope = BusinessScope(user=user, date_from=date_from, date_to=date_to, currency="USD")
    store = sales[0].store_account_id
    narrowed = BusinessScope(user=user, date_from=date_from, date_to=date_to, currency="USD", store_id=store)

    for each in (scope, narrowed):
        raw = marketplace_data_for_scope(scope=each).aggregate(**{name: Sum(name) for name in FIGURE_NAMES})
        totals = business_totals(scope=each)
        assert {name: totals[name] for name in FIGURE_NAMES} == {name: raw[name] or 0 for name in FIGURE_NAMES}
        weekly = business_series(scope=each, interval="week")
        assert sum(point["revenue"] for point in weekly) == totals["revenue"]


def test_a_scope_narrowed_to_a_listing_reads_the_raw_rows(user, sales):
    listing = sales[0]
    scope = BusinessScope(
        user=user, date_from=START, date_to=START + timedelta(days=DAYS), currency="USD", listing_id=listing.pk
    )

    assert business_totals(scope=scope)["revenue"] == sum(
        MarketplaceData.objects.filter(listing=listing).values_list("revenue", flat=True)
    )


def test_covering_spans_takes_whole_months_then_whole_weeks_then_days():
    spans, days = covering_spans(date_from=date(2026, 1, 3), date_to=date(2026, 4, 17))

    assert spans == {
        "month": [date(2026, 2, 1), date(2026, 3, 1)],
        "week": [date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19), date(2026, 4, 6)],
    }
    assert days == [
        (date(2026, 1, 3), date(2026, 1, 4)),
        (date(2026, 1, 26), date(2026, 1, 31)),
        (date(2026, 4, 1), date(2026, 4, 5)),
        (date(2026, 4, 13), date(2026, 4, 17)),
    ]


def test_covering_spans_of_a_short_range_is_its_days():
    assert covering_spans(date_from=date(2026, 3, 4), date_to=date(2026, 3, 6)) == (
        {},
        [(date(2026, 3, 4), date(2026, 3, 6))],
    )
