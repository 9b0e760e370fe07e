from django.db.models import QuerySet
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status, views, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from catalog.api.filters import PriceHistoryFilter, ProductFilter, ProductOrderingFilter, StockHistoryFilter
from catalog.api.serializers import (
    PriceHistorySerializer,
    ProductImportAcceptedSerializer,
    ProductImportSerializer,
    StockHistorySerializer,
    TrackedProductDetailSerializer,
    TrackedProductSerializer,
    TrackedProductUpdateSerializer,
)
from catalog.models import PriceHistory, Product, StockHistory
from catalog.selectors import (
    price_history_for_product,
    product_for_user,
    products_for_user,
    stock_history_for_product,
)
from catalog.services import product_import_request, tracked_product_untrack, tracked_product_update
from dropship_central.api.pagination import CursorPagination

PRODUCT_ID = OpenApiParameter(
    "product_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A product the user tracks."
)
ORDERING_FIELDS = ["tracked_since", "title", "price", "last_scraped_at"]
TRACKED_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A product the user tracks.")
ORDERING = OpenApiParameter(
    "ordering",
    OpenApiTypes.STR,
    enum=[f"{sign}{field}" for field in ORDERING_FIELDS for sign in ("", "-")],
    description="Sort key; `-` for descending. Default `-tracked_since`.",
)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Repeat a request with the same key to get the job recorded for it, not a second one.",
)


class ProductImportView(views.APIView):
    """`POST /api/v1/products/import`: record an import job; the worker fetches and stores the product."""

    @extend_schema(
        summary="Import a supplier product (by supplier and id, or by URL) and track it",
        request=ProductImportSerializer,
        responses={202: ProductImportAcceptedSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request: Request) -> Response:
        serializer = ProductImportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = (request.headers.get("Idempotency-Key") or "").strip()[:255] or None
        job = product_import_request(
            user=request.user, idempotency_key=key, request=request, **serializer.validated_data
        )
        location = request.build_absolute_uri(reverse("job-detail", kwargs={"pk": job.pk}))
        body = ProductImportAcceptedSerializer({"job_id": job.pk, "job": location}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": location})


class HistoryPagination(CursorPagination):
    ordering = ("-recorded_at", "-id")


def _tracked_product(request: Request, product_id: int) -> Product:
    product = product_for_user(user=request.user, product_id=product_id)
    if product is None:
        raise NotFound("You do not track this product.")
    return product


@extend_schema_view(
    list=extend_schema(summary="List the products the user tracks", parameters=[ORDERING]),
    retrieve=extend_schema(summary="One tracked product with variants, seller and category", parameters=[TRACKED_ID]),
    partial_update=extend_schema(
        summary="Change the user's label and notes on a tracked product",
        parameters=[TRACKED_ID],
        request=TrackedProductUpdateSerializer,
        responses=TrackedProductDetailSerializer,
    ),
    destroy=extend_schema(
        summary="Untrack a product (the shared product stays)", parameters=[TRACKED_ID], responses={204: None}
    ),
)
class TrackedProductViewSet(viewsets.GenericViewSet):
    """The user's tracked products, addressed by product id; anything the user does not track answers 404."""

    lookup_value_regex = "[0-9]+"
    filter_backends = [DjangoFilterBackend, ProductOrderingFilter]
    filterset_class = ProductFilter
    ordering_fields = ORDERING_FIELDS
    ordering = ["-tracked_since"]

    def get_queryset(self) -> QuerySet[Product]:
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        return products_for_user(user=self.request.user)

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "list":
            return TrackedProductSerializer
        return TrackedProductDetailSerializer

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(TrackedProductSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TrackedProductDetailSerializer(_tracked_product(request, int(pk))).data)

    def partial_update(self, request: Request, pk: str) -> Response:
        product = _tracked_product(request, int(pk))
        serializer = TrackedProductUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tracked_product_update(
            user=request.user, product=product, request=request._request, **serializer.validated_data
        )
        return Response(TrackedProductDetailSerializer(_tracked_product(request, product.pk)).data)

    def destroy(self, request: Request, pk: str) -> Response:
        product = _tracked_product(request, int(pk))
        tracked_product_untrack(user=request.user, product=product, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(summary="Price readings of a tracked product, newest first", parameters=[PRODUCT_ID])
class PriceHistoryView(generics.ListAPIView):
    serializer_class = PriceHistorySerializer
    pagination_class = HistoryPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = PriceHistoryFilter

    def get_queryset(self) -> QuerySet[PriceHistory]:
        if getattr(self, "swagger_fake_view", False):
            return PriceHistory.objects.none()
        return price_history_for_product(product=_tracked_product(self.request, self.kwargs["product_id"]))


@extend_schema(summary="Stock readings of a tracked product, newest first", parameters=[PRODUCT_ID])
class StockHistoryView(generics.ListAPIView):
    serializer_class = StockHistorySerializer
    pagination_class = HistoryPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = StockHistoryFilter

    def get_queryset(self) -> QuerySet[StockHistory]:
        if getattr(self, "swagger_fake_view", False):
            return StockHistory.objects.none()
        return stock_history_for_product(product=_tracked_product(self.request, self.kwargs["product_id"]))
