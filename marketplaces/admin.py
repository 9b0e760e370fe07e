from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from dropship_central.admin_mixins import (
    AuditedAdmin,
    EstimatedCountPaginator,
    ReadOnlyAdmin,
    masked,
    secret_form_field,
)
from dropship_central.api.exceptions import ServiceError
from marketplaces.models import ImportedOrder, StoreAccount
from marketplaces.services import (
    shop_domain_error,
    shop_domain_normalize,
    store_account_connect_start,
    store_account_disconnect,
)

SECRET_MODEL_FIELDS = ("credentials", "access_token", "refresh_token")


class StoreAccountForm(forms.ModelForm):
    """Secrets are write-only: the form never carries their values back to the browser."""

    set_credentials = forms.JSONField(
        label="New credentials",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text='Write-only JSON object, e.g. {"client_id": "...", "client_secret": "..."}. Empty keeps them.',
    )
    set_access_token = secret_form_field("New access token")
    set_refresh_token = secret_form_field("New refresh token")
    clear_secrets = forms.BooleanField(required=False, label="Remove every stored credential and token")

    class Meta:
        model = StoreAccount
        fields = (
            "user",
            "marketplace",
            "name",
            "environment",
            "shop_domain",
            "external_account_id",
            "status",
            "install_method",
            "connected_at",
            "scopes",
            "currency",
            "orders_imported_until",
            "last_error",
            "access_token_expires_at",
            "refresh_token_expires_at",
        )

    def clean_set_credentials(self) -> dict[str, Any] | None:
        value = self.cleaned_data.get("set_credentials")
        if value is not None and not isinstance(value, dict):
            raise forms.ValidationError("Enter a JSON object.")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        domain = shop_domain_normalize(cleaned.get("shop_domain") or "")
        cleaned["shop_domain"] = domain
        if error := shop_domain_error(marketplace=cleaned.get("marketplace") or "", shop_domain=domain):
            self.add_error("shop_domain", error)
        return cleaned

    def save(self, commit: bool = True) -> StoreAccount:
        account = self.instance
        if self.cleaned_data.get("clear_secrets"):
            account.credentials, account.access_token, account.refresh_token = {}, "", ""
        if self.cleaned_data.get("set_credentials"):
            account.credentials = self.cleaned_data["set_credentials"]
        if self.cleaned_data.get("set_access_token"):
            account.access_token = self.cleaned_data["set_access_token"]
        if self.cleaned_data.get("set_refresh_token"):
            account.refresh_token = self.cleaned_data["set_refresh_token"]
        return super().save(commit)


@admin.register(StoreAccount)
class StoreAccountAdmin(AuditedAdmin):
    form = StoreAccountForm
    secret_fields = frozenset({*SECRET_MODEL_FIELDS, "set_credentials", "set_access_token", "set_refresh_token"})
    list_display = (
        "name",
        "marketplace",
        "user",
        "environment",
        "status",
        "shop_domain",
        "listing_count",
        "connected_at",
        "access_token_expires_at",
    )
    list_filter = ("marketplace", "status", "environment", "install_method")
    actions = ("connect_accounts", "disconnect_accounts")
    list_select_related = ("user",)
    search_fields = ("name", "user__email", "shop_domain", "=external_account_id")
    raw_id_fields = ("user",)
    readonly_fields = ("credentials_status", "access_token_status", "refresh_token_status", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("user", "marketplace", "name", "environment", "shop_domain", "external_account_id")}),
        (
            "Connection",
            {
                "fields": (
                    "status",
                    "install_method",
                    "connected_at",
                    "scopes",
                    "currency",
                    "orders_imported_until",
                    "last_error",
                )
            },
        ),
        (
            "Secrets (write-only)",
            {
                "fields": (
                    "credentials_status",
                    "set_credentials",
                    "access_token_status",
                    "set_access_token",
                    "access_token_expires_at",
                    "refresh_token_status",
                    "set_refresh_token",
                    "refresh_token_expires_at",
                    "clear_secrets",
                )
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[StoreAccount]:
        return super().get_queryset(request).annotate(listing_total=Count("listings"))

    @admin.display(description="listings", ordering="listing_total")
    def listing_count(self, obj: StoreAccount) -> int:
        return obj.listing_total  # type: ignore[attr-defined]

    @admin.display(description="stored credentials")
    def credentials_status(self, obj: StoreAccount) -> str:
        return masked(obj.credentials)

    @admin.display(description="stored access token")
    def access_token_status(self, obj: StoreAccount) -> str:
        return masked(obj.access_token)

    @admin.display(description="stored refresh token")
    def refresh_token_status(self, obj: StoreAccount) -> str:
        return masked(obj.refresh_token)

    @admin.action(
        description="Connect: show the OAuth consent or install link to send the seller", permissions=("change",)
    )
    def connect_accounts(self, request: HttpRequest, queryset: QuerySet[StoreAccount]) -> None:
        callback = request.build_absolute_uri(reverse("shopify-callback"))
        for account in queryset:
            try:
                url = store_account_connect_start(account=account, redirect_uri=callback)
            except ServiceError as exc:
                self.message_user(request, f"{account}: {exc.detail}", messages.ERROR)
                continue
            self.message_user(request, format_html('{}: send the seller to <a href="{}">{}</a>', account, url, url))

    @admin.action(
        description="Disconnect: revoke what can be revoked, wipe secrets, stop syncs", permissions=("change",)
    )
    def disconnect_accounts(self, request: HttpRequest, queryset: QuerySet[StoreAccount]) -> None:
        for account in queryset:
            store_account_disconnect(account=account, actor=request.user, request=request)
        self.message_user(request, f"Disconnected {len(queryset)} store(s).", messages.SUCCESS)


@admin.register(ImportedOrder)
class ImportedOrderAdmin(ReadOnlyAdmin):
    """Orders the import has counted, with what each added to which listing and day (read-only)."""

    list_display = ("order_id", "store_account", "ordered_at", "first_imported_at", "updated_at")
    list_select_related = ("store_account",)
    list_filter = ("store_account__marketplace",)
    search_fields = ("=order_id",)
    raw_id_fields = ("store_account",)
    date_hierarchy = "ordered_at"
    show_full_result_count = False
    paginator = EstimatedCountPaginator
