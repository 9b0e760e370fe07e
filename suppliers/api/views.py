from django.db.models import QuerySet
from rest_framework import generics
from rest_framework.exceptions import NotFound

from dropship_central.api.pagination import CursorPagination
from suppliers.api.serializers import SupplierSerializer
from suppliers.models import Supplier
from suppliers.selectors import supplier_active_by_slug, suppliers_active


class SupplierPagination(CursorPagination):
    ordering = "slug"


class SupplierListView(generics.ListAPIView):
    serializer_class = SupplierSerializer
    pagination_class = SupplierPagination
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Supplier]:
        return suppliers_active()


class SupplierDetailView(generics.RetrieveAPIView):
    serializer_class = SupplierSerializer
    lookup_field = "slug"
    queryset = Supplier.objects.none()

    def get_object(self) -> Supplier:
        supplier = supplier_active_by_slug(slug=self.kwargs["slug"])
        if supplier is None:
            raise NotFound("No such supplier.")
        return supplier
