from django.urls import path

from suppliers.api.views import SupplierDetailView, SupplierListView

urlpatterns = [
    path("suppliers", SupplierListView.as_view(), name="supplier-list"),
    path("suppliers/<slug:slug>", SupplierDetailView.as_view(), name="supplier-detail"),
]
