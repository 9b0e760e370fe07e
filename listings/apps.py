from django.apps import AppConfig


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = "Listings"

    def ready(self) -> None:
        from catalog.signals import product_changed
        from listings.receivers import reprice_on_product_changed

        product_changed.connect(reprice_on_product_changed, dispatch_uid="listings.reprice_on_product_changed")
