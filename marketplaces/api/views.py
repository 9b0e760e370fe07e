from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from marketplaces.api.filters import StoreAccountFilter
from marketplaces.api.serializers import StoreAccountCreateSerializer, StoreAccountSerializer
from marketplaces.models import StoreAccount
from marketplaces.selectors import store_accounts_for_user
from marketplaces.services import store_account_create, store_account_remove


@extend_schema_view(
    list=extend_schema(summary="List your store accounts"),
    retrieve=extend_schema(summary="Show one store account"),
)
class StoreAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = StoreAccountSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = StoreAccountFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[StoreAccount]:
        if getattr(self, "swagger_fake_view", False):
            return StoreAccount.objects.none()
        return store_accounts_for_user(user=self.request.user)

    @extend_schema(
        summary="Connect a store",
        request=StoreAccountCreateSerializer,
        responses={201: StoreAccountSerializer},
        description="Credentials are write-only and never returned. Counts against the tier's store quota.",
    )
    def create(self, request: Request) -> Response:
        serializer = StoreAccountCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account = store_account_create(user=request.user, request=request, **serializer.validated_data)
        return Response(StoreAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete or disconnect a store",
        description=(
            "A store with no listings is deleted. A store with listings is disconnected instead: its status "
            "becomes `disconnected` and every stored secret is wiped, so its listings and sales history stay "
            "readable. Disconnected stores do not count against the quota. Both answer 204."
        ),
        responses={204: None},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        store_account_remove(account=self.get_object(), actor=request.user, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
