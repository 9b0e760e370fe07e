from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog.selectors import products_for_user
from dropship_central.api.exceptions import ServiceError
from dropship_central.api.jobs import JobSerializer
from listings.api.filters import ListingFilter
from listings.api.serializers import (
    ApplyResultSerializer,
    ListingCreateSerializer,
    ListingPublishedSerializer,
    ListingPushSerializer,
    ListingSerializer,
    ListingUpdateSerializer,
    PreviewSerializer,
    PriceDecisionSerializer,
    PricingRuleSerializer,
)
from listings.models import Listing, PriceDecision, PricingRule, StatusReason
from listings.proposals import PriceProposal
from listings.publishing import listing_publish
from listings.selectors import (
    listings_for_user,
    price_decisions_for_listing,
    pricing_rule_preview,
    pricing_rules_for_user,
)
from listings.services import (
    listing_create,
    listing_end,
    listing_pause,
    listing_price_accept,
    listing_resume,
    listing_update,
    pricing_rule_apply,
    pricing_rule_create,
    pricing_rule_delete,
    pricing_rule_draft,
    pricing_rule_update,
)
from listings.sync import listing_pushes_for_listing, listing_sync_force
from marketplaces.selectors import store_accounts_for_user

ILLEGAL = OpenApiResponse(
    description="Illegal transition from the listing's current status (error code illegal_transition)."
)
NOT_ACCEPTABLE = OpenApiResponse(
    description=(
        "The decision is not the listing's latest one or was not held (decision_not_acceptable), or the listing "
        "is closed (illegal_transition)."
    )
)
RULE_INACTIVE = OpenApiResponse(description="The rule is switched off (error code rule_inactive).")
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


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
        summary="Create a pending listing",
        description=(
            "A listing of a product you track on one of your stores (another customer's or an unknown id: 404; a "
            "disconnected store: 409 store_disconnected; over the tier's listing quota: 403 quota_exceeded). The "
            "price is computed at once from your pricing rules, so the pricing trail starts at creation. SKU "
            "defaults to the supplier and its product id, title to the product title cut to the marketplace "
            "limit (eBay 80). Answers 201 with the listing; with `publish: true` (or `?publish=true`) it is also "
            "sent to the store in a job: 202 with the listing and the job, and nothing is created when publishing "
            "is refused (e.g. 409 store_not_connected)."
        ),
        parameters=[
            OpenApiParameter("publish", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="Also publish it now.")
        ],
        request=ListingCreateSerializer,
        responses={201: ListingSerializer, 202: ListingPublishedSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = ListingCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        publish = data.pop("publish") or request.query_params.get("publish", "").lower() in TRUE_WORDS
        product = _owned(products_for_user(user=request.user), data.pop("product"), "product")
        store = _owned(store_accounts_for_user(user=request.user), data.pop("store_account"), "store_account")
        if not publish:
            listing = listing_create(
                user=request.user, product=product, store_account=store, data=data, request=request
            )
            return Response(
                ListingSerializer(self.get_queryset().get(pk=listing.pk)).data, status=status.HTTP_201_CREATED
            )
        with transaction.atomic():
            listing = listing_create(
                user=request.user, product=product, store_account=store, data=data, request=request
            )
            job = listing_publish(listing=listing, actor=request.user, request=request)
        body = {"listing": self.get_queryset().get(pk=listing.pk), "job": job}
        return Response(ListingPublishedSerializer(body).data, status=status.HTTP_202_ACCEPTED)

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

    @extend_schema(summary="Pause a listing", request=None, responses={200: ListingSerializer, 409: ILLEGAL})
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, listing_pause, StatusReason.MANUAL_PAUSE)

    @extend_schema(summary="Resume a paused listing", request=None, responses={200: ListingSerializer, 409: ILLEGAL})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, listing_resume, StatusReason.MANUAL_RESUME)

    @extend_schema(summary="End a listing (final)", request=None, responses={200: ListingSerializer, 409: ILLEGAL})
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._move(request, listing_end, StatusReason.ENDED_BY_USER)

    @extend_schema(
        summary="A listing's pricing trail",
        description="Every price decision for the listing, newest first: reading, rule and tier, floor, guardrail.",
        responses={200: PriceDecisionSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="price-decisions", filterset_class=None, filter_backends=[])
    def price_decisions(self, request: Request, pk: str | None = None) -> Response:
        page = self.paginate_queryset(price_decisions_for_listing(listing=self.get_object()))
        return self.get_paginated_response(PriceDecisionSerializer(page, many=True).data)

    @extend_schema(
        summary="Accept a held price",
        description=(
            "Applies the price a guardrail held (a drop past PRICING_MAX_DROP_PERCENT, or below cost): only the "
            "listing's latest decision, and only when it is held. Records an applied decision with trigger "
            "`accepted` and syncs the listing. Answers with the listing."
        ),
        parameters=[OpenApiParameter("decision_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=None,
        responses={200: ListingSerializer, 409: NOT_ACCEPTABLE},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"price-decisions/(?P<decision_id>\d+)/accept",
        filterset_class=None,
        filter_backends=[],
    )
    def accept_price(self, request: Request, pk: str | None = None, decision_id: str | None = None) -> Response:
        listing = self.get_object()
        decision = price_decisions_for_listing(listing=listing).filter(pk=decision_id).first()
        if decision is None:
            raise ServiceError("No price decision with this id on this listing.", code="not_found", status_code=404)
        listing_price_accept(listing=listing, decision=decision, actor=request.user, request=request)
        return Response(ListingSerializer(self.get_queryset().get(pk=listing.pk)).data)

    @extend_schema(
        summary="Publish a pending listing to its store",
        description=(
            "Prices the listing from its rules and sends it to its connected store in a background job (202, the job "
            "to follow at /api/v1/jobs/{id}). The listing becomes active only when the marketplace confirms; a "
            "refusal leaves it pending with the marketplace's message in last_error."
        ),
        request=None,
        responses={202: JobSerializer, 409: ILLEGAL},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str | None = None) -> Response:
        job = listing_publish(listing=self.get_object(), actor=request.user, request=request)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Force a sync of a listing",
        description=(
            "Sends the listing's whole desired state (price, quantity, or its withdrawal) to the marketplace again, "
            "past the deadband, and lifts the flag a listing gets after repeated failures. 202 with the store's "
            "sync job."
        ),
        request=None,
        responses={202: JobSerializer, 409: ILLEGAL},
    )
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        job = listing_sync_force(listing=self.get_object(), actor=request.user, request=request)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="A listing's push history",
        description="Every publish, price and quantity update and withdrawal sent to the marketplace, newest first.",
        responses={200: ListingPushSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], filterset_class=None, filter_backends=[])
    def pushes(self, request: Request, pk: str | None = None) -> Response:
        page = self.paginate_queryset(listing_pushes_for_listing(listing=self.get_object()))
        return self.get_paginated_response(ListingPushSerializer(page, many=True).data)

    def _move(self, request: Request, service: Callable[..., Listing], reason: str) -> Response:
        listing = service(listing=self.get_object(), reason=reason, actor=request.user, request=request)
        return Response(ListingSerializer(self.get_queryset().get(pk=listing.pk)).data)


@extend_schema_view(
    list=extend_schema(summary="List your pricing rules"),
    retrieve=extend_schema(summary="Show one pricing rule"),
    create=extend_schema(summary="Create a pricing rule"),
    partial_update=extend_schema(summary="Change a pricing rule (applies to new prices; use apply to reprice)"),
    destroy=extend_schema(summary="Delete a pricing rule"),
)
class PricingRuleViewSet(viewsets.ModelViewSet):
    serializer_class = PricingRuleSerializer
    http_method_names = ["get", "post", "patch", "delete"]
    lookup_value_regex = r"\d+"
    filterset_fields = ["store_account", "product", "is_active", "currency"]

    def get_queryset(self) -> QuerySet[PricingRule]:
        if getattr(self, "swagger_fake_view", False):
            return PricingRule.objects.none()
        return pricing_rules_for_user(user=self.request.user)

    def perform_create(self, serializer: PricingRuleSerializer) -> None:
        serializer.instance = pricing_rule_create(
            user=self.request.user, data=serializer.validated_data, request=self.request
        )

    def perform_update(self, serializer: PricingRuleSerializer) -> None:
        serializer.instance = pricing_rule_update(
            rule=serializer.instance, actor=self.request.user, data=serializer.validated_data, request=self.request
        )

    def perform_destroy(self, instance: PricingRule) -> None:
        pricing_rule_delete(rule=instance, actor=self.request.user, request=self.request)

    @extend_schema(
        summary="Preview a rule (or a change to it) without writing",
        description=(
            "Which of your open listings this rule would price, and how: before and after per listing. Fields in "
            "the body override the saved rule for the preview only; nothing is stored."
        ),
        request=PricingRuleSerializer,
        responses={200: PreviewSerializer},
    )
    @action(detail=True, methods=["post"])
    def preview(self, request: Request, pk: str | None = None) -> Response:
        return self._preview(request, base=self.get_object())

    @extend_schema(
        summary="Preview an unsaved rule",
        operation_id="pricing_rules_preview_draft",
        description="The body is a whole rule as for create; nothing is stored.",
        request=PricingRuleSerializer,
        responses={200: PreviewSerializer},
    )
    @action(detail=False, methods=["post"], url_path="preview")
    def preview_draft(self, request: Request) -> Response:
        return self._preview(request, base=None)

    @extend_schema(
        summary="Reprice the listings this rule reaches",
        description=(
            "Reprices the open listings this rule wins against your other active rules (exactly the ones its "
            "preview lists) and records a price decision for each. Small sets run now (200, counts per outcome); "
            "large sets run as a job (202, the job to follow at /api/v1/jobs/{id}). A switched-off rule: 409."
        ),
        request=None,
        responses={200: ApplyResultSerializer, 202: ApplyResultSerializer, 409: RULE_INACTIVE},
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str | None = None) -> Response:
        result = pricing_rule_apply(rule=self.get_object(), actor=request.user, request=request)
        code = status.HTTP_202_ACCEPTED if result.job is not None else status.HTTP_200_OK
        body = {"listings": result.listings, "outcomes": result.outcomes, "job": result.job}
        return Response(ApplyResultSerializer(body).data, status=code)

    def _preview(self, request: Request, *, base: PricingRule | None) -> Response:
        serializer = PricingRuleSerializer(
            base, data=request.data, partial=base is not None, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        draft = pricing_rule_draft(user=request.user, data=serializer.validated_data, base=base)
        proposals = pricing_rule_preview(user=request.user, rule=draft)
        return Response(PreviewSerializer(_preview_body(proposals)).data)


def _preview_body(proposals: list[PriceProposal]) -> dict[str, Any]:
    changing = [p for p in proposals if p.outcome == PriceDecision.Outcome.APPLIED]
    return {"count": len(proposals), "changes": len(changing), "listings": proposals}


def _owned(queryset: QuerySet[Any], pk: int, field: str) -> Any:
    """The row of the user's `queryset` with this id; anyone else's or a missing id is 404."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ServiceError(
            f"No {field.replace('_', ' ')} with this id.", code="not_found", status_code=404, details={field: pk}
        )
    return found
