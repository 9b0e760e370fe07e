from rest_framework import serializers

from catalog.models import PriceHistory, Product, ProductVariant, StockHistory


class TrackedProductSerializer(serializers.ModelSerializer):
    """A product as its tracker sees it in a list; `tracked_since` and `label` come from the tracking link."""

    supplier = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    image = serializers.SerializerMethodField()
    tracked_since = serializers.DateTimeField(read_only=True)
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "supplier",
            "external_id",
            "url",
            "title",
            "brand",
            "image",
            "currency",
            "price",
            "list_price",
            "availability",
            "stock_quantity",
            "rating",
            "review_count",
            "is_gone",
            "last_scraped_at",
            "last_changed_at",
            "next_check_at",
            "tracked_since",
            "label",
        ]
        read_only_fields = fields

    def get_image(self, product: Product) -> str | None:
        return product.images[0] if product.images else None


class ProductVariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductVariant
        fields = [
            "sku",
            "title",
            "attributes",
            "currency",
            "price",
            "list_price",
            "availability",
            "stock_quantity",
            "is_active",
        ]
        read_only_fields = fields


class TrackedProductDetailSerializer(TrackedProductSerializer):
    seller_name = serializers.SerializerMethodField()
    category_path = serializers.SerializerMethodField()
    images = serializers.ListField(child=serializers.URLField(), read_only=True)
    notes = serializers.CharField(read_only=True)
    variants = ProductVariantSerializer(many=True, read_only=True)

    class Meta(TrackedProductSerializer.Meta):
        fields = [
            *TrackedProductSerializer.Meta.fields,
            "notes",
            "description",
            "bullets",
            "images",
            "seller_name",
            "category_path",
            "attributes",
            "orders_count",
            "variants",
        ]
        read_only_fields = fields

    def get_seller_name(self, product: Product) -> str | None:
        return product.seller.name if product.seller else None

    def get_category_path(self, product: Product) -> list[str]:
        if product.category_path:
            return [str(name) for name in product.category_path]
        return product.category.path.split(" > ") if product.category and product.category.path else []


class TrackedProductUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class PriceHistorySerializer(serializers.ModelSerializer):
    variant = serializers.CharField(source="variant_sku", read_only=True, allow_null=True)

    class Meta:
        model = PriceHistory
        fields = ["recorded_at", "variant", "price", "list_price", "currency"]
        read_only_fields = fields


class StockHistorySerializer(serializers.ModelSerializer):
    variant = serializers.CharField(source="variant_sku", read_only=True, allow_null=True)

    class Meta:
        model = StockHistory
        fields = ["recorded_at", "variant", "availability", "stock_quantity"]
        read_only_fields = fields


class ProductImportSerializer(serializers.Serializer):
    """Either `supplier` and `external_id`, or a product `url` (its host names the supplier)."""

    supplier = serializers.CharField(max_length=50, required=False, help_text="Supplier slug, e.g. `amazon`.")
    external_id = serializers.CharField(
        max_length=64, required=False, help_text="The supplier's product id, e.g. an ASIN."
    )
    url = serializers.URLField(max_length=1000, required=False, help_text="A product page URL of the supplier.")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("url") and not (attrs.get("supplier") and attrs.get("external_id")):
            raise serializers.ValidationError("Give `supplier` and `external_id`, or `url`.")
        return attrs


class ProductImportAcceptedSerializer(serializers.Serializer):
    job_id = serializers.UUIDField(read_only=True)
    job = serializers.URLField(read_only=True, help_text="Where the job's status and result are shown.")
