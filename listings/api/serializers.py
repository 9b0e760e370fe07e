from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

from listings.models import Listing, PricingRule
from listings.selectors import pricing_rules_for_user


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
            "last_error",
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
