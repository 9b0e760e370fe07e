"""Analytics receivers of the listings app's signals and of model saves (connected in `AnalyticsConfig.ready`)."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection

from analytics.cache import business_data_version_bump, business_data_version_bump_for_listing
from analytics.earnings import POLICY_FIELDS
from analytics.rollups_portable import business_rollups_rebuild_portable
from dropship_central.models import AuditLog
from listings.models import Listing, PriceDecision, PricingRule

AUDITED_POLICY_FIELDS = frozenset(field for _kind, field, _reason, _protected in POLICY_FIELDS)


def rollups_rebuild_on_marketplace_data_changed(*, user_ids: list[int], **kwargs: Any) -> None:
    """Rebuild the users' business rollups where no trigger maintains them (any database but PostgreSQL)."""
    if connection.vendor == "postgresql" or not user_ids:
        return
    business_rollups_rebuild_portable(user_ids=user_ids)


def cache_invalidate_on_price_decision(*, instance: PriceDecision, created: bool, **kwargs: Any) -> None:
    """A decision that sets a price decides which rule earns a day and what a protected sale would have lost."""
    if created and instance.outcome != PriceDecision.Outcome.REFUSED:
        business_data_version_bump_for_listing(listing_id=instance.listing_id)


def cache_invalidate_on_listing_audit(*, instance: AuditLog, created: bool, **kwargs: Any) -> None:
    """The listings' audited pauses and zeroed quantities are the policies' protected time."""
    if not created or instance.content_type_id != ContentType.objects.get_for_model(Listing).pk:
        return
    if AUDITED_POLICY_FIELDS.intersection(instance.changes or {}):
        business_data_version_bump_for_listing(listing_id=int(instance.object_id))


def cache_invalidate_on_pricing_rule(*, instance: PricingRule, created: bool, **kwargs: Any) -> None:
    """The rules' earnings show each rule's current name."""
    if not created:
        business_data_version_bump(user_id=instance.user_id)
