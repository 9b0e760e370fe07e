"""The portable (Python) rebuild of the business rollups writes exactly the rows of the PostgreSQL trigger and of
the SQL rebuild; the order import's `marketplace_data_changed` makes it run where no trigger exists."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.db.models import F

from analytics import receivers, services
from analytics.models import AnalyticsCache, BusinessDataVersion, BusinessDay, ListingPeriod
from analytics.rollups_portable import business_rollups_rebuild_portable, span_start
from analytics.services import business_rollups_rebuild
from listings.models import Listing, MarketplaceData, PriceDecision
from listings.reconcile import store_account_orders_import
from listings.signals import marketplace_data_changed
from marketplaces.models import StoreAccount
from tests.analytics_business import test_earnings, test_rollups
from tests.factories import ListingFactory, MarketplaceDataFactory, PricingRuleFactory, StoreAccountFactory
from tests.marketplaces.shopify import conftest as shopify

pytestmark = pytest.mark.django_db

# The datasets of test_rollups.py and test_earnings.py, and the loopback Shopify of the order import tests.
sales = test_rollups.sales
priced = test_earnings.priced
schema, shop, store, clock, client = shopify.schema, shopify.shop, shopify.store, shopify.clock, shopify.client

FAR = datetime(2100, 1, 1, tzinfo=UTC)
FIGURES = ("views", "orders", "units_sold", "revenue", "cost", "fees", "refunds", "profit")
DAY_FIELDS = ("user_id", "store_account_id", "date", "currency", "rule_id", "rule_name", "guardrail", "held_difference")
PERIOD_FIELDS = ("listing_id", "user_id", "store_account_id", "product_id", "span", "start", "currency")


def snapshot() -> tuple[Counter, Counter]:
    """Every rollup row, without its id."""
    days = Counter(BusinessDay.objects.values_list(*DAY_FIELDS, *FIGURES))
    periods = Counter(ListingPeriod.objects.values_list(*PERIOD_FIELDS, *FIGURES))
    return days, periods


def without_zero_rows(rows: Counter) -> Counter:
    """The trigger keeps a row whose figures went back to zero (a delete); a rebuild has no source row for it."""
    return Counter({row: n for row, n in rows.items() if any(row[-len(FIGURES) :])})


@pytest.fixture
def decided(user, other_user) -> list[Listing]:
    """Random decisions of every outcome (rule-less, same-instant ties, exactly at midnight, held with a price
    step of either sign) over random sales in two currencies, for two users."""
    rng = random.Random(11)
    rules = [PricingRuleFactory(user=user, name=name) for name in ("Alpha", "Beta")]
    stores = [StoreAccountFactory(user=user), StoreAccountFactory(user=user)]
    listings = [ListingFactory(user=user, store_account=stores[n % 2]) for n in range(4)]
    listings.append(ListingFactory(user=other_user))
    start = datetime(2026, 2, 1, tzinfo=UTC)
    for listing in listings:
        for _ in range(12):
            when = start + timedelta(days=rng.randint(0, 40), hours=rng.choice([0, 0, 3, 23]))
            outcome = rng.choice(["applied", "unchanged", "held", "held", "refused"])
            rule = rng.choice([*rules, None]) if listing.user_id == user.pk else None
            held = outcome == "held"
            decision = PriceDecision.objects.create(
                listing=listing,
                trigger="product_changed",
                outcome=outcome,
                rule=rule,
                rule_name=rule.name if rule else "",
                currency="USD",
                explanation="test",
                guardrail=rng.choice(["price_drop", "below_cost"]) if held else "",
                price_before=Decimal(rng.randint(20, 40)) if held else None,
                price_after=Decimal(rng.randint(15, 45)) + Decimal("0.25") if held else Decimal(30),
            )
            PriceDecision.objects.filter(pk=decision.pk).update(created_at=when)
        for offset in rng.sample(range(45), 25):
            units = rng.randint(0, 3)
            revenue = Decimal(units * rng.randint(10, 40)) + Decimal("0.99")
            MarketplaceDataFactory(
                listing=listing,
                date=date(2026, 2, 1) + timedelta(days=offset),
                currency=rng.choice(["USD", "USD", "EUR"]),
                views=rng.randint(0, 50),
                orders=units,
                units_sold=units,
                revenue=revenue,
                cost=Decimal("3.10") * units,
                fees=Decimal("1.05"),
                refunds=Decimal(0),
                profit=revenue - Decimal("3.10") * units - Decimal("1.05"),
            )
    return listings


@pytest.mark.parametrize("dataset", ["sales", "priced", "decided"])
def test_the_portable_rebuild_writes_the_rows_the_trigger_wrote(request, dataset):
    request.getfixturevalue(dataset)
    by_trigger = snapshot()
    assert by_trigger[0]
    assert by_trigger[1]

    read = business_rollups_rebuild_portable()

    assert read == MarketplaceData.objects.count()
    assert snapshot() == by_trigger


def test_the_decided_dataset_exercises_every_attribution(decided):
    days = BusinessDay.objects.all()
    assert days.filter(rule_id=0).exists()
    assert days.exclude(rule_id=0).exists()
    assert days.filter(held_difference__gt=0).exists()
    assert days.filter(held_difference__lt=0).exists()
    assert set(days.values_list("guardrail", flat=True)) == {"", "price_drop", "below_cost"}


def test_after_updates_and_deletes_the_portable_rebuild_equals_the_sql_rebuild(user, other_user, decided):
    rows = MarketplaceData.objects.filter(listing=decided[0]).order_by("date")
    rows.filter(pk=rows[0].pk).update(revenue=F("revenue") + 7, profit=F("profit") + 7, units_sold=F("units_sold") + 2)
    rows.filter(pk=rows[1].pk).delete()
    MarketplaceData.objects.filter(listing=decided[4]).first().delete()
    MarketplaceData.objects.filter(listing=decided[2]).update(refunds=Decimal("2.50"), profit=F("profit") - 2)
    days_by_trigger, periods_by_trigger = snapshot()

    business_rollups_rebuild()
    by_sql = snapshot()
    business_rollups_rebuild_portable()

    assert snapshot() == by_sql
    assert by_sql == (without_zero_rows(days_by_trigger), without_zero_rows(periods_by_trigger))


def test_one_users_rebuild_leaves_everyone_elses_rows_versions_and_cache(user, other_user, decided):
    theirs = list(BusinessDay.objects.filter(user=other_user).values_list("pk", *FIGURES))
    their_version = BusinessDataVersion.objects.get(user=other_user).version
    mine = BusinessDataVersion.objects.get(user=user).version
    AnalyticsCache.objects.create(key="a", user=user, scope=f"user:{user.pk}", kind="k", expires_at=FAR)
    AnalyticsCache.objects.create(key="b", user=other_user, scope="x", kind="k", expires_at=FAR)
    BusinessDay.objects.filter(user=user).update(revenue=0)
    ListingPeriod.objects.filter(user=user).delete()

    read = business_rollups_rebuild_portable(user_ids=[user.pk])

    assert read == MarketplaceData.objects.filter(listing__user=user).count()
    assert list(BusinessDay.objects.filter(user=other_user).values_list("pk", *FIGURES)) == theirs
    assert BusinessDataVersion.objects.get(user=other_user).version == their_version
    assert BusinessDataVersion.objects.get(user=user).version == mine + 1
    assert list(AnalyticsCache.objects.values_list("key", flat=True)) == ["b"]
    test_rollups.assert_rollups_equal_raw(user)


def test_the_versions_match_the_sql_rebuild_including_a_user_without_one(user, other_user, decided):
    BusinessDataVersion.objects.filter(user=other_user).delete()
    business_rollups_rebuild()
    by_sql = dict(BusinessDataVersion.objects.values_list("user_id", "version"))
    BusinessDataVersion.objects.filter(user=other_user).delete()
    BusinessDataVersion.objects.filter(user=user).update(version=F("version") - 1)

    business_rollups_rebuild_portable()

    assert dict(BusinessDataVersion.objects.values_list("user_id", "version")) == by_sql
    assert by_sql[other_user.pk] == 1


def test_the_rebuild_service_takes_the_portable_path_off_postgresql(monkeypatch, user, sales):
    calls: list[Any] = []
    monkeypatch.setattr(
        services, "business_rollups_rebuild_portable", lambda **kwargs: calls.append(kwargs) or 7, raising=True
    )
    assert connection.vendor == "postgresql"
    business_rollups_rebuild(user=user)
    assert calls == []

    monkeypatch.setattr(connection, "vendor", "sqlite")

    assert business_rollups_rebuild(user=user) == 7
    assert business_rollups_rebuild() == 7
    assert calls == [{"user_ids": [user.pk]}, {"user_ids": None}]


@pytest.mark.parametrize(
    ("day", "week", "month"),
    [
        (date(2026, 3, 1), date(2026, 2, 23), date(2026, 3, 1)),  # a Sunday: its ISO week began in February
        (date(2026, 1, 1), date(2025, 12, 29), date(2026, 1, 1)),  # a Thursday: its ISO week began last year
        (date(2026, 3, 2), date(2026, 3, 2), date(2026, 3, 1)),  # a Monday
    ],
)
def test_span_starts_are_postgresql_date_trunc(day, week, month):
    assert (span_start("day", day), span_start("week", day), span_start("month", day)) == (day, week, month)


# --- the signal and its receiver -------------------------------------------------------------------


@pytest.fixture
def sent() -> Any:
    received: list[dict[str, Any]] = []

    def receiver(**kwargs: Any) -> None:
        received.append(kwargs)

    marketplace_data_changed.connect(receiver, dispatch_uid="test.marketplace_data_changed")
    yield received
    marketplace_data_changed.disconnect(dispatch_uid="test.marketplace_data_changed")


def test_the_order_import_sends_marketplace_data_changed_for_the_stores_owner(
    store, shop, client, sent, django_capture_on_commit_callbacks
):
    listing = ListingFactory(user=store.user, store_account=store, sku="SH-1", status=Listing.Status.ACTIVE)
    shop.add_order(created_at="2025-03-05T09:30:00Z", lines=[("SH-1", 2, "50.00")], fees=["1.75"])
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)

    with django_capture_on_commit_callbacks() as callbacks:
        result = store_account_orders_import(store_account_id=store.pk, client=client, now=now)
    assert sent == []  # not before the import's writes commit
    for callback in callbacks:
        callback()

    assert result.rows_changed == 1
    assert [(call["sender"], call["user_ids"]) for call in sent] == [(Listing, [store.user_id])]
    assert MarketplaceData.objects.filter(listing=listing).exists()


def test_an_import_that_changes_nothing_sends_nothing(store, shop, client, sent, django_capture_on_commit_callbacks):
    ListingFactory(user=store.user, store_account=store, sku="SH-1", status=Listing.Status.ACTIVE)
    shop.add_order(created_at="2025-03-05T09:30:00Z", lines=[("SH-1", 2, "50.00")], fees=["1.75"])
    now = datetime(2025, 3, 10, 12, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        store_account_orders_import(store_account_id=store.pk, client=client, now=now)
    assert len(sent) == 1
    sent.clear()
    StoreAccount.objects.filter(pk=store.pk).update(orders_imported_until=None)  # read the same order again

    with django_capture_on_commit_callbacks(execute=True):
        result = store_account_orders_import(store_account_id=store.pk, client=client, now=now)

    assert (result.orders, result.rows_changed, sent) == (1, 0, [])


def test_the_receiver_does_nothing_on_postgresql(user, sales):
    BusinessDay.objects.filter(user=user).delete()

    marketplace_data_changed.send(sender=Listing, user_ids=[user.pk])

    assert not BusinessDay.objects.filter(user=user).exists()


def test_the_receiver_rebuilds_the_users_rollups_elsewhere(monkeypatch, user, other_user, sales):
    BusinessDay.objects.all().delete()
    ListingPeriod.objects.all().delete()
    monkeypatch.setattr(connection, "vendor", "sqlite")

    marketplace_data_changed.send(sender=Listing, user_ids=[user.pk])

    test_rollups.assert_rollups_equal_raw(user)
    assert not BusinessDay.objects.filter(user=other_user).exists()


def test_the_receiver_is_connected(monkeypatch):
    calls: list[Any] = []
    monkeypatch.setattr(receivers, "business_rollups_rebuild_portable", lambda **kwargs: calls.append(kwargs))
    monkeypatch.setattr(connection, "vendor", "sqlite")

    marketplace_data_changed.send(sender=Listing, user_ids=[3, 3])
    marketplace_data_changed.send(sender=Listing, user_ids=[])

    assert calls == [{"user_ids": [3, 3]}]


# --- the migration ---------------------------------------------------------------------------------


def test_the_migration_creates_the_trigger_only_on_postgresql():
    migration = __import__("analytics.migrations.0002_business_rollups", fromlist=["create_rollup_trigger"])
    executed: list[str] = []
    editor = SimpleNamespace(
        connection=SimpleNamespace(vendor="sqlite", ops=connection.ops),
        execute=lambda sql, params=None: executed.append(sql),
    )
    migration.create_rollup_trigger(None, editor)
    migration.drop_rollup_trigger(None, editor)
    assert executed == []

    editor.connection.vendor = "postgresql"
    migration.create_rollup_trigger(None, editor)
    created = "".join(executed)
    migration.drop_rollup_trigger(None, editor)
    dropped = "".join(executed)[len(created) :]

    assert "CREATE TRIGGER analytics_marketplace_data_rollup" in created
    assert "CREATE FUNCTION analytics_business_add" in created
    assert "DROP TRIGGER IF EXISTS analytics_marketplace_data_rollup" in dropped
    assert "CREATE" not in dropped
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'analytics_marketplace_data_rollup'")
        assert cursor.fetchone() == (1,)
