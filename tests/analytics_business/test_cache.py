from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from analytics.cache import analytics_cached
from analytics.models import AnalyticsCache
from analytics.services import analytics_cache_purge_expired
from listings.models import MarketplaceData
from tests.analytics_business.conftest import RANGE
from tests.factories import MarketplaceDataFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/analytics/dashboard"


def test_the_second_dashboard_request_is_served_from_the_cache(auth_client, shop, django_assert_max_num_queries):
    first = auth_client.get(URL, RANGE)

    with django_assert_max_num_queries(2):
        second = auth_client.get(URL, RANGE)

    assert (first["X-Analytics-Cache"], second["X-Analytics-Cache"]) == ("miss", "hit")
    assert second.json() == first.json()
    entry = AnalyticsCache.objects.get()
    assert (entry.user, entry.kind, entry.scope) == (shop.user, "business.dashboard", f"user:{shop.user.pk}")


def test_the_cache_expires_after_the_ttl(auth_client, shop, settings):
    settings.ANALYTICS_CACHE_TTL_SECONDS = 60
    auth_client.get(URL, RANGE)
    entry = AnalyticsCache.objects.get()
    assert 59 <= (entry.expires_at - timezone.now()).total_seconds() <= 60

    AnalyticsCache.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "miss"


def test_different_parameters_are_cached_apart(auth_client, shop):
    auth_client.get(URL, RANGE)

    response = auth_client.get(URL, {**RANGE, "store": shop.shop.pk})

    assert response["X-Analytics-Cache"] == "miss"
    assert response.json()["totals"]["revenue"] == "40.00"
    assert AnalyticsCache.objects.count() == 2


def test_reconciled_figures_invalidate_the_cached_dashboard(auth_client, shop):
    auth_client.get(URL, RANGE)

    # What listings.reconcile does when an order lands: add to the day's row and stamp updated_at.
    MarketplaceData.objects.filter(listing=shop.l2, date=date(2026, 3, 3)).update(
        revenue=F("revenue") + Decimal("10.00"), profit=F("profit") + Decimal("10.00"), updated_at=timezone.now()
    )
    response = auth_client.get(URL, RANGE)

    assert response["X-Analytics-Cache"] == "miss"
    assert response.json()["totals"]["revenue"] == "190.00"
    assert AnalyticsCache.objects.count() == 1


def test_a_new_day_row_invalidates_the_cached_dashboard(auth_client, shop):
    auth_client.get(URL, RANGE)

    MarketplaceDataFactory(listing=shop.l3, date=date(2026, 3, 10), revenue=Decimal("20.00"))

    assert auth_client.get(URL, RANGE).json()["totals"]["revenue"] == "200.00"


def test_another_users_new_data_keeps_the_cache(auth_client, shop):
    auth_client.get(URL, RANGE)

    MarketplaceDataFactory(listing__user=shop.other, date=date(2026, 3, 4))

    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "hit"


def test_a_ttl_of_zero_turns_the_cache_off(auth_client, shop, settings):
    settings.ANALYTICS_CACHE_TTL_SECONDS = 0

    auth_client.get(URL, RANGE)

    assert auth_client.get(URL, RANGE)["X-Analytics-Cache"] == "miss"
    assert not AnalyticsCache.objects.exists()


def test_new_data_deletes_the_users_cached_rows_in_the_same_transaction(auth_client, shop):
    auth_client.get(URL, RANGE)
    auth_client.get("/api/v1/analytics/trends", RANGE)
    assert AnalyticsCache.objects.filter(user=shop.user).count() == 2

    MarketplaceDataFactory(listing=shop.l3, date=date(2026, 3, 10), revenue=Decimal("20.00"))

    assert not AnalyticsCache.objects.filter(user=shop.user).exists()


def test_a_result_computed_while_new_data_landed_is_never_served(shop):
    def compute_while_an_order_lands() -> dict[str, str]:
        MarketplaceDataFactory(listing=shop.l3, date=date(2026, 3, 10), revenue=Decimal("20.00"))
        return {"stale": "yes"}

    analytics_cached(user=shop.user, kind="k", params={}, compute=compute_while_an_order_lands)
    data, hit = analytics_cached(user=shop.user, kind="k", params={}, compute=lambda: {"stale": "no"})

    assert (data, hit) == ({"stale": "no"}, False)


def test_storing_a_result_purges_everyones_expired_rows(auth_client, shop):
    past = timezone.now() - timedelta(seconds=1)
    AnalyticsCache.objects.create(key="gone", user=shop.other, scope="x", kind="k", expires_at=past)
    AnalyticsCache.objects.create(key="kept", user=shop.other, scope="x", kind="k", expires_at=past + timedelta(1))

    auth_client.get(URL, RANGE)

    assert set(AnalyticsCache.objects.values_list("key", flat=True)) == {
        "kept",
        AnalyticsCache.objects.get(user=shop.user).key,
    }


def test_the_purge_deletes_expired_rows_in_batches():
    past = timezone.now() - timedelta(seconds=1)
    for index in range(3):
        AnalyticsCache.objects.create(key=f"old{index}", scope="x", kind="k", expires_at=past)

    assert analytics_cache_purge_expired(batch=2) == 2
    assert analytics_cache_purge_expired(batch=2) == 1
    assert not AnalyticsCache.objects.exists()
