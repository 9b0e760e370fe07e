from decimal import Decimal
from typing import Any

import pytest

from alerts.services import policies_evaluate_product
from catalog.signals import ProductChange
from tests.core_jobs.conftest import jobs_env  # noqa: F401  (shared fixture)
from tests.factories import PolicyRuleFactory, ProductFactory, TrackedProductFactory


def change(**overrides: Any) -> ProductChange:
    """A product change; by default an unchanged in-stock reading at 19.99 USD."""
    values: dict[str, Any] = {
        "old_price": Decimal("19.99"),
        "new_price": Decimal("19.99"),
        "old_currency": "USD",
        "new_currency": "USD",
        "old_stock": 25,
        "new_stock": 25,
        "old_availability": "in_stock",
        "new_availability": "in_stock",
    }
    values.update(overrides)
    return ProductChange(**values)


@pytest.fixture
def product(db):
    return ProductFactory(price=Decimal("20.00"), stock_quantity=25)


@pytest.fixture
def tracked(user, product):
    return TrackedProductFactory(user=user, product=product)


@pytest.fixture
def rule_for(user, tracked):
    def make(**fields: Any):
        fields.setdefault("threshold", None)
        return PolicyRuleFactory(user=user, **fields)

    return make


@pytest.fixture
def run(product):
    """Evaluate the product's policies and return the outcomes."""

    def _run(change_: ProductChange | None = None, target=None):
        target = target or product
        target.refresh_from_db()
        return policies_evaluate_product(product=target, change=change_)

    return _run
