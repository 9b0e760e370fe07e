"""`seed_demo`: a believable, consistent, deterministic and idempotent demo."""

from datetime import timedelta
from io import StringIO
from itertools import groupby, pairwise

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, Notification
from analytics.demo import ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD, STOCKOUTS, demo_seed
from catalog.models import Availability, PriceHistory, Product, StockHistory
from listings.models import Listing, MarketplaceData
from marketplaces.models import StoreAccount
from suppliers.models import Supplier

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def seeded():
    return demo_seed(now=NOW)


def _series(model, *fields):
    rows = model.objects.order_by("product_id", "variant_id", "recorded_at", "id")
    return groupby(rows.values_list("product_id", "variant_id", *fields), key=lambda row: row[:2])


def test_seed_fills_the_catalog_from_three_suppliers(seeded):
    assert set(Supplier.objects.values_list("slug", flat=True)) >= {"amazon", "aliexpress", "uzum"}
    assert seeded.counts["products"] == Product.objects.count() == 30
    assert Product.objects.filter(variants__isnull=False).distinct().count() >= 5
    assert not Product.objects.filter(images=[]).exists()


def test_seed_gives_the_demo_user_stores_listings_data_and_alerts(seeded):
    user = User.objects.get(email=DEMO_EMAIL)
    assert set(StoreAccount.objects.filter(user=user).values_list("marketplace", flat=True)) == {"ebay", "shopify"}
    assert set(Listing.objects.filter(user=user).values_list("status", flat=True)) == set(Listing.Status.values)
    assert user.tracked_products.count() == seeded.counts["tracked_products"] > 20
    assert user.pricing_rules.exists()
    assert user.policy_rules.exists()
    assert Alert.objects.filter(user=user).exists()
    assert Notification.objects.filter(user=user, status="sent").exists()


def test_marketplace_data_covers_ninety_days(seeded):
    dates = MarketplaceData.objects.values_list("date", flat=True)
    assert (max(dates) - min(dates)).days >= 88


def test_price_history_has_no_two_consecutive_equal_prices(seeded):
    for _, rows in _series(PriceHistory, "price"):
        prices = [row[2] for row in rows]
        assert all(a != b for a, b in pairwise(prices))


def test_stock_history_has_no_two_consecutive_equal_readings(seeded):
    for _, rows in _series(StockHistory, "stock_quantity", "availability"):
        readings = [row[2:] for row in rows]
        assert all(a != b for a, b in pairwise(readings))


def test_price_history_changes_every_few_days_over_ninety_days(seeded):
    product = Product.objects.get(external_id="B0BDHWDR12")
    times = list(
        product.price_history.filter(variant=None).order_by("recorded_at").values_list("recorded_at", flat=True)
    )
    assert 8 <= len(times) <= 45
    assert NOW - times[0] > timedelta(days=85)


def test_the_latest_history_matches_the_product(seeded):
    for product in Product.objects.all():
        price = product.price_history.filter(variant=None).order_by("-recorded_at").first()
        stock = product.stock_history.filter(variant=None).order_by("-recorded_at").first()
        assert price.price == product.price
        assert (stock.stock_quantity, stock.availability) == (product.stock_quantity, product.availability)


def test_stock_out_episodes_are_recorded(seeded):
    outs = StockHistory.objects.filter(variant=None, availability=Availability.OUT_OF_STOCK)
    assert set(outs.values_list("product__external_id", flat=True)) == set(STOCKOUTS)


def test_no_sales_while_the_supplier_was_out_of_stock(seeded):
    history = list(
        StockHistory.objects.filter(product__external_id="1005005567001122", variant=None).order_by("recorded_at")
    )
    out = next(i for i, row in enumerate(history) if row.availability == Availability.OUT_OF_STOCK)
    first_dry, back = history[out].recorded_at.date() + timedelta(days=1), history[out + 1].recorded_at.date()
    days = MarketplaceData.objects.filter(
        listing__product__external_id="1005005567001122", date__gte=first_dry, date__lt=back
    )
    assert days.exists()
    assert not days.filter(orders__gt=0).exists()


def test_profit_is_revenue_minus_cost_fees_and_refunds(seeded):
    rows = MarketplaceData.objects.all()
    assert rows.filter(orders__gt=0).exists()
    assert not rows.exclude(profit=F("revenue") - F("cost") - F("fees") - F("refunds")).exists()


def test_store_tokens_are_encrypted_at_rest(seeded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token, credentials FROM marketplaces_storeaccount")
        stored = cursor.fetchall()
    assert stored
    assert all("demo" not in token and "client_id" not in creds for token, creds in stored)
    assert StoreAccount.objects.get(marketplace="shopify").access_token.startswith("shpat_")


def test_demo_user_and_operator_can_log_in_with_the_printed_passwords(seeded):
    assert User.objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)
    admin = User.objects.get(email=ADMIN_EMAIL)
    assert admin.check_password(ADMIN_PASSWORD)
    assert admin.is_superuser
    assert admin.is_staff


def test_seeding_twice_does_not_duplicate(seeded):
    again = demo_seed(now=NOW)
    assert not again.created
    assert again.counts == seeded.counts
    assert User.objects.filter(email__in=[DEMO_EMAIL, ADMIN_EMAIL]).count() == 2


def test_reset_rebuilds_the_same_demo(seeded):
    first_prices = list(PriceHistory.objects.order_by("recorded_at", "price").values_list("price", "recorded_at"))
    old_user = User.objects.get(email=DEMO_EMAIL).pk
    rebuilt = demo_seed(reset=True, now=NOW)
    assert rebuilt.created
    assert rebuilt.counts == seeded.counts
    assert User.objects.get(email=DEMO_EMAIL).pk != old_user
    assert (
        list(PriceHistory.objects.order_by("recorded_at", "price").values_list("price", "recorded_at")) == first_prices
    )


def test_command_prints_the_logins():
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert f"{DEMO_EMAIL} / {DEMO_PASSWORD}" in out.getvalue()
    assert ADMIN_EMAIL in out.getvalue()


def test_command_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.filter(email=DEMO_EMAIL).exists()
