from typing import Any

from rest_framework import serializers

from marketplaces.models import StoreAccount
from marketplaces.services import credentials_errors, shop_domain_error, shop_domain_normalize


class StoreAccountSerializer(serializers.ModelSerializer):
    """A store account as the customer sees it: no secret ever, only whether some are stored."""

    has_credentials = serializers.SerializerMethodField()

    class Meta:
        model = StoreAccount
        fields = [
            "id",
            "marketplace",
            "name",
            "environment",
            "shop_domain",
            "external_account_id",
            "status",
            "install_method",
            "has_credentials",
            "currency",
            "scopes",
            "listing_defaults",
            "connected_at",
            "access_token_expires_at",
            "refresh_token_expires_at",
            "last_error",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_credentials(self, obj: StoreAccount) -> bool:
        return bool(obj.credentials or obj.access_token or obj.refresh_token)


class StoreAccountCreateSerializer(serializers.Serializer):
    marketplace = serializers.ChoiceField(choices=StoreAccount.Marketplace.choices)
    name = serializers.CharField(max_length=100)
    environment = serializers.ChoiceField(
        choices=StoreAccount.Environment.choices, default=StoreAccount.Environment.PRODUCTION
    )
    shop_domain = serializers.CharField(max_length=255, required=False, default="", allow_blank=True)
    credentials = serializers.DictField(
        child=serializers.CharField(),
        write_only=True,
        help_text=(
            "eBay: client_id, client_secret (optional ru_name). Shopify: access_token (a custom app's Admin API "
            "token), or nothing to connect through the OAuth install."
        ),
    )

    def validate_shop_domain(self, value: str) -> str:
        return shop_domain_normalize(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if problems := credentials_errors(marketplace=attrs["marketplace"], credentials=attrs["credentials"]):
            errors["credentials"] = problems
        if problem := shop_domain_error(marketplace=attrs["marketplace"], shop_domain=attrs["shop_domain"]):
            errors["shop_domain"] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AuthorizationUrlSerializer(serializers.Serializer):
    authorization_url = serializers.URLField(read_only=True)
