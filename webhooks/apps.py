from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from billing.events import event_sink_register
        from webhooks.outbox import event_from_audit, event_write

        event_sink_register(on_event=event_write, on_audit=event_from_audit)
