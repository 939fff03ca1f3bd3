"""Previews: a money action run for real inside a transaction that is then rolled back.

The very same service runs, so a preview and the real call cannot disagree. The rollback
takes back every row, number (the sequence table), audit event and queued task (tasks are
queued with the transaction; anything sent on commit is discarded with it); the gateway is
not called (under `previewing()` a charge or a refund settles the answer of a gateway that
accepts it, and the call it would make is listed), and receipts are muted. The figures of the documents and
balances it touches are read after the action and again after an inner rollback, so both
sides come from the same snapshot.
"""

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_save

from billing.models import BalanceTransaction, Customer
from invoices.models import CreditNote, Invoice
from payments.models import Payment, Refund
from payments.queue import receipts_muted

INVOICE_FIGURES = ("total", "total_paid", "total_credited", "total_due", "total_reserved")
CREDIT_NOTE_FIGURES = ("total", "total_applied", "total_remaining")
CREATED_KINDS = {
    Payment: "payment",
    Refund: "refund",
    CreditNote: "credit_note",
    BalanceTransaction: "balance_transaction",
}


@dataclass
class _Rehearsal:
    created: list = field(default_factory=list)
    gateway_calls: list[str] = field(default_factory=list)


_current: ContextVar[_Rehearsal | None] = ContextVar("settle_preview", default=None)


@dataclass(frozen=True)
class Preview:
    """What the action answered, the rows it wrote and the figures it moved."""

    result: object
    created: list[tuple[str, object]]  # (kind, the row as the caller presents it)
    changes: list[dict]  # {"object", "id", "before", "after"}
    gateway_calls: list[str]  # what a real call would have sent to the gateway


def previewing() -> bool:
    """True inside a preview: whoever would call a gateway assumes its acceptance instead."""
    return _current.get() is not None


def note_gateway_call(description: str) -> None:
    """Record, in a preview, the gateway call a real run would make now."""
    rehearsal = _current.get()
    if rehearsal is not None:
        rehearsal.gateway_calls.append(description)


def _note_created(sender, instance, created, **kwargs) -> None:
    rehearsal = _current.get()
    if rehearsal is not None and created and type(instance) in CREATED_KINDS:
        rehearsal.created.append(instance)


def connect() -> None:
    post_save.connect(_note_created, dispatch_uid="preview_note_created")


def preview_run(
    action: Callable[[], object],
    *,
    named: Iterable[str] = (),
    present: Callable[[object], object] = lambda result: result,
    present_row: Callable[[str, object], object] = lambda kind, row: row,
) -> Preview:
    """Run `action` and roll it back; `named` are the ids the request names.

    `present` and `present_row` turn the result and each created row into what the caller
    shows, while they still exist. Errors raised by the action propagate unchanged (with
    nothing written), so a preview refuses exactly what the real call refuses.
    """
    rehearsal = _Rehearsal()
    token = _current.set(rehearsal)
    try:
        with transaction.atomic(), receipts_muted():
            try:
                with transaction.atomic():
                    result = present(action())
                    for row in rehearsal.created:  # as the action left it (a refund settled)
                        row.refresh_from_db()
                    created = [
                        (CREATED_KINDS[type(row)], present_row(CREATED_KINDS[type(row)], row))
                        for row in rehearsal.created
                    ]
                    affected = _affected(set(named), rehearsal.created)
                    after = figures(affected)
                    transaction.set_rollback(True)
                before = figures(affected)
            finally:
                transaction.set_rollback(True)
    finally:
        _current.reset(token)
    changes = [
        {"object": kind, "id": pk, "before": before.get((kind, pk)), "after": figure}
        for (kind, pk), figure in after.items()
    ]
    return Preview(result, created, changes, rehearsal.gateway_calls)


def _affected(named: set[str], created: list) -> set[str]:
    """The documents and customers the request names, and those its new rows link to."""
    ids = {str(pk) for pk in named if pk}
    for row in created:
        ids.add(str(row.pk))
        if isinstance(row, Refund):
            row = row.payment
            ids.add(str(row.pk))
        for name in ("invoice_id", "advance_invoice_id", "credit_note_id", "customer_id"):
            ids.add(str(getattr(row, name, "") or ""))
    for payment in Payment.objects.filter(pk__in=ids):
        ids.update(
            str(pk or "")
            for pk in (payment.invoice_id, payment.advance_invoice_id, payment.credit_note_id)
        )
    ids.discard("")
    return ids


def figures(ids: set[str]) -> dict[tuple[str, str], dict]:
    """The before/after figures of those ids that are documents or customers, in id order."""
    found = {}
    for invoice in Invoice.objects.filter(pk__in=ids):
        kind = "advance_invoice" if invoice.is_advance else "invoice"
        values = {name: getattr(invoice, name) for name in INVOICE_FIGURES}
        found[(kind, invoice.pk)] = {**values, "status": invoice.status}
    for note in CreditNote.objects.filter(pk__in=ids):
        values = {name: getattr(note, name) for name in CREDIT_NOTE_FIGURES}
        found[("credit_note", note.pk)] = {**values, "status": note.status}
    for customer in Customer.objects.filter(pk__in=ids):
        found[("customer_balance", customer.pk)] = {"balance": customer.balance}
    return dict(sorted(found.items(), key=lambda item: item[0][1]))
