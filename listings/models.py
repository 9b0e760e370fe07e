from django.conf import settings
from django.db import models
from django.db.models import F, Q

from catalog.models import MONEY, Product, ProductVariant
from marketplaces.models import StoreAccount

PERCENT = {"max_digits": 6, "decimal_places": 3}


class PricingRule(models.Model):
    """How a supplier cost becomes a selling price, for a user, optionally per store or product."""

    class Rounding(models.TextChoices):
        NONE = "none", "No rounding"
        END_99 = "0.99", "Ends in .99"
        END_95 = "0.95", "Ends in .95"
        WHOLE = "whole", "Whole number"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pricing_rules")
    store_account = models.ForeignKey(
        StoreAccount, null=True, blank=True, on_delete=models.CASCADE, related_name="pricing_rules"
    )
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    priority = models.IntegerField(default=100, help_text="Lower runs first; the most specific rule wins ties.")
    currency = models.CharField(max_length=3, default="USD")
    cost_min = models.DecimalField(**MONEY, null=True, blank=True, help_text="Tier: applies from this cost.")
    cost_max = models.DecimalField(**MONEY, null=True, blank=True, help_text="Tier: applies below this cost.")
    shipping_cost = models.DecimalField(**MONEY, default=0)
    markup_percent = models.DecimalField(**PERCENT, default=0)
    fixed_markup = models.DecimalField(**MONEY, default=0)
    fee_percent = models.DecimalField(**PERCENT, default=0)
    break_even_percent = models.DecimalField(**PERCENT, default=0)
    fixed_fee = models.DecimalField(**MONEY, default=0)
    min_profit = models.DecimalField(**MONEY, default=0)
    compare_at_percent = models.DecimalField(
        **PERCENT, null=True, blank=True, help_text="Compare-at price this % above the selling price."
    )
    rounding = models.CharField(max_length=8, choices=Rounding.choices, default=Rounding.END_99)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(markup_percent__gte=0), name="pricing_markup_non_negative"),
            models.CheckConstraint(
                condition=Q(fee_percent__gte=0) & Q(break_even_percent__gte=0), name="pricing_fees_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(fee_percent__lt=100 - F("break_even_percent")), name="pricing_fees_below_100"
            ),
            models.CheckConstraint(
                condition=Q(shipping_cost__gte=0, fixed_markup__gte=0, fixed_fee__gte=0, min_profit__gte=0),
                name="pricing_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(cost_min__isnull=True) | Q(cost_max__isnull=True) | Q(cost_min__lt=F("cost_max")),
                name="pricing_cost_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Listing(models.Model):
    """A product offered on a customer's store. Status changes only through listing services."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ENDED = "ended", "Ended"
        DELISTED = "delisted", "Delisted"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings")
    store_account = models.ForeignKey(StoreAccount, on_delete=models.CASCADE, related_name="listings")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="listings")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    pricing_rule = models.ForeignKey(PricingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sku = models.CharField(max_length=64, help_text="The seller SKU on the marketplace.")
    title = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(max_length=40, blank=True, help_text="Why the status last changed.")
    quantity_reason = models.CharField(
        max_length=40, blank=True, help_text="Why the quantity was last zeroed or restored (never the status)."
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    price = models.DecimalField(**MONEY, null=True, blank=True, help_text="Desired selling price.")
    compare_at_price = models.DecimalField(**MONEY, null=True, blank=True)
    quantity = models.PositiveIntegerField(default=0, help_text="Desired quantity.")
    max_quantity = models.PositiveIntegerField(null=True, blank=True, help_text="Cap on the quantity offered.")
    pushed_price = models.DecimalField(**MONEY, null=True, blank=True)
    pushed_quantity = models.PositiveIntegerField(null=True, blank=True)
    external_id = models.CharField(max_length=128, blank=True, help_text="Marketplace listing or product id.")
    offer_id = models.CharField(max_length=128, blank=True)
    external_url = models.URLField(max_length=500, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    sync_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    last_response = models.JSONField(default=dict, blank=True)
    revisions_today = models.PositiveIntegerField(default=0)
    revisions_date = models.DateField(null=True, blank=True)
    sync_flagged_at = models.DateTimeField(
        null=True, blank=True, help_text="Set after too many failed pushes: no more syncs until one is forced."
    )
    sync_lease_until = models.DateTimeField(
        null=True, blank=True, help_text="A sync pass holds the listing until then (claimed, being pushed)."
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, help_text="When the marketplace confirmed the end.")
    published_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["store_account", "sku"], name="listing_unique_store_sku"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "active", "paused", "ended", "delisted"]),
                name="listing_valid_status",
            ),
            models.CheckConstraint(condition=Q(price__gte=0), name="listing_price_non_negative"),
            models.CheckConstraint(condition=Q(compare_at_price__gte=0), name="listing_compare_at_non_negative"),
        ]
        indexes = [
            models.Index(fields=["user", "status"], name="listing_user_status_idx"),
            models.Index(fields=["store_account", "status"], name="listing_store_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} on {self.store_account_id} [{self.status}]"


# A listing in one of these can still be priced, paused or resumed; ended and delisted are terminal.
OPEN_STATUSES = (Listing.Status.PENDING, Listing.Status.ACTIVE, Listing.Status.PAUSED)


class MarketplaceData(models.Model):
    """One listing's figures for one day, from the marketplace's orders and traffic."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="daily_data")
    date = models.DateField()
    currency = models.CharField(max_length=3, default="USD")
    views = models.PositiveIntegerField(default=0)
    orders = models.PositiveIntegerField(default=0)
    units_sold = models.PositiveIntegerField(default=0)
    revenue = models.DecimalField(**MONEY, default=0)
    cost = models.DecimalField(**MONEY, default=0, help_text="Cost of goods sold.")
    fees = models.DecimalField(**MONEY, default=0)
    refunds = models.DecimalField(**MONEY, default=0)
    profit = models.DecimalField(**MONEY, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        verbose_name_plural = "marketplace data"
        constraints = [
            models.UniqueConstraint(fields=["listing", "date"], name="marketplace_data_unique_day"),
            models.CheckConstraint(
                condition=Q(revenue__gte=0, cost__gte=0, fees__gte=0, refunds__gte=0),
                name="marketplace_data_amounts_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="marketplace_data_date_idx")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.date}"


class StatusReason(models.TextChoices):
    """Why a listing's status or quantity last changed: `Listing.status_reason` and `Listing.quantity_reason`."""

    MARKETPLACE_CONFIRMED = "marketplace_confirmed", "The marketplace confirmed the listing"
    LOW_MARGIN = "low_margin", "Margin below the policy"
    OUT_OF_STOCK = "out_of_stock", "Out of stock at the supplier"
    BACK_IN_STOCK = "back_in_stock", "Back in stock at the supplier"
    MANUAL_PAUSE = "manual_pause", "Paused by the user"
    MANUAL_RESUME = "manual_resume", "Resumed by the user"
    POLICY = "policy", "A policy rule blocked it"
    PRICE_CEILING = "price_ceiling", "Supplier price above the ceiling"
    ON_HOLD = "on_hold", "On hold (e.g. shipping too slow)"
    SUPPLIER_GONE = "supplier_gone", "The supplier dropped the product"
    ENDED_BY_USER = "ended_by_user", "Ended by the user"
    ENDED_BY_MARKETPLACE = "ended_by_marketplace", "Ended on the marketplace"
    STORE_DISCONNECTED = "store_disconnected", "The store was disconnected"


class PriceDecision(models.Model):
    """One pricing decision for a listing, with the reading, rule and checks that produced it. Append-only."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        UNCHANGED = "unchanged", "Unchanged"
        HELD = "held", "Held by a guardrail"
        REFUSED = "refused", "Refused (no trustworthy price)"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="price_decisions")
    created_at = models.DateTimeField(auto_now_add=True)
    trigger = models.CharField(max_length=40, help_text="What asked for the price: product_changed, rule_applied…")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    refusal_code = models.CharField(max_length=40, blank=True)
    cost = models.DecimalField(**MONEY, null=True, blank=True, help_text="Supplier cost as read.")
    cost_currency = models.CharField(max_length=3, blank=True)
    converted_cost = models.DecimalField(**MONEY, null=True, blank=True, help_text="Cost in the rule's currency.")
    fx_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    price_history_id = models.BigIntegerField(null=True, blank=True, help_text="The PriceHistory row read, if any.")
    reading_at = models.DateTimeField(null=True, blank=True, help_text="When the supplier reading was taken.")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule = models.ForeignKey(PricingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    rule_name = models.CharField(max_length=100, blank=True)
    tier = models.CharField(max_length=64, blank=True)
    formula_price = models.DecimalField(**MONEY, null=True, blank=True)
    floor_price = models.DecimalField(**MONEY, null=True, blank=True)
    floor_hit = models.BooleanField(default=False)
    guardrail = models.CharField(max_length=20, blank=True)
    price_before = models.DecimalField(**MONEY, null=True, blank=True)
    price_after = models.DecimalField(**MONEY, null=True, blank=True, help_text="The computed price.")
    compare_at_before = models.DecimalField(**MONEY, null=True, blank=True)
    compare_at_after = models.DecimalField(**MONEY, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    explanation = models.TextField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["applied", "unchanged", "held", "refused"]), name="price_decision_outcome"
            ),
        ]
        indexes = [models.Index(fields=["listing", "-created_at"], name="price_decision_listing_idx")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.outcome} {self.price_before} → {self.price_after}"


class ListingPush(models.Model):
    """One attempt to bring a listing on its marketplace to its desired state. Append-only."""

    class Kind(models.TextChoices):
        PUBLISH = "publish", "Publish"
        UPDATE = "update", "Price and quantity"
        WITHDRAW = "withdraw", "Withdraw"

    class Status(models.TextChoices):
        SUCCESS = "success", "Confirmed"
        FAILED = "failed", "Failed"

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="pushes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    trigger = models.CharField(max_length=40, blank=True, help_text="What asked for the push: sync, forced, publish…")
    price_before = models.DecimalField(**MONEY, null=True, blank=True, help_text="Pushed price before.")
    price_after = models.DecimalField(**MONEY, null=True, blank=True, help_text="Price sent (null: not sent).")
    quantity_before = models.PositiveIntegerField(null=True, blank=True)
    quantity_after = models.PositiveIntegerField(null=True, blank=True, help_text="Quantity sent (null: not sent).")
    response = models.JSONField(default=dict, blank=True, help_text="An excerpt of the marketplace's answer.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["publish", "update", "withdraw"]), name="listing_push_valid_kind"
            ),
            models.CheckConstraint(condition=Q(status__in=["success", "failed"]), name="listing_push_valid_status"),
        ]
        indexes = [models.Index(fields=["listing", "-created_at"], name="listing_push_listing_idx")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.kind} {self.status}"
