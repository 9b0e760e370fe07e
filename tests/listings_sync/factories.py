import factory

from listings.models import ListingPush
from tests.factories import ListingFactory


class ListingPushFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ListingPush

    listing = factory.SubFactory(ListingFactory)
    kind = ListingPush.Kind.UPDATE
    status = ListingPush.Status.SUCCESS
    trigger = "sync"
    quantity_before = 5
    quantity_after = 0
