from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from dropship_central.admin_mixins import AuditedAdmin, BigTableAdmin, ReadOnlyAdmin, RecentRowsInline
from dropship_central.api.exceptions import ServiceError
from listings.models import Listing, MarketplaceData, PriceDecision, PricingRule, StatusReason
from listings.services import listing_end, listing_pause, listing_reprice, listing_resume

DECISION_FIELDS = (
    "created_at",
    "trigger",
    "outcome",
    "rule_name",
    "tier",
    "cost",
    "cost_currency",
    "converted_cost",
    "price_before",
    "price_after",
    "compare_at_after",
    "floor_hit",
    "guardrail",
    "refusal_code",
    "explanation",
)


class PriceDecisionInline(RecentRowsInline):
    """The listing's pricing trail: the newest decisions, read-only."""

    model = PriceDecision
    fields = DECISION_FIELDS
    readonly_fields = DECISION_FIELDS
    ordering = ("-created_at", "-id")


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

    inlines = (PriceDecisionInline,)
    actions = ("pause_listings", "resume_listings", "end_listings", "reprice_listings")

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

    @admin.action(description="Pause selected listings")
    def pause_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._move(request, queryset, listing_pause, StatusReason.MANUAL_PAUSE)

    @admin.action(description="Resume selected listings")
    def resume_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._move(request, queryset, listing_resume, StatusReason.MANUAL_RESUME)

    @admin.action(description="End selected listings")
    def end_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._move(request, queryset, listing_end, StatusReason.ENDED_BY_USER)

    @admin.action(description="Reprice selected listings now")
    def reprice_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        decisions = [listing_reprice(listing=listing, reason="admin") for listing in queryset]
        outcomes = sorted({decision.outcome for decision in decisions})
        self.message_user(request, f"Repriced {len(decisions)} listing(s): {', '.join(outcomes) or 'none'}.")

    def _move(
        self, request: HttpRequest, queryset: QuerySet[Listing], service: Callable[..., Any], reason: str
    ) -> None:
        moved, refused = 0, []
        for listing in queryset:
            try:
                service(listing=listing, reason=reason, actor=request.user, request=request)
                moved += 1
            except ServiceError as exc:
                refused.append(f"{listing.sku}: {exc.detail}")
        self.message_user(request, f"{moved} listing(s) changed.")
        if refused:
            self.message_user(request, "Refused — " + "; ".join(refused[:20]), level=messages.WARNING)


@admin.register(MarketplaceData)
class MarketplaceDataAdmin(BigTableAdmin):
    list_display = ("listing", "date", "views", "orders", "units_sold", "revenue", "cost", "fees", "profit", "currency")
    list_select_related = ("listing",)
    search_fields = ("=listing__sku", "listing__user__email")
    date_hierarchy = "date"
    raw_id_fields = ("listing",)
    readonly_fields = ("updated_at",)


@admin.register(PriceDecision)
class PriceDecisionAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Append-only pricing trail, written by `listing_reprice`."""

    list_display = ("listing", "created_at", "trigger", "outcome", "rule_name", "price_before", "price_after")
    list_filter = ("outcome", "trigger", "guardrail", "floor_hit")
    list_select_related = ("listing",)
    search_fields = ("=listing__sku", "listing__user__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("listing", "rule", "variant")
