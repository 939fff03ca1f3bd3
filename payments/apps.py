from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "payments"

    def ready(self) -> None:
        from payments import receivers
        from payments.services import previewing

        receivers.connect()
        previewing.connect()
