"""`/api/v1/`: each app mounts its own routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("dropship_central.api.core_urls")),
    path("", include("accounts.api.urls")),
    path("", include("suppliers.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("marketplaces.api.urls")),
    path("", include("listings.api.urls")),
    path("", include("alerts.api.urls")),
]
