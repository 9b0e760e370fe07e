"""Tracking passes against the real Amazon plugin and a loopback server serving the shared real pages."""

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from catalog.ingest import product_ingest
from catalog.models import Product
from catalog.signals import ProductChange, product_changed
from suppliers.models import Supplier
from suppliers.plugins.amazon import AmazonScraper
from tests.catalog_import.conftest import SLOWPLAY, AmazonSite, amazon, site  # noqa: F401  (fixtures reused)
from tests.factories import TrackedProductFactory, UserFactory


def rewrite_price(page: bytes, price: str) -> bytes:
    """The SLOWPLAY page ($159.00) with another price (the parser reads `<whole>.00`)."""
    whole = price.split(".")[0]
    return page.replace(b"159.00", price.encode()).replace(b'price-whole">159', f'price-whole">{whole}'.encode())


def unavailable(page: bytes) -> bytes:
    return page.replace(b"In Stock", b"Currently unavailable.")


@pytest.fixture
def tracked(db, site) -> Callable[..., Product]:  # noqa: F811
    """A product ingested from the real page of `asin` (served again under `/dp/<external_id>`), tracked by a
    user of `tier`, due now."""

    def _tracked(external_id: str = SLOWPLAY, *, tier: str = "pro", page: bytes | None = None) -> Product:
        body = page or site.page(SLOWPLAY)
        scraper = AmazonScraper()
        data = replace(scraper.parse_product(body.decode(), scraper.product_url(external_id)), external_id=external_id)
        product = product_ingest(supplier=site_supplier(), data=data).product
        TrackedProductFactory(user=UserFactory(tier=tier), product=product)
        Product.objects.filter(pk=product.pk).update(
            next_check_at=timezone.now() - timedelta(seconds=1), check_interval_seconds=3600
        )
        product.refresh_from_db()
        return product

    return _tracked


def site_supplier() -> Supplier:
    return Supplier.objects.get(slug="amazon")


@pytest.fixture
def changes() -> Iterator[list[tuple[int, ProductChange]]]:
    """Every `product_changed` sent while the test runs."""
    seen: list[tuple[int, ProductChange]] = []

    def receiver(sender: Any, *, product_id: int, change: ProductChange, **kwargs: Any) -> None:
        seen.append((product_id, change))

    product_changed.connect(receiver, dispatch_uid="tracking-test-receiver")
    yield seen
    product_changed.disconnect(dispatch_uid="tracking-test-receiver")


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """Every SQL statement run while the test runs, from any thread (a pass writes from asgiref's thread)."""
    from django.db.backends import utils

    seen: list[str] = []
    original = utils.CursorWrapper._execute_with_wrappers

    def recording(self: Any, sql: str, params: Any, many: bool, executor: Any) -> Any:
        seen.append(sql)
        return original(self, sql, params, many, executor)

    monkeypatch.setattr(utils.CursorWrapper, "_execute_with_wrappers", recording)
    return seen
