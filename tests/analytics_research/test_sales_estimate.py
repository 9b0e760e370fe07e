"""Sales from one SKU's stock readings: drops are sales, restocks ignored, returns corrected, with a range."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from analytics.research_sales import PriceReading, StockReading, estimate_sales

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


def _stock(*levels: int | None) -> list[StockReading]:
    return [StockReading(at=_at(hour), stock=level) for hour, level in enumerate(levels)]


PRICE_100 = [PriceReading(at=_at(0), price=Decimal("100"))]


def _figures(estimate) -> tuple:
    return (estimate.units_low, estimate.units, estimate.units_high, estimate.revenue_low, estimate.revenue)


def test_a_sale_confirmed_by_a_later_scrape_counts_in_the_whole_range():
    estimate = estimate_sales(_stock(10, 7), PRICE_100, last_seen_at=_at(5))

    assert _figures(estimate) == (3, 3, 3, Decimal("300"), Decimal("300"))


def test_the_newest_drop_without_a_later_scrape_is_not_confirmed():
    estimate = estimate_sales(_stock(10, 7), PRICE_100, last_seen_at=_at(1))

    assert (estimate.units_low, estimate.units, estimate.units_high) == (0, 3, 3)


def test_a_restock_is_neither_a_sale_nor_subtracted():
    estimate = estimate_sales(_stock(10, 7, 40, 38, 35), PRICE_100, last_seen_at=_at(9))

    assert (estimate.units_low, estimate.units, estimate.units_high) == (5, 8, 8)
    assert estimate.revenue == Decimal("800")


def test_a_small_increase_right_after_a_drop_is_a_return():
    estimate = estimate_sales(_stock(10, 7, 8), PRICE_100, last_seen_at=_at(9))

    assert (estimate.units_low, estimate.units, estimate.units_high) == (0, 2, 3)
    assert (estimate.revenue_low, estimate.revenue, estimate.revenue_high) == (
        Decimal("0"),
        Decimal("200"),
        Decimal("300"),
    )


def test_an_increase_bigger_than_the_return_limit_is_a_restock_even_after_a_drop():
    estimate = estimate_sales(_stock(20, 10, 14), PRICE_100, last_seen_at=_at(9))

    assert (estimate.units, estimate.units_high) == (10, 10)


def test_an_increase_after_an_increase_is_not_a_return():
    estimate = estimate_sales(_stock(10, 7, 8, 9), PRICE_100, last_seen_at=_at(9))

    assert (estimate.units, estimate.units_high) == (2, 3)


def test_revenue_uses_the_price_when_each_drop_was_read():
    prices = [PriceReading(at=_at(0), price=Decimal("100")), PriceReading(at=_at(2), price=Decimal("90"))]

    estimate = estimate_sales(_stock(10, 9, 7), prices, last_seen_at=_at(9))

    assert estimate.revenue == Decimal("100") + 2 * Decimal("90")


def test_a_drop_before_the_period_is_only_the_baseline():
    estimate = estimate_sales(_stock(10, 8, 5), PRICE_100, since=_at(2), last_seen_at=_at(9))

    assert (estimate.units, estimate.revenue) == (3, Decimal("300"))


def test_an_unknown_stock_reading_breaks_the_chain():
    estimate = estimate_sales(_stock(10, None, 4, 3), PRICE_100, last_seen_at=_at(9))

    assert estimate.units == 1


def test_sale_restock_return_and_flickering_price_together():
    prices = [PriceReading(at=_at(0), price=Decimal("100")), PriceReading(at=_at(3), price=Decimal("90"))]

    # 10 -> 7 sale (3 @100), -> 8 return (1), -> 5 sale (3 @90), -> 50 restock, -> 48 sale (2 @90, confirmed)
    estimate = estimate_sales(_stock(10, 7, 8, 5, 50, 48), prices, last_seen_at=_at(9))

    assert (estimate.units_low, estimate.units, estimate.units_high) == (2, 7, 8)
    assert (estimate.revenue_low, estimate.revenue, estimate.revenue_high) == (
        Decimal("180"),
        Decimal("650"),
        Decimal("750"),
    )


def test_a_return_may_be_as_big_as_the_limit_but_no_bigger():
    assert estimate_sales(_stock(10, 5, 8), PRICE_100, last_seen_at=_at(9)).units == 2
    assert estimate_sales(_stock(10, 5, 9), PRICE_100, last_seen_at=_at(9)).units == 5


def test_a_return_is_never_bigger_than_the_drop_before_it():
    assert estimate_sales(_stock(10, 9, 11), PRICE_100, last_seen_at=_at(9)).units == 1
