from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import django_filters
from django.db.models import DateTimeField, DecimalField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from catalog.models import Availability, PriceHistory, Product, StockHistory

# Cursor pagination cannot page across NULLs, so nullable sort keys are ordered through non-null stand-ins.
NULL_SAFE_SORT_KEYS = {
    "price": ("sort_price", Coalesce("price", Value(Decimal("-1")), output_field=DecimalField())),
    "last_scraped_at": (
        "sort_last_scraped_at",
        Coalesce("last_scraped_at", Value(datetime(1970, 1, 1, tzinfo=UTC)), output_field=DateTimeField()),
    ),
}


class ProductOrderingFilter(OrderingFilter):
    """`?ordering=price|-price|title|tracked_since|last_scraped_at`, with `-id` as the tie-breaker."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        return queryset.annotate(**self._sort_annotations(ordering)).order_by(*ordering) if ordering else queryset

    def get_ordering(self, request: Request, queryset: QuerySet, view: Any) -> list[str]:
        ordering = super().get_ordering(request, queryset, view) or []
        resolved = [self._resolve(term) for term in ordering]
        return [*resolved, "-id"] if resolved else resolved

    @staticmethod
    def _resolve(term: str) -> str:
        descending = term.startswith("-")
        name = term.lstrip("-")
        alias = NULL_SAFE_SORT_KEYS[name][0] if name in NULL_SAFE_SORT_KEYS else name
        return f"-{alias}" if descending else alias

    @staticmethod
    def _sort_annotations(ordering: list[str]) -> dict[str, Any]:
        used = {term.lstrip("-") for term in ordering}
        return {alias: expression for alias, expression in NULL_SAFE_SORT_KEYS.values() if alias in used}


class ProductFilter(django_filters.FilterSet):
    supplier = django_filters.CharFilter(field_name="supplier__slug", help_text="Supplier slug, e.g. `amazon`.")
    availability = django_filters.MultipleChoiceFilter(choices=Availability.choices)
    price_min = django_filters.NumberFilter(field_name="price", lookup_expr="gte")
    price_max = django_filters.NumberFilter(field_name="price", lookup_expr="lte")
    search = django_filters.CharFilter(method="filter_search", help_text="Words in the title, brand or external id.")

    class Meta:
        model = Product
        fields = ["supplier", "availability", "price_min", "price_max", "search"]

    def filter_search(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        for word in value.split():
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(brand__icontains=word) | Q(external_id__icontains=word)
            )
        return queryset


class HistoryFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="gte", help_text="Readings at or after this ISO 8601 time."
    )
    until = django_filters.IsoDateTimeFilter(
        field_name="recorded_at", lookup_expr="lt", help_text="Readings before this ISO 8601 time."
    )
    variant = django_filters.CharFilter(
        field_name="variant__sku", help_text="Only this variant's readings (SKU); all readings when absent."
    )


class PriceHistoryFilter(HistoryFilter):
    class Meta:
        model = PriceHistory
        fields = ["since", "until", "variant"]


class StockHistoryFilter(HistoryFilter):
    class Meta:
        model = StockHistory
        fields = ["since", "until", "variant"]
