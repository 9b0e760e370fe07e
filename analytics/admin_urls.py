"""The operators' dashboard, mounted at `admin/analytics/` in the root URLconf before the admin's own URLs."""

from django.contrib import admin
from django.urls import path

from analytics.admin import dashboard_view

urlpatterns = [path("dashboard/", admin.site.admin_view(dashboard_view), name="admin-analytics-dashboard")]
