from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from dropship_central.admin_mixins import (
    AuditedAdmin,
    BigTableAdmin,
    ReadOnlyAdmin,
    RecentRowsInline,
    admin_changelist_link,
)
from dropship_central.api.exceptions import ServiceError
from listings.models import Listing, ListingPush, MarketplaceData, PriceDecision, PricingRule, StatusReason
from listings.publishing import listing_publish
from listings.selectors import latest_price_decision
from listings.services import (
    CREATE_FIELDS,
    listing_create,
    listing_create_check,
    listing_end,
    listing_pause,
    listing_price_accept,
    listing_reprice,
    listing_resume,
)
from listings.sync import listing_sync_force

DECISION_FIELDS = (
    "created_at",
    "trigger",
    "outcome",
    "reading_at",
    "price_history_id",
    "rule_name",
    "tier",
    "cost",
    "cost_currency",
    "fx_rate",
    "converted_cost",
    "formula_price",
    "floor_price",
    "floor_hit",
    "price_before",
    "price_after",
    "compare_at_before",
    "compare_at_after",
    "guardrail",
    "refusal_code",
    "explanation",
)
# On the change page these change only through services, which record a price decision or an audit entry.
SERVICE_OWNED_FIELDS = ("user", "store_account", "product", "currency", "price", "compare_at_price", "quantity")
ADD_FIELDS = ("user", "product", "store_account", "sku", "title", "description", "max_quantity", "pricing_rule")


class PriceDecisionInline(RecentRowsInline):
    """The listing's pricing trail: the newest decisions, read-only."""

    model = PriceDecision
    fields = DECISION_FIELDS
    readonly_fields = DECISION_FIELDS
    ordering = ("-created_at", "-id")


PUSH_FIELDS = (
    "created_at",
    "kind",
    "status",
    "trigger",
    "price_before",
    "price_after",
    "quantity_before",
    "quantity_after",
    "error",
    "response",
)


class ListingPushInline(RecentRowsInline):
    """What was sent to the marketplace: the newest pushes, read-only."""

    model = ListingPush
    fields = PUSH_FIELDS
    readonly_fields = PUSH_FIELDS
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


def create_data(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The optional `listing_create` fields the operator filled in."""
    return {name: value for name in CREATE_FIELDS if (value := cleaned.get(name)) not in (None, "")}


class ListingAddForm(forms.ModelForm):
    """A new pending listing, created by `listing_create` (the API's checks, quota, first price decision)."""

    class Meta:
        model = Listing
        fields = ADD_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sku"].required = False
        self.fields["sku"].help_text = "Leave empty for the supplier and its product id."
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty for the product title, cut to the marketplace limit."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        user, product, store = cleaned.get("user"), cleaned.get("product"), cleaned.get("store_account")
        if user is None or product is None or store is None:
            return cleaned
        try:
            listing_create_check(user=user, product=product, store_account=store, data=create_data(cleaned))
        except ServiceError as exc:
            fields = {name: problems for name, problems in exc.details.items() if name in CREATE_FIELDS}
            if not fields:
                raise forms.ValidationError(str(exc.detail)) from exc
            for name, problems in fields.items():
                self.add_error(name, problems)
        return cleaned

    def _post_clean(self) -> None:
        """The service validates and saves; the model's own validation (blank SKU, title) does not apply."""


@admin.register(Listing)
class ListingAdmin(BigTableAdmin):
    """Status, price and quantity move only through the listing services: the console shows them read-only, and
    a listing is added through `listing_create` like in the API."""

    inlines = (ListingPushInline, PriceDecisionInline)
    actions = (
        "publish_listings",
        "sync_listings",
        "pause_listings",
        "resume_listings",
        "end_listings",
        "reprice_listings",
        "accept_held_prices",
    )

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
        "sync_flagged_at",
    )
    list_filter = ("status", "store_account__marketplace", ("sync_flagged_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "store_account", "product")
    search_fields = ("=sku", "title", "user__email", "=external_id")
    date_hierarchy = "created_at"
    raw_id_fields = ("user", "store_account", "product", "variant", "pricing_rule")
    readonly_fields = (
        "price_decisions_link",
        "status",
        "status_reason",
        "quantity_reason",
        "status_changed_at",
        "pushed_price",
        "pushed_quantity",
        "external_id",
        "offer_id",
        "external_url",
        "last_synced_at",
        "sync_failures",
        "sync_flagged_at",
        "sync_lease_until",
        "last_error",
        "last_response",
        "revisions_today",
        "revisions_date",
        "withdrawn_at",
        "published_at",
        "ended_at",
        "created_at",
        "updated_at",
    )

    @admin.display(description="title", ordering="title")
    def short_title(self, obj: Listing) -> str:
        return obj.title[:60]

    @admin.display(description="price decisions")
    def price_decisions_link(self, obj: Listing) -> str:
        return admin_changelist_link(PriceDecision, "All price decisions of this listing", listing__id__exact=obj.pk)

    def get_readonly_fields(self, request: HttpRequest, obj: Listing | None = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        return (*SERVICE_OWNED_FIELDS, *self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: Listing | None = None) -> list[str] | tuple[str, ...]:
        return ADD_FIELDS if obj is None else super().get_fields(request, obj)

    def get_form(self, request: HttpRequest, obj: Listing | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = ListingAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Listing | None) -> tuple[type[admin.TabularInline], ...]:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Listing, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        cleaned = form.cleaned_data
        created = listing_create(
            user=cleaned["user"],
            product=cleaned["product"],
            store_account=cleaned["store_account"],
            data=create_data(cleaned),
            request=request,
            actor=request.user,
        )
        for field in Listing._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    @admin.action(description="Publish selected pending listings")
    def publish_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._each(
            request, queryset, lambda listing: listing_publish(listing=listing, actor=request.user, request=request)
        )

    @admin.action(description="Force a sync of selected listings (lifts the failure flag)")
    def sync_listings(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        self._each(
            request, queryset, lambda listing: listing_sync_force(listing=listing, actor=request.user, request=request)
        )

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

    @admin.action(description="Accept held prices of selected listings")
    def accept_held_prices(self, request: HttpRequest, queryset: QuerySet[Listing]) -> None:
        def accept(listing: Listing) -> Any:
            decision = latest_price_decision(listing=listing)
            if decision is None or decision.outcome != PriceDecision.Outcome.HELD:
                raise ServiceError("no held price", code="decision_not_acceptable", status_code=409)
            return listing_price_accept(listing=listing, decision=decision, actor=request.user, request=request)

        self._each(request, queryset, accept)

    def _move(
        self, request: HttpRequest, queryset: QuerySet[Listing], service: Callable[..., Any], reason: str
    ) -> None:
        def move(listing: Listing) -> Any:
            return service(listing=listing, reason=reason, actor=request.user, request=request)

        self._each(request, queryset, move)

    def _each(self, request: HttpRequest, queryset: QuerySet[Listing], call: Callable[[Listing], Any]) -> None:
        moved, refused = 0, []
        for listing in queryset.select_related("store_account"):
            try:
                call(listing)
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


@admin.register(ListingPush)
class ListingPushAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Append-only push history, written by publishing and the sync engine."""

    list_display = ("listing", "created_at", "kind", "status", "trigger", "price_after", "quantity_after", "error")
    list_filter = ("kind", "status", "trigger")
    list_select_related = ("listing",)
    search_fields = ("=listing__sku", "listing__user__email")
    date_hierarchy = "created_at"
    raw_id_fields = ("listing",)
