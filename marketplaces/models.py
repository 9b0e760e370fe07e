from django.conf import settings
from django.db import models
from django.db.models import Q

from dropship_central.fields import EncryptedJSONField, EncryptedTextField


class StoreAccount(models.Model):
    """A customer's connected store. Credentials and OAuth tokens are encrypted at rest."""

    class Marketplace(models.TextChoices):
        EBAY = "ebay", "eBay"
        SHOPIFY = "shopify", "Shopify"

    class Environment(models.TextChoices):
        PRODUCTION = "production", "Production"
        SANDBOX = "sandbox", "Sandbox"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending connection"
        CONNECTED = "connected", "Connected"
        RECONNECT_NEEDED = "reconnect_needed", "Reconnect needed"
        DISCONNECTED = "disconnected", "Disconnected"

    class InstallMethod(models.TextChoices):
        CUSTOM_APP = "custom_app", "Custom-app access token"
        OAUTH = "oauth", "OAuth install"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_accounts")
    marketplace = models.CharField(max_length=30, help_text="Slug of the marketplace client plugin.")
    name = models.CharField(max_length=100)
    environment = models.CharField(max_length=12, choices=Environment.choices, default=Environment.PRODUCTION)
    shop_domain = models.CharField(max_length=255, blank=True, help_text="Shopify: my-shop.myshopify.com")
    external_account_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    credentials = EncryptedJSONField(blank=True, default=dict, help_text="Client id/secret or access token.")
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    listing_defaults = models.JSONField(
        default=dict,
        blank=True,
        help_text="eBay: marketplace_id, merchant_location_key and the fulfillment, payment and return policy ids.",
    )
    oauth_nonce = models.CharField(
        max_length=64, blank=True, help_text="Binds the latest consent link's state; cleared once it is used."
    )
    install_method = models.CharField(
        max_length=12,
        choices=InstallMethod.choices,
        blank=True,
        help_text="Shopify: how the access token was obtained; only an OAuth install's access can be revoked by us.",
    )
    orders_imported_until = models.DateTimeField(
        null=True, blank=True, help_text="Cursor of the order import: orders modified before this were read."
    )
    last_error = models.TextField(blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "marketplace", "name"], name="store_account_unique_name"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "connected", "reconnect_needed", "disconnected"]),
                name="store_account_valid_status",
            ),
            models.CheckConstraint(
                condition=Q(environment__in=["production", "sandbox"]), name="store_account_valid_environment"
            ),
            models.CheckConstraint(
                condition=Q(install_method__in=["", "custom_app", "oauth"]), name="store_account_valid_install_method"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.marketplace})"


class ImportedOrder(models.Model):
    """An order the import has counted, with what it contributed, so a re-import applies only the difference.

    `counted` maps `"<listing id>|<date>"` to the figures this order added to that `MarketplaceData` row
    (orders, units_sold, revenue, cost, fees, refunds as decimal strings).
    """

    store_account = models.ForeignKey(StoreAccount, on_delete=models.CASCADE, related_name="imported_orders")
    order_id = models.CharField(max_length=128)
    ordered_at = models.DateTimeField()
    counted = models.JSONField(default=dict, blank=True)
    unmatched_skus = models.JSONField(default=list, blank=True)
    first_imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.UniqueConstraint(fields=["store_account", "order_id"], name="imported_order_unique_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.order_id} on {self.store_account_id}"
