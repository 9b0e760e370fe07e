from datetime import UTC, datetime

import factory

from marketplaces.models import ImportedOrder
from tests.factories import StoreAccountFactory


class ImportedOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportedOrder

    store_account = factory.SubFactory(StoreAccountFactory)
    order_id = factory.Sequence(lambda n: f"12-{n:05d}-00000")
    ordered_at = factory.LazyFunction(lambda: datetime(2025, 3, 5, 9, 30, tzinfo=UTC))
    counted = factory.LazyFunction(
        lambda: {"1|2025-03-05": {"orders": "1", "units_sold": "2", "revenue": "50.00", "currency": "USD"}}
    )
