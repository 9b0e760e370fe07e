from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Product
from catalog.selectors import products_for_user
from dropship_central.api.jobs import JobSerializer
from listings.models import Listing, ListingPush, PriceDecision, PricingRule
from listings.selectors import pricing_rules_for_user
from listings.services import RULE_FIELDS
from marketplaces.models import StoreAccount
from marketplaces.selectors import store_accounts_for_user


class ListingSerializer(serializers.ModelSerializer):
    marketplace = serializers.CharField(source="store_account.marketplace", read_only=True)
    store_account_name = serializers.CharField(source="store_account.name", read_only=True)
    product_title = serializers.CharField(source="product.title", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id",
            "store_account",
            "store_account_name",
            "marketplace",
            "product",
            "product_title",
            "variant",
            "pricing_rule",
            "sku",
            "title",
            "description",
            "status",
            "status_reason",
            "quantity_reason",
            "status_changed_at",
            "currency",
            "price",
            "compare_at_price",
            "quantity",
            "max_quantity",
            "pushed_price",
            "pushed_quantity",
            "external_id",
            "offer_id",
            "external_url",
            "last_synced_at",
            "sync_failures",
            "sync_flagged_at",
            "last_error",
            "last_response",
            "revisions_today",
            "revisions_date",
            "withdrawn_at",
            "published_at",
            "ended_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OwnPricingRuleField(serializers.PrimaryKeyRelatedField):
    """Accepts only the requesting user's pricing rules; anyone else's id reads as nonexistent."""

    def get_queryset(self) -> QuerySet[PricingRule]:
        return pricing_rules_for_user(user=self.context["request"].user)


class ListingUpdateSerializer(serializers.ModelSerializer):
    """The customer-editable fields. Status, price and quantity change only through listing services."""

    pricing_rule = OwnPricingRuleField(allow_null=True, required=False)

    class Meta:
        model = Listing
        fields = ["title", "description", "max_quantity", "pricing_rule", "sku"]
        extra_kwargs = {
            "title": {"required": False},
            "sku": {"required": False, "help_text": "Editable only while the listing is pending."},
        }
        # The (store_account, sku) uniqueness is checked by the service, which knows the listing's store.
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if other := sorted(set(self.initial_data) - set(self.fields)):
            raise serializers.ValidationError({field: ["This field cannot be changed here."] for field in other})
        return attrs


@extend_schema_field(OpenApiTypes.INT)
class OwnPricingRuleIdField(OwnPricingRuleField):
    """The id of one of the requesting user's pricing rules (typed for the schema outside a model serializer)."""


class ListingCreateSerializer(serializers.Serializer):
    """A new pending listing of a product you track on one of your stores; unknown fields are refused."""

    product = serializers.IntegerField(min_value=1, help_text="A product you track.")
    store_account = serializers.IntegerField(min_value=1, help_text="One of your store accounts (not disconnected).")
    sku = serializers.CharField(
        max_length=64, required=False, help_text="Unique in the store; default: supplier and external id."
    )
    title = serializers.CharField(
        max_length=255, required=False, help_text="Default: the product title cut to the marketplace limit (eBay 80)."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    max_quantity = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    pricing_rule = OwnPricingRuleIdField(allow_null=True, required=False)
    publish = serializers.BooleanField(
        default=False, help_text="Also publish it now (202 with the job), as `?publish=true` does."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if other := sorted(set(self.initial_data) - set(self.fields)):
            raise serializers.ValidationError({field: ["Unknown field."] for field in other})
        return attrs


class ListingPublishedSerializer(serializers.Serializer):
    listing = ListingSerializer()
    job = JobSerializer(help_text="The publish job, to follow at /api/v1/jobs/{id}.")


class OwnStoreAccountField(serializers.PrimaryKeyRelatedField):
    """Accepts only the requesting user's store accounts; anyone else's id reads as nonexistent."""

    def get_queryset(self) -> QuerySet[StoreAccount]:
        return store_accounts_for_user(user=self.context["request"].user)


class TrackedProductField(serializers.PrimaryKeyRelatedField):
    """Accepts only products the requesting user tracks."""

    def get_queryset(self) -> QuerySet[Product]:
        return products_for_user(user=self.context["request"].user)


class PricingRuleSerializer(serializers.ModelSerializer):
    store_account = OwnStoreAccountField(allow_null=True, required=False)
    product = TrackedProductField(allow_null=True, required=False)

    class Meta:
        model = PricingRule
        fields = ["id", *RULE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if other := sorted(set(self.initial_data) - set(self.fields)):
            raise serializers.ValidationError({field: ["Unknown field."] for field in other})
        return attrs


class PriceDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceDecision
        fields = [
            "id",
            "created_at",
            "trigger",
            "outcome",
            "refusal_code",
            "cost",
            "cost_currency",
            "converted_cost",
            "fx_rate",
            "price_history_id",
            "reading_at",
            "variant",
            "rule",
            "rule_name",
            "tier",
            "formula_price",
            "floor_price",
            "floor_hit",
            "guardrail",
            "price_before",
            "price_after",
            "compare_at_before",
            "compare_at_after",
            "currency",
            "explanation",
        ]
        read_only_fields = fields


class ListingPushSerializer(serializers.ModelSerializer):
    class Meta:
        model = ListingPush
        fields = [
            "id",
            "created_at",
            "kind",
            "status",
            "trigger",
            "price_before",
            "price_after",
            "quantity_before",
            "quantity_after",
            "response",
            "error",
        ]
        read_only_fields = fields


class PreviewRowSerializer(serializers.Serializer):
    listing = serializers.IntegerField(source="listing.pk")
    sku = serializers.CharField(source="listing.sku")
    title = serializers.CharField(source="listing.title")
    outcome = serializers.CharField()
    price_before = serializers.DecimalField(source="listing.price", max_digits=14, decimal_places=2, allow_null=True)
    price_after = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    compare_at_before = serializers.DecimalField(
        source="listing.compare_at_price", max_digits=14, decimal_places=2, allow_null=True
    )
    compare_at_after = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    refusal_code = serializers.CharField()
    guardrail = serializers.CharField()
    explanation = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Listings this rule would price.")
    changes = serializers.IntegerField(help_text="Of those, listings whose price would change.")
    listings = PreviewRowSerializer(many=True)


class ApplyResultSerializer(serializers.Serializer):
    listings = serializers.IntegerField(help_text="Open listings in the rule's reach.")
    outcomes = serializers.DictField(child=serializers.IntegerField(), help_text="Decisions per outcome (inline).")
    job = JobSerializer(allow_null=True, help_text="The background job, when the set was large.")
