from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dropship_central"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from dropship_central import checks  # noqa: F401  (registers system checks)
