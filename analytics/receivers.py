"""Analytics receivers of the listings app's signals (connected in `AnalyticsConfig.ready`)."""

from typing import Any

from django.db import connection

from analytics.rollups_portable import business_rollups_rebuild_portable


def rollups_rebuild_on_marketplace_data_changed(*, user_ids: list[int], **kwargs: Any) -> None:
    """Rebuild the users' business rollups where no trigger maintains them (any database but PostgreSQL)."""
    if connection.vendor == "postgresql" or not user_ids:
        return
    business_rollups_rebuild_portable(user_ids=user_ids)
