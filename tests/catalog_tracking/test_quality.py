"""The data-quality guard: implausible readings are held, re-checked through another proxy, then decided."""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import PriceHistory, Product, SuspectReading
from catalog.quality import reading_suspicions
from catalog.tracking import SUSPECT_PREFIX, tracking_pass
from suppliers.plugins.base import ProductData, VariantData
from tests.catalog_import.conftest import SLOWPLAY
from tests.catalog_tracking.conftest import rewrite_price, site_supplier
from tests.factories import PriceHistoryFactory, ProductFactory, ProxyFactory, SellerFactory
from tests.loopback import LoopbackProxy, Reply

D = Decimal


# -- the rules, one by one ----------------------------------------------------------------------------------


@pytest.fixture
def known(db) -> Product:
    return ProductFactory(
        title="Poker chips",
        brand="SLOWPLAY",
        images=["https://img/1.jpg"],
        category_path=["Toys", "Games"],
        seller=SellerFactory(),
        rating=D("4.7"),
        price=D("100.00"),
        currency="USD",
        availability="in_stock",
        last_scraped_at=timezone.now(),
    )


def _reading(**changes) -> ProductData:
    values = {
        "external_id": "X",
        "title": "Poker chips",
        "brand": "SLOWPLAY",
        "images": ["https://img/1.jpg"],
        "category_path": ["Toys", "Games"],
        "seller": "SLOWPLAY",
        "rating": D("4.7"),
        "price": D("100.00"),
        "currency": "USD",
        "availability": "in_stock",
    }
    return ProductData(**{**values, **changes})


@pytest.mark.parametrize(
    ("changes", "reasons"),
    [
        ({}, []),
        ({"price": D("11.00")}, []),
        ({"price": D("10.00")}, ["price_drop"]),
        ({"price": D("999.99")}, []),
        ({"price": D("1000.00")}, ["price_spike"]),
        ({"currency": "EUR"}, ["currency_flip"]),
        ({"title": None}, ["lost_fields"]),
        ({"images": []}, ["lost_fields"]),
        ({"price": None}, ["lost_fields"]),
        ({"price": None, "availability": "out_of_stock"}, []),
        ({"brand": None}, []),
        ({"brand": None, "rating": None}, ["lost_fields"]),
        ({"price": D("5.00"), "currency": "EUR"}, ["currency_flip"]),
    ],
)
def test_each_implausible_reading_is_named(known, changes, reasons):
    assert reading_suspicions(known, _reading(**changes)) == reasons


def test_a_price_the_product_really_had_before_is_not_suspect(known):
    PriceHistoryFactory(product=known, variant=None, price=D("9.50"), currency="USD")
    assert reading_suspicions(known, _reading(price=D("9.50"))) == []


def test_every_variant_to_zero_is_suspect_but_one_is_not(known):
    def variant(sku: str, stock: int) -> VariantData:
        return VariantData(sku=sku, stock_quantity=stock, availability="in_stock" if stock else "out_of_stock")

    assert reading_suspicions(known, _reading(variants=[variant("a", 0), variant("b", 0)])) == ["all_variants_zero"]
    assert reading_suspicions(known, _reading(variants=[variant("a", 0), variant("b", 3)])) == []
    known.availability = "out_of_stock"
    assert reading_suspicions(known, _reading(variants=[variant("a", 0), variant("b", 0)])) == []


# -- held, re-checked through another proxy, decided ---------------------------------------------------------


@pytest.fixture
def two_proxies(db) -> Iterator[list[LoopbackProxy]]:
    proxies = [LoopbackProxy().start(), LoopbackProxy().start()]
    for proxy in proxies:
        ProxyFactory(host="127.0.0.1", port=proxy.port)
    yield proxies
    for proxy in proxies:
        proxy.stop()


def _relayed(proxies: list[LoopbackProxy], external_id: str) -> list[int]:
    return [sum(url.endswith(f"/dp/{external_id}") for url in proxy.relayed) for proxy in proxies]


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_a_glitch_is_rejected_by_a_second_reading_through_the_other_proxy(
    site, tracked, loopback, two_proxies, changes
):
    product = tracked("B300000001")
    page = site.page(SLOWPLAY)
    loopback.route("/dp/B300000001", Reply(body=rewrite_price(page, "9.00")), Reply(body=page))

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    suspect = SuspectReading.objects.get(product=product)
    assert (summary.held, summary.rejected, summary.unchanged) == (1, 1, 1)
    assert product.price == D("159.00")
    assert changes == []
    assert suspect.status == "rejected"
    assert suspect.reasons == ["price_drop"]
    assert suspect.reading["price"] == "9.00"
    assert "looked normal" in suspect.detail
    assert _relayed(two_proxies, "B300000001") == [1, 1]
    assert suspect.proxy != suspect.recheck_proxy


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_a_drop_read_twice_is_confirmed_and_only_then_announced(site, tracked, loopback, two_proxies, changes):
    product = tracked("B300000002")
    loopback.route("/dp/B300000002", Reply(body=rewrite_price(site.page(SLOWPLAY), "9.00")))
    prices = PriceHistory.objects.filter(product=product, variant__isnull=True).count()

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (summary.held, summary.confirmed, summary.changed) == (1, 1, 1)
    assert product.price == D("9.00")
    assert PriceHistory.objects.filter(product=product, variant__isnull=True).count() == prices + 1
    assert [(c.old_price, c.new_price) for _, c in changes] == [(D("159.00"), D("9.00"))]
    assert SuspectReading.objects.get(product=product).status == "confirmed"
    assert _relayed(two_proxies, "B300000002") == [1, 1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_an_undecided_reading_stays_held_and_a_later_pass_that_agrees_confirms_it(site, tracked, loopback, changes):
    product = tracked("B300000003")
    drop = Reply(body=rewrite_price(site.page(SLOWPLAY), "9.00"))
    loopback.route("/dp/B300000003", drop, Reply(status=200, body=site.captcha()), drop)

    first = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (first.held, first.confirmed, first.rejected) == (1, 0, 0)
    assert product.price == D("159.00")
    assert changes == []
    assert product.last_error == f"{SUSPECT_PREFIX}price_drop"
    assert product.next_check_at <= timezone.now() + timedelta(seconds=300 * 1.2)
    assert SuspectReading.objects.get(product=product).status == "pending"

    Product.objects.filter(pk=product.pk).update(next_check_at=timezone.now())
    second = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (second.confirmed, second.changed) == (1, 1)
    assert product.price == D("9.00")
    assert product.last_error == ""
    assert len(changes) == 1
    assert loopback.hits["/dp/B300000003"] == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_a_product_gone_twice_is_marked_gone_and_announced(site, tracked, loopback, changes):
    product = tracked("B300000004")
    loopback.route("/dp/B300000004", Reply(status=404, body=b"<html>Page Not Found</html>"))

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (summary.held, summary.confirmed, summary.gone) == (1, 1, 1)
    assert product.is_gone
    assert product.availability == "unavailable"
    assert product.stock_quantity == 0
    assert [(c.old_availability, c.new_availability) for _, c in changes] == [("in_stock", "unavailable")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_a_single_not_found_is_not_believed(site, tracked, loopback, changes):
    product = tracked("B300000005")
    loopback.route("/dp/B300000005", Reply(status=404, body=b"gone"), Reply(body=site.page(SLOWPLAY)))

    summary = tracking_pass(supplier=site_supplier())

    product.refresh_from_db()
    assert (summary.held, summary.rejected, summary.gone) == (1, 1, 0)
    assert not product.is_gone
    assert product.availability == "in_stock"
    assert changes == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.shared
def test_a_new_product_has_no_history_to_be_implausible_against(site, loopback, changes):
    from tests.factories import TrackedProductFactory

    product = ProductFactory(
        supplier=site_supplier(), external_id="B300000006", price=None, next_check_at=timezone.now()
    )
    TrackedProductFactory(product=product)
    loopback.route("/dp/B300000006", Reply(body=rewrite_price(site.page(SLOWPLAY), "9.00")))

    summary = tracking_pass(supplier=site_supplier())

    assert (summary.held, summary.changed) == (0, 1)
