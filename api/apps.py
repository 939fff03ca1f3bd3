from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from api.framework import schema  # noqa: F401 - registers the OpenAPI extension
        from api.webhook_objects import webhook_renderers_register

        webhook_renderers_register()
