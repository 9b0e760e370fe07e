from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from catalog.history_chart import CHART_DAYS, product_daily_history
from catalog.models import (
    Category,
    ChargedPrice,
    HistoryDay,
    HistorySeries,
    PriceHistory,
    Product,
    ProductVariant,
    Seller,
    StockHistory,
    SuspectReading,
    TrackedProduct,
)
from catalog.services import products_check_now
from dropship_central.admin_mixins import (
    RECENT_INLINE_ROWS,
    AuditedAdmin,
    BigTableAdmin,
    ReadOnlyAdmin,
    RecentRowsInline,
)
from dropship_central.admin_mixins import admin_changelist_link as changelist_link
from dropship_central.charts import CHART_SCRIPTS, CHART_STYLES, Series, chart_spec


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("__str__", "name", "supplier", "external_id", "level", "parent")
    list_filter = ("supplier", "level")
    list_select_related = ("supplier", "parent")
    search_fields = ("name", "path", "=external_id")
    raw_id_fields = ("parent",)
    readonly_fields = ("created_at",)


@admin.register(Seller)
class SellerAdmin(AuditedAdmin):
    list_display = ("name", "supplier", "external_id", "rating", "review_count", "orders_count", "registered_at")
    list_filter = ("supplier",)
    list_select_related = ("supplier",)
    search_fields = ("name", "=external_id")
    readonly_fields = ("created_at", "updated_at")


class VariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0
    fields = ("sku", "title", "currency", "price", "list_price", "availability", "stock_quantity", "is_active")
    show_change_link = True


class RecentPriceInline(RecentRowsInline):
    model = PriceHistory
    fields = ("recorded_at", "variant", "price", "list_price", "currency")
    readonly_fields = fields
    list_select_related = ("variant",)
    verbose_name_plural = f"price history (newest {RECENT_INLINE_ROWS})"


class RecentStockInline(RecentRowsInline):
    model = StockHistory
    fields = ("recorded_at", "variant", "availability", "stock_quantity")
    readonly_fields = fields
    list_select_related = ("variant",)
    verbose_name_plural = f"stock history (newest {RECENT_INLINE_ROWS})"


class SuspectInline(RecentRowsInline):
    model = SuspectReading
    fields = ("created_at", "status", "reasons", "proxy", "recheck_proxy", "detail")
    readonly_fields = fields
    verbose_name_plural = "suspect readings (held by the data-quality guard)"


@admin.register(Product)
class ProductAdmin(BigTableAdmin):
    list_display = (
        "external_id",
        "short_title",
        "supplier",
        "brand",
        "price",
        "currency",
        "availability",
        "stock_quantity",
        "is_gone",
        "last_scraped_at",
        "next_check_at",
    )
    list_filter = ("supplier", "availability", "is_gone")
    list_select_related = ("supplier",)
    search_fields = ("=external_id", "title", "brand")
    date_hierarchy = "created_at"
    raw_id_fields = ("category", "seller")
    readonly_fields = (
        "history_links",
        "history_chart",
        "last_scraped_at",
        "last_changed_at",
        "is_listed",
        "scrape_failures",
        "last_error",
        "created_at",
        "updated_at",
    )
    inlines = (VariantInline, RecentPriceInline, RecentStockInline, SuspectInline)
    actions = ("check_now",)

    class Media:
        js = CHART_SCRIPTS
        css = {"all": CHART_STYLES}

    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("supplier", "external_id", "parent_external_id"),
                    "title",
                    "brand",
                    "url",
                    ("category", "seller"),
                    "history_links",
                )
            },
        ),
        ("Price and stock", {"fields": (("price", "list_price", "currency"), ("availability", "stock_quantity"))}),
        (f"Price and stock, last {CHART_DAYS} days", {"fields": ("history_chart",)}),
        ("Reviews", {"fields": (("rating", "review_count", "orders_count"),)}),
        (
            "Content",
            {
                "classes": ("collapse",),
                "fields": ("description", "images", "bullets", "variations", "category_path", "attributes"),
            },
        ),
        (
            "Scraping",
            {
                "fields": (
                    ("is_gone", "is_listed", "scrape_failures"),
                    ("last_scraped_at", "last_changed_at"),
                    ("next_check_at", "check_interval_seconds"),
                    "last_error",
                    ("created_at", "updated_at"),
                )
            },
        ),
    )

    @admin.action(description="Check now (a tracking pass in the background)")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        jobs = products_check_now(product_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(request, f"{len(jobs)} tracking job(s) queued.", messages.SUCCESS)

    @admin.display(description="title", ordering="title")
    def short_title(self, obj: Product) -> str:
        return obj.title[:80]

    @admin.display(description="full history")
    def history_links(self, obj: Product) -> str:
        if obj.pk is None:
            return "—"
        links = [
            changelist_link(PriceHistory, "price history", product__id__exact=obj.pk),
            changelist_link(StockHistory, "stock history", product__id__exact=obj.pk),
        ]
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.display(description="daily chart")
    def history_chart(self, obj: Product) -> SafeString | str:
        if obj.pk is None:
            return "—"
        history = product_daily_history(product=obj)
        price, stock = history["price"], history["stock"]
        spec = chart_spec(
            kind="line",
            labels=[point.day for point in price],
            series=[
                Series(label="Price low", data=[point.low for point in price]),
                Series(label="Price high", data=[point.high for point in price], fill_to_previous=True),
                Series(label="Price at day end", data=[point.close for point in price]),
                Series(label="Stock at day end", data=[point.close for point in stock], axis="y2", stepped=True),
            ],
            y_title=f"price ({obj.currency})" if obj.currency else "price",
            y2_title="units in stock",
            title=obj.title,
        )
        label = f"Price and stock of the last {CHART_DAYS} days, per day"
        return render_to_string(
            "catalog/admin/history_chart.html", {"spec": spec, "chart_id": "product-history-chart", "label": label}
        )


@admin.register(ProductVariant)
class ProductVariantAdmin(BigTableAdmin):
    list_display = ("sku", "product", "title", "price", "currency", "availability", "stock_quantity", "is_active")
    list_filter = ("availability", "is_active")
    list_select_related = ("product",)
    search_fields = ("=sku", "title", "=product__external_id")
    raw_id_fields = ("product",)
    readonly_fields = ("created_at", "updated_at")


class HistoryAdmin(ReadOnlyAdmin, BigTableAdmin):
    list_select_related = ("product", "variant")
    search_fields = ("=product__external_id", "=variant__sku")
    date_hierarchy = "recorded_at"
    raw_id_fields = ("product", "variant")


@admin.register(PriceHistory)
class PriceHistoryAdmin(HistoryAdmin):
    list_display = ("recorded_at", "product", "variant", "price", "list_price", "currency")


@admin.register(StockHistory)
class StockHistoryAdmin(HistoryAdmin):
    list_display = ("recorded_at", "product", "variant", "availability", "stock_quantity")
    list_filter = ("availability",)


@admin.register(HistoryDay)
class HistoryDayAdmin(ReadOnlyAdmin, BigTableAdmin):
    """The daily rollup kept as readings land (`catalog.rollups`): read-only."""

    list_display = ("day", "product", "variant_key", "currency", "price_min", "price_max", "price_close", "stock_last")
    list_select_related = ("product",)
    search_fields = ("=product__external_id",)
    date_hierarchy = "day"
    raw_id_fields = ("product", "variant")


@admin.register(HistorySeries)
class HistorySeriesAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Where each product or SKU series stands after its newest reading (`catalog.rollups`): read-only."""

    list_display = ("product", "variant_key", "price", "price_at", "stock", "stock_at", "cum_units")
    list_select_related = ("product",)
    search_fields = ("=product__external_id",)
    raw_id_fields = ("product", "variant")


@admin.register(ChargedPrice)
class ChargedPriceAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Every distinct price a product was read at (the "was price ever charged" check): read-only."""

    list_display = ("product", "variant_key", "price")
    list_select_related = ("product",)
    search_fields = ("=product__external_id",)
    raw_id_fields = ("product",)


@admin.register(TrackedProduct)
class TrackedProductAdmin(AuditedAdmin):
    list_display = ("user", "product", "label", "created_at")
    list_select_related = ("user", "product")
    search_fields = ("user__email", "=product__external_id", "label")
    raw_id_fields = ("user", "product")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at",)


@admin.register(SuspectReading)
class SuspectReadingAdmin(ReadOnlyAdmin, BigTableAdmin):
    """Readings the data-quality guard held back, and how each was decided."""

    list_display = ("created_at", "product", "status", "reasons", "proxy", "recheck_proxy", "detail", "resolved_at")
    list_filter = ("status",)
    list_select_related = ("product",)
    search_fields = ("=product__external_id",)
    date_hierarchy = "created_at"
    raw_id_fields = ("product",)
