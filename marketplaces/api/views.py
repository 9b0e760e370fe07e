from urllib.parse import parse_qsl

from django.db.models import QuerySet
from django.urls import reverse
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
    store_account_shopify_connect_complete,
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
        summary="Start a store's OAuth consent (eBay) or install (Shopify)",
        request=None,
        responses={200: AuthorizationUrlSerializer},
        description=(
            "Answers the page to send the seller to. eBay: its consent page, asking for the sell.inventory, "
            "sell.account and sell.fulfillment scopes; needs the store's client_id, client_secret and ru_name "
            "credentials. Shopify: the platform app's install page on the store's shop "
            "(`https://{shop}/admin/oauth/authorize`), coming back to `marketplaces/shopify/callback`. The link's "
            "signed state expires and only the newest link works."
        ),
    )
    @action(detail=True, methods=["post"])
    def connect(self, request: Request, pk: str | None = None) -> Response:
        callback = request.build_absolute_uri(reverse("shopify-callback"))
        url = store_account_connect_start(account=self.get_object(), redirect_uri=callback)
        return Response({"authorization_url": url})

    @extend_schema(
        summary="Disconnect a store",
        request=None,
        responses={200: StoreAccountSerializer},
        description=(
            "Revokes the app's access where the marketplace allows it (a Shopify store installed through the OAuth "
            "app is uninstalled from the shop; eBay has no revoke endpoint for user tokens), wipes every stored "
            "secret and stops its syncs; the store, its listings and history stay."
        ),
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


class ShopifyCallbackView(APIView):
    """Where Shopify sends the merchant back after the install. The HMAC proves Shopify sent it; the signed state
    proves who started it."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        summary="Shopify install callback",
        parameters=[
            OpenApiParameter("hmac", str, required=True),
            OpenApiParameter("state", str, required=True),
            OpenApiParameter("shop", str, required=True),
            OpenApiParameter("code", str, required=False),
            OpenApiParameter("timestamp", str, required=False),
            OpenApiParameter("host", str, required=False),
        ],
        responses={200: StoreAccountSerializer},
        description=(
            "Checks the query's HMAC with the app's client secret (400 `hmac_invalid`), the state (400 "
            "`state_mismatch`), a refused install (400 `consent_denied`) and that the shop is the store's own "
            "*.myshopify.com domain (400 `shop_mismatch`), then exchanges the code for an access token, stored "
            "encrypted, and marks the store connected (400 `consent_rejected` or 502 when the exchange fails)."
        ),
    )
    def get(self, request: Request) -> Response:
        params = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        account = store_account_shopify_connect_complete(params=params, user=request.user, request=request)
        return Response(StoreAccountSerializer(account).data)
