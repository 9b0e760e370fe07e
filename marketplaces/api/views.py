from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplaces.api.filters import StoreAccountFilter
from marketplaces.api.serializers import (
    AuthorizationUrlSerializer,
    StoreAccountCreateSerializer,
    StoreAccountSerializer,
)
from marketplaces.models import StoreAccount
from marketplaces.selectors import store_accounts_for_user
from marketplaces.services import (
    store_account_connect_complete,
    store_account_connect_start,
    store_account_create,
    store_account_disconnect,
    store_account_remove,
)


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

    @extend_schema(
        summary="Start a store's eBay consent",
        request=None,
        responses={200: AuthorizationUrlSerializer},
        description=(
            "Answers the eBay consent page to send the seller to, asking for the sell.inventory, sell.account and "
            "sell.fulfillment scopes. The link's signed state expires and only the newest link works. Needs the "
            "store's client_id, client_secret and ru_name credentials."
        ),
    )
    @action(detail=True, methods=["post"])
    def connect(self, request: Request, pk: str | None = None) -> Response:
        url = store_account_connect_start(account=self.get_object())
        return Response({"authorization_url": url})

    @extend_schema(
        summary="Disconnect a store",
        request=None,
        responses={200: StoreAccountSerializer},
        description="Wipes every stored secret and stops its syncs; the store, its listings and history stay.",
    )
    @action(detail=True, methods=["post"])
    def disconnect(self, request: Request, pk: str | None = None) -> Response:
        account = store_account_disconnect(account=self.get_object(), actor=request.user, request=request)
        return Response(StoreAccountSerializer(account).data)


class EbayCallbackView(APIView):
    """Where eBay sends the seller back after consent. The signed state is the proof of who started it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="eBay consent callback",
        parameters=[
            OpenApiParameter("state", str, required=True),
            OpenApiParameter("code", str, required=False),
            OpenApiParameter("error", str, required=False),
            OpenApiParameter("error_description", str, required=False),
        ],
        responses={200: StoreAccountSerializer},
        description=(
            "Checks the state (400 `state_mismatch` when it is forged, expired, reused or someone else's), records a "
            "refused consent (400 `consent_denied`), or exchanges the code for tokens and marks the store connected."
        ),
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        account = store_account_connect_complete(
            state=params.get("state", ""),
            code=params.get("code", ""),
            error=params.get("error", ""),
            error_description=params.get("error_description", ""),
            user=request.user,
            request=request,
        )
        return Response(StoreAccountSerializer(account).data)
