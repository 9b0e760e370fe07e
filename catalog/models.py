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


class HistoryDay(models.Model):
    """Daily rollup of one product's (or SKU's) price and stock history, kept by `catalog.rollups` as readings land.

    Days are calendar days in `TIME_ZONE`. A row exists for each day with a reading; a day without one carries the
    state of the row before it (its closing price and `out_at_end`). `out_any` is whether the series was out of stock
    or unavailable at any moment of the day: the state in force when the day began, or any reading during it.
    Sales are the `analytics.research_sales` estimate of the drops read that day; `pending_*` is a drop in the
    series' newest reading, which counts as confirmed once a later scrape saw the same stock. `cum_*` are the
    series' running sales totals to the day's end: a period's sales are the difference of two of them.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="history_days")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="history_days"
    )
    variant_key = models.PositiveIntegerField(default=0, help_text="The variant id, 0 for the product itself.")
    day = models.DateField()
    currency = models.CharField(max_length=3, blank=True)
    price_min = models.DecimalField(**MONEY, null=True, blank=True)
    price_max = models.DecimalField(**MONEY, null=True, blank=True)
    price_sum = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    price_count = models.PositiveIntegerField(default=0)
    price_open = models.DecimalField(**MONEY, null=True, blank=True)
    price_close = models.DecimalField(**MONEY, null=True, blank=True)
    list_price_max = models.DecimalField(**MONEY, null=True, blank=True)
    price_end = models.DecimalField(**MONEY, null=True, blank=True, help_text="In force at the day's end.")
    price_area_end = models.DecimalField(
        max_digits=30, decimal_places=2, default=0, help_text="The series' price × seconds up to the day's end."
    )
    price_seconds_end = models.BigIntegerField(default=0, help_text="Seconds with a known price up to the day's end.")
    stock_min = models.PositiveIntegerField(null=True, blank=True)
    stock_max = models.PositiveIntegerField(null=True, blank=True)
    stock_last = models.PositiveIntegerField(null=True, blank=True)
    stock_sum = models.BigIntegerField(default=0)
    stock_count = models.PositiveIntegerField(default=0, help_text="Readings with a quantity.")
    stock_readings = models.PositiveIntegerField(default=0, help_text="Stock readings, with or without a quantity.")
    out_any = models.BooleanField(default=False)
    out_at_end = models.BooleanField(default=False)
    units_low = models.PositiveIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    units_high = models.PositiveIntegerField(default=0)
    revenue_low = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    revenue_high = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    pending_units = models.PositiveIntegerField(default=0)
    pending_revenue = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    pending_at = models.DateTimeField(null=True, blank=True)
    cum_units_low = models.PositiveBigIntegerField(default=0, help_text="The series' running total to the day's end.")
    cum_units = models.PositiveBigIntegerField(default=0)
    cum_units_high = models.PositiveBigIntegerField(default=0)
    cum_revenue_low = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    cum_revenue = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    cum_revenue_high = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        ordering = ["product", "variant_key", "day"]
        constraints = [
            models.UniqueConstraint(fields=["product", "day", "variant_key"], name="history_day_unique_series_day"),
        ]
        indexes = [
            models.Index(fields=["day", "product"], name="history_day_day_idx"),
            # the stock-out report: the few days that saw a product out or left it out
            models.Index(
                fields=["product", "day"],
                condition=Q(variant_key=0) & (Q(out_any=True) | Q(out_at_end=True)),
                name="history_day_out_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_key} {self.day}"


class HistorySeries(models.Model):
    """Where a product's (or SKU's) history stands after its newest reading: what the next reading is compared with.

    `price_area` and `price_seconds` add up price × seconds over the time a known price was in force, from
    `first_price_at` to `price_at`, for time-weighted averages; `cum_*` add up the series' sales so far.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="history_series")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.CASCADE, related_name="history_series"
    )
    variant_key = models.PositiveIntegerField(default=0)
    price = models.DecimalField(**MONEY, null=True, blank=True)
    price_at = models.DateTimeField(null=True, blank=True)
    first_price_at = models.DateTimeField(null=True, blank=True)
    price_min = models.DecimalField(**MONEY, null=True, blank=True)
    price_area = models.DecimalField(max_digits=30, decimal_places=2, default=0)
    price_seconds = models.BigIntegerField(default=0)
    stock = models.PositiveIntegerField(null=True, blank=True)
    stock_at = models.DateTimeField(null=True, blank=True)
    out = models.BooleanField(default=False)
    drop_units = models.PositiveIntegerField(default=0, help_text="The newest reading's drop, 0 if it was none.")
    drop_price = models.DecimalField(**MONEY, default=0)
    drop_day = models.DateField(null=True, blank=True)
    first_stock_at = models.DateTimeField(null=True, blank=True)
    cum_units_low = models.PositiveBigIntegerField(default=0)
    cum_units = models.PositiveBigIntegerField(default=0)
    cum_units_high = models.PositiveBigIntegerField(default=0)
    cum_revenue_low = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    cum_revenue = models.DecimalField(max_digits=24, decimal_places=2, default=0)
    cum_revenue_high = models.DecimalField(max_digits=24, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "variant_key"], name="history_series_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_key}"


class ChargedPrice(models.Model):
    """A price a product (or SKU) was read at, at least once: answers "was this price ever charged" by index."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="charged_prices")
    variant_key = models.PositiveIntegerField(default=0, help_text="The variant id, 0 for the product itself.")
    price = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "variant_key", "price"], name="charged_price_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.variant_key} {self.price}"
