from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from analytics.admin_dashboard import (
    DashboardFilterForm,
    OperatorScope,
    cached_research_stats,
    dashboard_figures,
    series_chart,
    top_products_chart,
)
from analytics.models import AnalyticsCache, BusinessDataVersion, BusinessDay, ListingPeriod
from dropship_central.admin_mixins import AuditedAdmin, BigTableAdmin, ReadOnlyAdmin
from dropship_central.charts import chart_media

DASHBOARD_PERMISSION = "listings.view_marketplacedata"


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


class RollupAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Rollups are written by the trigger on `MarketplaceData` and `business_rollups_rebuild`: read-only here."""


@admin.register(BusinessDay)
class BusinessDayAdmin(RollupAdmin):
    list_display = ("user", "store_account", "date", "currency", "rule_name", "guardrail", "revenue", "profit")
    list_filter = ("currency", "guardrail")
    list_select_related = ("user", "store_account")
    search_fields = ("user__email", "rule_name")
    raw_id_fields = ("user", "store_account")
    date_hierarchy = "date"


@admin.register(ListingPeriod)
class ListingPeriodAdmin(RollupAdmin):
    list_display = ("listing", "span", "start", "currency", "revenue", "profit")
    list_filter = ("span", "currency")
    list_select_related = ("listing",)
    search_fields = ("listing__sku", "user__email")
    raw_id_fields = ("listing", "user", "store_account", "product")


@admin.register(BusinessDataVersion)
class BusinessDataVersionAdmin(RollupAdmin):
    list_display = ("user", "version", "changed_at")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)


def dashboard_view(request: HttpRequest) -> TemplateResponse:
    """Revenue, profit and top products of every customer, or of one; staff who may view marketplace data only."""
    if not request.user.has_perm(DASHBOARD_PERMISSION):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET)
    context = {
        **admin.site.each_context(request),
        "title": "Business dashboard",
        "form": form,
        "chart_media": chart_media(),
        "stats": cached_research_stats(),
    }
    if form.is_valid():
        scope = OperatorScope.from_form(form.cleaned_data)
        figures = dashboard_figures(scope=scope)
        context |= {
            "scope": scope,
            **figures,
            "series_chart": series_chart(series=figures["series"], currency=scope.currency),
            "top_products_chart": top_products_chart(products=figures["top_products"], currency=scope.currency),
        }
    return TemplateResponse(request, "admin/analytics/dashboard.html", context)
