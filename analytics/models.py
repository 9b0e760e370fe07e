from django.conf import settings
from django.db import models


class AnalyticsCache(models.Model):
    """An expensive analytics result kept until it expires or new data lands for its scope."""

    key = models.CharField(max_length=255, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    scope = models.CharField(max_length=100, db_index=True, help_text="What invalidates it, e.g. 'user:7'.")
    kind = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-computed_at"]
        verbose_name_plural = "analytics cache"

    def __str__(self) -> str:
        return self.key


class BusinessFigures(models.Model):
    """The figure columns every business rollup shares, summed from `MarketplaceData`."""

    currency = models.CharField(max_length=3)
    views = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    units_sold = models.BigIntegerField(default=0)
    revenue = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    cost = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    fees = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    refunds = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    profit = models.DecimalField(max_digits=20, decimal_places=2, default=0)

    class Meta:
        abstract = True


class BusinessDay(BusinessFigures):
    """One user's marketplace figures per store, day and currency, split by the price decision in force when the
    day began (UTC): its pricing rule, and its guardrail when it was held.

    Maintained in the writer's transaction by the `analytics_marketplace_data_rollup` trigger on
    `listings_marketplacedata` (migration 0002); rebuilt by `manage.py business_rollups_rebuild`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    store_account = models.ForeignKey("marketplaces.StoreAccount", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    rule_id = models.BigIntegerField(default=0, help_text="The pricing rule of the decision in force; 0: none.")
    rule_name = models.CharField(max_length=100, blank=True)
    guardrail = models.CharField(max_length=20, blank=True, help_text="Set when that decision was held.")
    held_difference = models.DecimalField(
        max_digits=20,
        decimal_places=2,
        default=0,
        help_text="Units sold × (held price − the price the rule proposed), on held days.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "store_account", "date", "currency", "rule_id", "guardrail"],
                name="business_day_unique",
            )
        ]
        indexes = [models.Index(fields=["user", "currency", "date"], name="business_day_user_date_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.store_account_id} {self.date} {self.currency}"


class ListingPeriod(BusinessFigures):
    """One listing's marketplace figures per day, ISO week (Monday) and calendar month, for breakdowns per listing
    and product. Maintained and rebuilt like `BusinessDay`. The index carries every figure, so a breakdown reads
    exactly the user's rows from the index alone (no heap visits once vacuumed)."""

    class Span(models.TextChoices):
        DAY = "day", "Day"
        WEEK = "week", "Week"
        MONTH = "month", "Month"

    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    store_account = models.ForeignKey("marketplaces.StoreAccount", on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    span = models.CharField(max_length=5, choices=Span.choices)
    start = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "span", "start", "currency"], name="listing_period_unique")
        ]
        indexes = [
            models.Index(
                fields=["user", "currency", "span", "start"],
                include=[
                    "listing",
                    "product",
                    "store_account",
                    "views",
                    "orders",
                    "units_sold",
                    "revenue",
                    "cost",
                    "fees",
                    "refunds",
                    "profit",
                ],
                name="listing_period_user_idx",
            ),
            # the back office's all-customers dashboard (top products across users)
            models.Index(fields=["currency", "span", "start"], name="listing_period_span_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.span} {self.start} {self.currency}"


class BusinessDataVersion(models.Model):
    """Bumped, in the writer's transaction, whenever any of the user's `MarketplaceData` changes (same trigger)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} v{self.version}"
