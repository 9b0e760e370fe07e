import django_filters
from django.db.models import Q, QuerySet

from listings.models import Listing


class ListingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Listing.Status.choices)
    store_account = django_filters.NumberFilter(field_name="store_account_id")
    product = django_filters.NumberFilter(field_name="product_id")
    search = django_filters.CharFilter(method="filter_search", label="Search SKU and title")

    class Meta:
        model = Listing
        fields = ["status", "store_account", "product", "search"]

    def filter_search(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        return queryset.filter(Q(sku__icontains=value) | Q(title__icontains=value))
