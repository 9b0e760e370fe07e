from datetime import timedelta

import factory
from django.utils import timezone

from marketplaces.models import StoreAccount
from tests.factories import StoreAccountFactory
from tests.marketplaces.ebay.fake_ebay import CLIENT_ID, CLIENT_SECRET, RU_NAME


class EbayStoreAccountFactory(StoreAccountFactory):
    """A connected eBay store with the fake eBay's application credentials and a token valid for two hours."""

    marketplace = StoreAccount.Marketplace.EBAY
    environment = StoreAccount.Environment.PRODUCTION
    credentials = factory.LazyFunction(
        lambda: {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "ru_name": RU_NAME}
    )
    access_token_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2))
    refresh_token_expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=540))
