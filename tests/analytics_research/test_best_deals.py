"""Best deals: the price against the product's own time-weighted history, and inflated was-prices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.research import research_best_deals
from catalog.models import PriceHistory
from catalog.rollups import rollups_rebuild
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    """Midnight: the last 30 days are then exactly the 30 whole days the rollups hold."""
    return timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def priced(uzum, now):
    def make(title: str, price: str, list_price: str | None, history: list[tuple[int, str]], *, hours: bool = False):
        product = ProductFactory(
            supplier=uzum,
            title=title,
            price=Decimal(price),
            list_price=Decimal(list_price) if list_price else None,
            currency="UZS",
        )
        for days, value in history:
            PriceHistory.objects.create(
                product=product,
                price=Decimal(value),
                currency="UZS",
                recorded_at=now - (timedelta(hours=days) if hours else timedelta(days=days)),
            )
        rollups_rebuild(product_ids=[product.pk])
        return product

    return make


@pytest.fixture
def deals(priced):
    return {
        # 100 for 50 days, then flickering 80 / 100 / 80; the crossed-out 150 was never charged
        "flicker": priced("Flicker", "80", "150", [(60, "100"), (10, "80"), (4, "100"), (2, "80")]),
        # 100 for 35 days, 90 for the last 5; the crossed-out 100 really was the price
        "honest": priced("Honest", "90", "100", [(40, "100"), (5, "90")]),
        # dearer now than before: no deal
        "dearer": priced("Dearer", "60", None, [(40, "50"), (1, "60")]),
    }


def test_the_flickering_price_is_weighed_by_how_long_each_price_lasted(deals, now):
    deal = research_best_deals(supplier="uzum", days=30, now=now)[0]

    assert deal["title"] == "Flicker"
    # 30 days: 100 x 20 + 80 x 6 + 100 x 2 + 80 x 2 = 2840 / 30; all time: 5840 / 60
    assert (deal["min_recent"], deal["avg_recent"], deal["min_all_time"], deal["avg_all_time"]) == (
        Decimal("80"),
        Decimal("94.67"),
        Decimal("80"),
        Decimal("97.33"),
    )
    assert (deal["discount_pct"], deal["is_all_time_low"]) == (Decimal("15.50"), True)


def test_a_was_price_never_charged_is_flagged_inflated(deals, now):
    deals_by_title = {deal["title"]: deal for deal in research_best_deals(supplier="uzum", days=30, now=now)}

    assert (deals_by_title["Flicker"]["inflated_was_price"], deals_by_title["Flicker"]["claimed_discount_pct"]) == (
        True,
        Decimal("46.67"),
    )
    assert (deals_by_title["Honest"]["inflated_was_price"], deals_by_title["Honest"]["claimed_discount_pct"]) == (
        False,
        Decimal("10.00"),
    )


def test_deals_are_ordered_by_discount_and_a_price_above_average_is_no_deal(deals, now):
    rows = research_best_deals(supplier="uzum", days=30, now=now)

    # Honest: 100 x 25 + 90 x 5 = 2950 / 30 = 98.33; (98.33 - 90) / 98.33 = 8.47 %
    assert [(row["title"], row["avg_recent"], row["discount_pct"]) for row in rows] == [
        ("Flicker", Decimal("94.67"), Decimal("15.50")),
        ("Honest", Decimal("98.33"), Decimal("8.47")),
    ]


def test_min_discount_keeps_only_bigger_discounts(deals, now):
    rows = research_best_deals(supplier="uzum", days=30, min_discount_pct=Decimal("10"), now=now)

    assert [row["title"] for row in rows] == ["Flicker"]


def test_sku_history_does_not_enter_the_product_price_profile(deals, now):
    variant = deals["honest"].variants.create(sku="S1", price=Decimal("1"), currency="UZS")
    PriceHistory.objects.create(
        product=deals["honest"], variant=variant, price=Decimal("1"), currency="UZS", recorded_at=now
    )
    rollups_rebuild(product_ids=[deals["honest"].pk])

    honest = next(row for row in research_best_deals(supplier="uzum", now=now) if row["title"] == "Honest")

    assert honest["min_all_time"] == Decimal("90")


def test_a_reading_on_the_day_before_the_period_carries_into_it(priced, now):
    priced("Steady", "80", None, [(31 * 24 - 12, "100"), (5 * 24, "80")], hours=True)

    deal = research_best_deals(supplier="uzum", days=30, now=now)[0]

    # 100 for 25 days, then 80 for 5: (2500 + 400) / 30
    assert (deal["avg_recent"], deal["min_recent"]) == (Decimal("96.67"), Decimal("80"))
