from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/rq/", include("django_rq.urls")),
    path("admin/analytics/", include("analytics.admin_urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/analytics/", include("analytics.api.urls")),
    path("api/v1/", include("dropship_central.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", include("django_prometheus.urls")),
]

handler404 = "dropship_central.api.exceptions.page_not_found"
handler500 = "dropship_central.api.exceptions.server_error"
