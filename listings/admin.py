from django.contrib import admin

from dropship_central.admin_mixins import AuditedAdmin, BigTableAdmin
from listings.models import Listing, MarketplaceData, PricingRule


@admin.register(PricingRule)
class PricingRuleAdmin(AuditedAdmin):
    list_display = (
        "name",
        "user",
        "store_account",
        "product",
        "priority",
        "markup_percent",
        "fixed_markup",
        "fee_percent",
        "min_profit",
        "rounding",
        "is_active",
    )
    list_filter = ("is_active", "rounding", "currency")
    list_select_related = ("user", "store_account", "product")
    search_fields = ("name", "user__email")
    raw_id_fields = ("user", "store_account", "product")
    readonly_fields = ("created_at", "updated_at")


@admin.register(Listing)
class ListingAdmin(BigTableAdmin):
    """Status moves only through the listing services, so the console shows it without editing it."""

    list_display = (
        "sku",
        "short_title",
        "user",
        "store_account",
        "product",
        "status",
        "price",
        "quantity",
        "pushed_price",
        "pushed_quantity",
        "last_synced_at",
        "sync_failures",
    )
    list_filter = ("status", "store_account__marketplace")
    list_select_related = ("user", "store_account", "product")
    search_fields = ("=sku", "title", "user__email", "=external_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "store_account", "product", "variant", "pricing_rule")
    readonly_fields = (
        "status",
        "status_reason",
        "status_changed_at",
        "pushed_price",
        "pushed_quantity",
        "external_id",
        "offer_id",
        "external_url",
        "last_synced_at",
        "sync_failures",
        "last_error",
        "last_response",
        "revisions_today",
        "revisions_date",
        "published_at",
        "ended_at",
        "created_at",
        "updated_at",
    )

    @admin.display(description="title", ordering="title")
    def short_title(self, obj: Listing) -> str:
        return obj.title[:60]


@admin.register(MarketplaceData)
class MarketplaceDataAdmin(BigTableAdmin):
    list_display = ("listing", "date", "views", "orders", "units_sold", "revenue", "cost", "fees", "profit", "currency")
    list_select_related = ("listing",)
    search_fields = ("=listing__sku", "listing__user__email")
    date_hierarchy = "date"
    raw_id_fields = ("listing",)
    readonly_fields = ("updated_at",)
