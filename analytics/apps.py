from django.apps import AppConfig
from django.db.models.signals import post_save


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from analytics import receivers
        from dropship_central.models import AuditLog
        from listings.models import PriceDecision, PricingRule
        from listings.signals import marketplace_data_changed

        marketplace_data_changed.connect(
            receivers.rollups_rebuild_on_marketplace_data_changed,
            dispatch_uid="analytics.rollups_rebuild_on_data_changed",
        )
        post_save.connect(
            receivers.cache_invalidate_on_price_decision, sender=PriceDecision, dispatch_uid="analytics.cache_decision"
        )
        post_save.connect(
            receivers.cache_invalidate_on_listing_audit, sender=AuditLog, dispatch_uid="analytics.cache_audit"
        )
        post_save.connect(
            receivers.cache_invalidate_on_pricing_rule, sender=PricingRule, dispatch_uid="analytics.cache_rule"
        )
