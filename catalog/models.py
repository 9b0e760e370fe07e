from django.conf import settings
from django.db import models
from django.db.models import Q

from suppliers.models import Supplier

MONEY = {"max_digits": 14, "decimal_places": 2}


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", "In stock"
    LOW_STOCK = "low_stock", "Low stock"
    OUT_OF_STOCK = "out_of_stock", "Out of stock"
    UNAVAILABLE = "unavailable", "Unavailable"
    BACKORDER = "backorder", "Backorder"
    UNKNOWN = "unknown", "Unknown"


AVAILABILITY_VALUES = [choice.value for choice in Availability]


class Category(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="categories")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    path = models.CharField(max_length=1000, blank=True, help_text="Names from the root, joined by ' > '.")
    level = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["supplier", "external_id"], name="category_unique_supplier_external"),
        ]

    def __str__(self) -> str:
        return self.path or self.name


class Seller(models.Model):
    supplier = models.ForeignKey(Supplier, on_delete=models.CASCADE, related_name="sellers")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    url = models.URLField(max_length=500, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    orders_count = models.PositiveIntegerField(default=0)
    registered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "external_id"], name="seller_unique_supplier_external"),
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=5), name="seller_rating_0_5"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """One supplier product in the shared catalog: one row per supplier + external id."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="products")
    external_id = models.CharField(max_length=64, help_text="ASIN, AliExpress item id, Uzum product id…")
    parent_external_id = models.CharField(max_length=64, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    title = models.CharField(max_length=1000, blank=True)
    brand = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    currency = models.CharField(max_length=3, blank=True)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    list_price = models.DecimalField(**MONEY, null=True, blank=True)
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.UNKNOWN)
    stock_quantity = models.PositiveIntegerField(null=True, blank=True)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    review_count = models.PositiveIntegerField(default=0)
    orders_count = models.PositiveIntegerField(default=0)
    images = models.JSONField(default=list, blank=True)
    bullets = models.JSONField(default=list, blank=True)
    variations = models.JSONField(default=list, blank=True)
    category_path = models.JSONField(default=list, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    is_gone = models.BooleanField(default=False, help_text="The supplier no longer has this product.")
    last_scraped_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    check_interval_seconds = models.PositiveIntegerField(default=3600)
    scrape_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_changed_at = models.DateTimeField(null=True, blank=True, help_text="When price or stock last changed.")
    reading_digest = models.CharField(
        max_length=40, blank=True, help_text="Digest of the last accepted reading: the same reading again is a no-op."
    )
    is_listed = models.BooleanField(default=False, help_text="An open listing sells it: checked more often.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "external_id"], name="product_unique_supplier_external"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_non_negative"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_non_negative"),
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=5), name="product_rating_0_5"),
            models.CheckConstraint(
                condition=Q(availability__in=AVAILABILITY_VALUES), name="product_valid_availability"
            ),
        ]
        indexes = [
            models.Index(
                fields=["supplier", "next_check_at"],
                name="product_due_idx",
                condition=Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.supplier_id}:{self.external_id} {self.title[:60]}"


class ProductVariant(models.Model):
    """A SKU of a product, with its own price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64)
    title = models.CharField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True, help_text="Dimension values, e.g. {'Color': 'Red'}.")
    currency = models.CharField(max_length=3, blank=True)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    list_price = models.DecimalField(**MONEY, null=True, blank=True)
    availability = models.CharField(max_length=16, choices=Availability.choices, default=Availability.UNKNOWN)
    stock_quantity = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="variant_unique_product_sku"),
            models.CheckConstraint(condition=Q(price__gte=0), name="variant_price_non_negative"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="variant_list_price_non_negative"),
            models.CheckConstraint(
                condition=Q(availability__in=AVAILABILITY_VALUES), name="variant_valid_availability"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.sku}"


class PriceHistory(models.Model):
    """A price reading, appended only when the price changed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="price_history")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="price_history"
    )
    price = models.DecimalField(**MONEY, null=True, blank=True)
    list_price = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name_plural = "price history"
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="price_history_price_non_negative"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="price_history_list_non_negative"),
        ]
        indexes = [
            models.Index(fields=["product", "recorded_at"], name="price_history_product_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.price} {self.currency} @ {self.recorded_at:%Y-%m-%d %H:%M}"


class StockHistory(models.Model):
    """A stock reading, appended only when the stock or availability changed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="stock_history")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="stock_history"
    )
    stock_quantity = models.PositiveIntegerField(null=True, blank=True)
    availability = models.CharField(max_length=16, choices=Availability.choices)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name_plural = "stock history"
        constraints = [
            models.CheckConstraint(
                condition=Q(availability__in=AVAILABILITY_VALUES), name="stock_history_valid_availability"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "recorded_at"], name="stock_history_product_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.availability} {self.stock_quantity} @ {self.recorded_at:%Y-%m-%d %H:%M}"


class TrackedProduct(models.Model):
    """A customer's link to a shared product: what they see of the catalog."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracked_products")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="trackers")
    label = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "product"], name="tracked_unique_user_product")]

    def __str__(self) -> str:
        return f"{self.user_id} tracks {self.product_id}"


class SuspectReading(models.Model):
    """A reading the data-quality guard held back: implausible against the product's history.

    It reaches the catalog (and so listings and alerts) only once a second reading, through another proxy,
    agrees with it; a second reading that looks normal rejects it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending re-check"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="suspect_readings")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reasons = models.JSONField(default=list, help_text="Why it was held, e.g. ['price_drop', 'currency_flip'].")
    reading = models.JSONField(help_text="What the scraper read.")
    proxy = models.CharField(max_length=255, blank=True, help_text="host:port of the proxy that read it.")
    recheck_proxy = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=500, blank=True, help_text="How it was resolved.")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "rejected"]), name="suspect_valid_status"
            ),
        ]
        indexes = [models.Index(fields=["product", "status"], name="suspect_product_status_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} {', '.join(self.reasons)} [{self.status}]"
