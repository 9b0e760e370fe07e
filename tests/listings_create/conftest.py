from decimal import Decimal

import pytest

from catalog.models import Product
from listings.models import PricingRule
from marketplaces.models import StoreAccount
from tests.factories import PricingRuleFactory, ProductFactory, StoreAccountFactory, TrackedProductFactory


@pytest.fixture
def product(user) -> Product:
    """A product `user` tracks, costing 10.00 with 25 in stock."""
    product = ProductFactory(price=Decimal("10.00"), stock_quantity=25, title="A" * 100)
    TrackedProductFactory(user=user, product=product)
    return product


@pytest.fixture
def store(user) -> StoreAccount:
    return StoreAccountFactory(user=user)


@pytest.fixture
def rule(user) -> PricingRule:
    return PricingRuleFactory(
        user=user, markup_percent=Decimal("50"), fee_percent=Decimal("0"), fixed_fee=Decimal("0"), rounding="none"
    )
