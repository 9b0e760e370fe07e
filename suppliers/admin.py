from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from dropship_central.admin_mixins import AuditedAdmin, masked, secret_form_field
from suppliers import services as supplier_services
from suppliers.models import Proxy, Supplier

CHECK_FAILED = "proxy_error"


@admin.register(Supplier)
class SupplierAdmin(AuditedAdmin):
    list_display = (
        "name",
        "slug",
        "is_active",
        "requests_per_minute",
        "concurrency",
        "require_proxy",
        "freshness_seconds",
        "proxy_count",
    )
    list_filter = ("is_active", "require_proxy")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Supplier]:
        return super().get_queryset(request).annotate(proxy_total=Count("proxies"))

    @admin.display(description="proxies", ordering="proxy_total")
    def proxy_count(self, obj: Supplier) -> int:
        return obj.proxy_total  # type: ignore[attr-defined]


class ProxyForm(forms.ModelForm):
    new_password = secret_form_field("New password")
    clear_password = forms.BooleanField(required=False, label="Remove the stored password")

    class Meta:
        model = Proxy
        fields = (
            "scheme",
            "host",
            "port",
            "username",
            "supplier",
            "is_active",
            "quarantined_until",
        )

    def save(self, commit: bool = True) -> Proxy:
        if self.cleaned_data.get("clear_password"):
            self.instance.password = ""
        elif self.cleaned_data.get("new_password"):
            self.instance.password = self.cleaned_data["new_password"]
        return super().save(commit)


@admin.register(Proxy)
class ProxyAdmin(AuditedAdmin):
    form = ProxyForm
    secret_fields = frozenset({"password", "new_password"})
    list_display = (
        "__str__",
        "supplier",
        "is_active",
        "health_score",
        "successes",
        "failures",
        "consecutive_failures",
        "last_failure_at",
        "last_failure_reason",
        "quarantined",
        "password_status",
    )
    list_filter = ("is_active", "scheme", ("quarantined_until", admin.EmptyFieldListFilter), "supplier")
    list_select_related = ("supplier",)
    search_fields = ("host", "username", "last_failure_reason")
    readonly_fields = (
        "password_status",
        "health_score",
        "successes",
        "failures",
        "consecutive_failures",
        "last_used_at",
        "last_success_at",
        "last_failure_at",
        "last_failure_reason",
        "created_at",
    )
    fieldsets = (
        (None, {"fields": ("scheme", "host", "port", "supplier", "is_active")}),
        ("Credentials", {"fields": ("username", "password_status", "new_password", "clear_password")}),
        (
            "Health",
            {
                "fields": (
                    "health_score",
                    "successes",
                    "failures",
                    "consecutive_failures",
                    "quarantined_until",
                    "last_used_at",
                    "last_success_at",
                    "last_failure_at",
                    "last_failure_reason",
                    "created_at",
                )
            },
        ),
    )
    actions = ("test_proxy",)

    @admin.display(description="stored password")
    def password_status(self, obj: Proxy) -> str:
        return masked(obj.password)

    @admin.display(boolean=True, description="quarantined")
    def quarantined(self, obj: Proxy) -> bool:
        return obj.quarantined_until is not None and obj.quarantined_until > timezone.now()

    @admin.action(description="Test the selected proxies now", permissions=("change",))
    def test_proxy(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """Fetch the check URL through each proxy and record the outcome in its health score."""
        for proxy in queryset:
            result = supplier_services.proxy_check(proxy=proxy)
            if proxy.quarantined_until is not None:
                supplier_services.proxy_release_quarantine(proxy_id=proxy.pk, healthy=result.ok)
            elif result.ok:
                supplier_services.proxy_record_success(proxy_id=proxy.pk)
            else:
                supplier_services.proxy_record_failure(proxy_id=proxy.pk, outcome=CHECK_FAILED, reason=result.detail)
            level = messages.SUCCESS if result.ok else messages.ERROR
            verdict = "works" if result.ok else "failed"
            self.message_user(request, f"{proxy} {verdict}: {result.detail}", level)
