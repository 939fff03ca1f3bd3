from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing.api import schema  # noqa: F401 - registers the OpenAPI extension
