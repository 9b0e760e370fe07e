from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from listings.api.filters import ListingFilter
from listings.api.serializers import ListingSerializer, ListingUpdateSerializer
from listings.models import Listing
from listings.selectors import listings_for_user
from listings.services import listing_update


@extend_schema_view(
    list=extend_schema(summary="List your listings"),
    retrieve=extend_schema(summary="Show one listing"),
)
class ListingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ListingSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ListingFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Listing]:
        if getattr(self, "swagger_fake_view", False):
            return Listing.objects.none()
        return listings_for_user(user=self.request.user)

    @extend_schema(
        summary="Edit a listing's content",
        description=(
            "Only title, description, max_quantity, pricing_rule (one of your own) and sku (while pending) "
            "can change; any other field is refused. Price and quantity are derived from the pricing rule."
        ),
        request=ListingUpdateSerializer,
        responses={200: ListingSerializer},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        listing = self.get_object()
        serializer = ListingUpdateSerializer(listing, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        listing = listing_update(listing=listing, actor=request.user, data=serializer.validated_data, request=request)
        return Response(ListingSerializer(self.get_queryset().get(pk=listing.pk)).data)
