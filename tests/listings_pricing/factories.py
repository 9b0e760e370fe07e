from decimal import Decimal

import factory

from listings.models import PriceDecision
from tests.factories import ListingFactory


class PriceDecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceDecision

    listing = factory.SubFactory(ListingFactory)
    trigger = "product_changed"
    outcome = PriceDecision.Outcome.APPLIED
    cost = Decimal("10.00")
    cost_currency = "USD"
    converted_cost = Decimal("10.00")
    price_before = Decimal("29.99")
    price_after = Decimal("19.99")
    currency = "USD"
    explanation = "rule “Default”; price 29.99 → 19.99"
