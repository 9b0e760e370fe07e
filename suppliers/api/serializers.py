from rest_framework import serializers

from suppliers.models import Supplier


class SupplierSerializer(serializers.ModelSerializer):
    """Public supplier fields only: never proxies or the scraper config."""

    class Meta:
        model = Supplier
        fields = ["slug", "name", "requests_per_minute", "concurrency", "freshness_seconds"]
        read_only_fields = fields
