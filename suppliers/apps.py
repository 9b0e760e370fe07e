from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "suppliers"
    verbose_name = "Suppliers"

    def ready(self) -> None:
        from dropship_central.checks import register_plugin_checks
        from suppliers.registry import scraper_registry

        register_plugin_checks(scraper_registry)
