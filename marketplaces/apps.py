from django.apps import AppConfig


class MarketplacesConfig(AppConfig):
    name = "marketplaces"
    verbose_name = "Marketplaces"

    def ready(self) -> None:
        from dropship_central.checks import register_plugin_checks
        from marketplaces.registry import marketplace_registry

        register_plugin_checks(marketplace_registry)
