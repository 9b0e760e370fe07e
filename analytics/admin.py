from django.contrib import admin
from django.http import HttpRequest

from analytics.models import AnalyticsCache
from dropship_central.admin_mixins import AuditedAdmin


@admin.register(AnalyticsCache)
class AnalyticsCacheAdmin(AuditedAdmin):
    """Cached results are computed by the analytics services; the console only inspects and drops them."""

    list_display = ("key", "kind", "scope", "user", "computed_at", "expires_at")
    list_filter = ("kind",)
    list_select_related = ("user",)
    search_fields = ("key", "scope", "kind", "user__email")
    date_hierarchy = "computed_at"
    raw_id_fields = ("user",)
    readonly_fields = ("key", "user", "scope", "kind", "params", "data", "computed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
