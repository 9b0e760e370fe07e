from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from alerts.receivers import (
            alert_on_price_held,
            evaluate_low_margin_on_listings_repriced,
            evaluate_policies_on_product_changed,
        )
        from catalog.signals import product_changed
        from listings.signals import listings_repriced, price_held

        product_changed.connect(evaluate_policies_on_product_changed, dispatch_uid="alerts.evaluate_policies")
        listings_repriced.connect(evaluate_low_margin_on_listings_repriced, dispatch_uid="alerts.low_margin_repriced")
        price_held.connect(alert_on_price_held, dispatch_uid="alerts.price_held")
