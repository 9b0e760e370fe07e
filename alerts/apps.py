from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from alerts.receivers import evaluate_policies_on_product_changed
        from catalog.signals import product_changed

        product_changed.connect(evaluate_policies_on_product_changed, dispatch_uid="alerts.evaluate_policies")
