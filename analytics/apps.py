from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from analytics.receivers import rollups_rebuild_on_marketplace_data_changed
        from listings.signals import marketplace_data_changed

        marketplace_data_changed.connect(
            rollups_rebuild_on_marketplace_data_changed, dispatch_uid="analytics.rollups_rebuild_on_data_changed"
        )
