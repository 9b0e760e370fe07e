from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and API keys"

    def ready(self) -> None:
        from accounts import schema, signals  # noqa: F401  (registers receivers and the OpenAPI extension)
