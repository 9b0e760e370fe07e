"""One tracking pass: quiet products in one UPDATE, changes ingested at once with history, failures backed off."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import PriceHistory, Product, StockHistory
from catalog.tracking import products_claim, tracking_pass
from tests.catalog_import.conftest import SLOWPLAY
from tests.catalog_tracking.conftest import rewrite_price, site_supplier, unavailable
from tests.factories import ProductFactory
from tests.loopback import Reply

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.shared]


def _serve(loopback, external_id: str, *bodies: bytes) -> None:
    loopback.route(f"/dp/{external_id}", *(Reply(body=body) for body in bodies))


def _history_counts(product: Product) -> tuple[int, int]:
    """Product-level price and stock history rows (variants keep their own)."""
    rows = {"product": product, "variant__isnull": True}
    return PriceHistory.objects.filter(**rows).count(), StockHistory.objects.filter(**rows).count()


def _writes(statements: list[str]) -> int:
    return sum(1 for sql in statements if sql.startswith(("UPDATE", "INSERT", "DELETE")))


def test_an_unchanged_product_gets_no_history_and_a_longer_interval(site, tracked, loopback, changes):
    product = tracked("B000000001")
    _serve(loopback, "B000000001", site.page(SLOWPLAY))
    history = _history_counts(product)
    before = timezone.now()

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (summary.claimed, summary.unchanged, summary.changed) == (1, 1, 0)
    assert _history_counts(product) == history
    assert changes == []
    assert product.last_scraped_at >= before
    assert product.check_interval_seconds == 4500  # 3,600 x 1.25
    assert (
        before + timedelta(seconds=4500 * 0.8)
        <= product.next_check_at
        <= timezone.now() + timedelta(seconds=4500 * 1.2)
    )


def test_quiet_products_are_written_in_one_update_however_many(site, tracked, loopback, statements):
    writes = []
    for count in (2, 12):
        for number in range(count):
            external_id = f"B{count:02d}{number:07d}"
            tracked(external_id)
            _serve(loopback, external_id, site.page(SLOWPLAY))
        statements.clear()
        summary = tracking_pass(supplier=site_supplier())
        assert summary.unchanged == count
        writes.append(_writes(statements))
    assert writes[0] == writes[1] == 2  # the claim, and one UPDATE for every quiet product


def test_a_price_change_is_ingested_with_history_and_announced_once(site, tracked, loopback, changes):
    product = tracked("B000000002")
    _serve(loopback, "B000000002", rewrite_price(site.page(SLOWPLAY), "143.10"))
    prices, stocks = _history_counts(product)

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert summary.changed == 1
    assert product.price == Decimal("143.00")
    assert _history_counts(product) == (prices + 1, stocks)
    assert [(pid, c.old_price, c.new_price) for pid, c in changes] == [
        (product.pk, Decimal("159.00"), Decimal("143.00"))
    ]
    assert product.check_interval_seconds == 1800  # halved on a change
    assert product.last_changed_at is not None


def test_a_stock_change_writes_stock_history_only(site, tracked, loopback, changes):
    product = tracked("B000000003")
    _serve(loopback, "B000000003", unavailable(site.page(SLOWPLAY)))
    prices, stocks = _history_counts(product)

    tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert product.availability == "out_of_stock"
    assert _history_counts(product) == (prices, stocks + 1)
    assert changes[0][1].new_availability == "out_of_stock"


def test_running_the_same_change_again_writes_no_second_history_row(site, tracked, loopback, changes):
    product = tracked("B000000004")
    _serve(loopback, "B000000004", rewrite_price(site.page(SLOWPLAY), "150.00"))
    prices, _ = _history_counts(product)

    tracking_pass(supplier=site_supplier())
    again = tracking_pass(supplier=site_supplier(), product_ids=[product.pk])  # a retried pass

    assert again.unchanged == 1
    assert _history_counts(product)[0] == prices + 1
    assert len(changes) == 1


def test_a_captcha_backs_the_product_off_without_touching_its_data(site, tracked, loopback, changes):
    product = tracked("B000000005")
    loopback.route("/dp/B000000005", Reply(status=200, body=site.captcha()))
    history = _history_counts(product)

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert dict(summary.failed) == {"captcha": 1}
    assert product.scrape_failures == 1
    assert product.last_error.startswith("captcha: ")
    assert product.price == Decimal("159.00")
    assert _history_counts(product) == history
    assert changes == []
    # pro tier: back off from the 15-minute minimum, doubling with each failure in a row
    assert product.next_check_at <= timezone.now() + timedelta(seconds=900 * 1.2)


def test_a_product_nobody_tracks_is_not_fetched_and_not_scheduled_again(site, loopback):
    product = ProductFactory(supplier=site_supplier(), external_id="B000000006", next_check_at=timezone.now())
    _serve(loopback, "B000000006", site.page(SLOWPLAY))

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert summary.unscheduled == 1
    assert loopback.hits["/dp/B000000006"] == 0
    assert product.next_check_at is None


def test_products_not_due_are_left_alone(site, tracked, loopback):
    product = tracked("B000000007")
    Product.objects.filter(pk=product.pk).update(next_check_at=timezone.now() + timedelta(minutes=5))
    _serve(loopback, "B000000007", site.page(SLOWPLAY))

    assert tracking_pass(supplier=site_supplier()).claimed == 0
    assert loopback.hits["/dp/B000000007"] == 0


def test_a_pass_that_lost_its_claim_writes_nothing(site, tracked, loopback, changes):
    """Another pass took the products over (the claim ran out): this pass's late writes are dropped."""
    quiet, moving = tracked("B000000008"), tracked("B000000009")
    _serve(loopback, "B000000008", site.page(SLOWPLAY))
    _serve(loopback, "B000000009", rewrite_price(site.page(SLOWPLAY), "120.00"))
    from catalog.tracking import PassSummary, _Pass

    stale = products_claim(supplier=site_supplier(), limit=10)
    taken_over = tracking_pass(supplier=site_supplier(), product_ids=[quiet.pk, moving.pk])
    late = PassSummary(claimed=len(stale.products))
    _Pass(supplier=site_supplier(), claim=stale, summary=late, progress=None).run()

    assert (taken_over.unchanged, taken_over.changed) == (1, 1)
    assert late.lost_claim == 2
    assert (late.unchanged, late.changed) == (0, 0)
    assert _history_counts(moving)[0] == 2  # the import, and one change
    assert len(changes) == 1


def test_progress_is_reported_for_every_product(site, tracked, loopback):
    for number in range(3):
        tracked(f"B10000000{number}")
        _serve(loopback, f"B10000000{number}", site.page(SLOWPLAY))
    loopback.route("/dp/B100000002", Reply(status=200, body=site.captcha()))
    seen = []

    tracking_pass(supplier=site_supplier(), progress=seen.append)

    assert sum(seen) == 3


def test_a_pass_larger_than_the_suppliers_concurrency_keeps_to_it_without_exhausting_redis(
    site, tracked, loopback, monkeypatch
):
    """Waiting fetches queue in the pass, not on Redis: its connection pools are sized for in-flight requests."""
    monkeypatch.setattr("suppliers.ratelimit.ASYNC_REDIS_MAX_CONNECTIONS", 6)
    supplier = site_supplier()
    supplier.concurrency = 3
    supplier.save(update_fields=["concurrency"])
    for number in range(40):
        tracked(f"B8{number:08d}")
        loopback.route(f"/dp/B8{number:08d}", Reply(body=site.page(SLOWPLAY), delay=0.02))

    summary = tracking_pass(supplier=supplier)

    assert summary.failed == {}
    assert summary.unchanged == 40
    assert loopback.max_in_flight <= 3
