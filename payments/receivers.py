"""Signals as triggers: a saved or deleted payment or refund recomputes what it touches.

Receivers hold no logic: they call the single, idempotent recompute in
`payments.services.totals`. Saves that touch only descriptive fields skip it.
"""

from django.db.models.signals import post_delete, post_save

from payments.models import Payment, Refund
from payments.services.totals import payment_documents_recompute, payment_refunds_recompute

# Fields whose change cannot move any total.
DESCRIPTIVE_PAYMENT_FIELDS = frozenset(
    {
        "reference",
        "note",
        "metadata",
        "date",
        "type",
        "failure_code",
        "failure_message",
        "next_action_url",
        "disputed",
        "updated_at",
        "gateway_reference",
    }
)
DESCRIPTIVE_REFUND_FIELDS = frozenset({"failure_message", "updated_at", "gateway_reference"})


def _only_descriptive(update_fields, descriptive) -> bool:
    return update_fields is not None and set(update_fields) <= descriptive


def on_payment_changed(sender, instance: Payment, update_fields=None, **kwargs) -> None:
    if _only_descriptive(update_fields, DESCRIPTIVE_PAYMENT_FIELDS):
        return
    payment_documents_recompute(instance)


def on_refund_changed(sender, instance: Refund, update_fields=None, **kwargs) -> None:
    if _only_descriptive(update_fields, DESCRIPTIVE_REFUND_FIELDS):
        return
    payment_refunds_recompute(instance.payment_id)


def connect() -> None:
    post_save.connect(on_payment_changed, sender=Payment, dispatch_uid="payment_saved_recompute")
    post_delete.connect(
        on_payment_changed, sender=Payment, dispatch_uid="payment_deleted_recompute"
    )
    post_save.connect(on_refund_changed, sender=Refund, dispatch_uid="refund_saved_recompute")
    post_delete.connect(on_refund_changed, sender=Refund, dispatch_uid="refund_deleted_recompute")
