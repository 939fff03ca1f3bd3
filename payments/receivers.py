"""Signals as triggers: the domain signals of money moving recompute what moved.

Receivers hold no logic: they hand the rows the sender holds locked to the single,
idempotent recompute in `payments.services.totals`; a refund that went through also
queues its e-mail to the customer.
"""

from payments.queue import refund_notice_enqueue
from payments.services.totals import payment_documents_recompute, payment_refunds_recompute
from payments.signals import payment_money_changed, payment_refunded


def on_payment_money_changed(sender, payment, documents, **kwargs) -> None:
    payment_documents_recompute(payment, documents)


def on_payment_refunded(sender, refund, payment, documents, **kwargs) -> None:
    payment_refunds_recompute(payment, documents)
    refund_notice_enqueue(refund.pk)


def connect() -> None:
    payment_money_changed.connect(
        on_payment_money_changed, dispatch_uid="payment_money_changed_recompute"
    )
    payment_refunded.connect(on_payment_refunded, dispatch_uid="payment_refunded_recompute")
