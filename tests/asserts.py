"""Assertions shared by the money tests.

`refused(ErrorClass, code)` is the failure path of every rule: the service
raises that exact error with that code, and nothing in the database moved —
no new payment, refund, ledger, audit, credit note or number, and every
document total, status and customer balance reads as before.
"""

from contextlib import contextmanager

import pytest

from billing.models import AuditEvent, BalanceTransaction, Customer, DocumentSequence
from invoices.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
from payments.models import Payment, Refund
from payments.services.drift import find_drift

INVOICE_FIELDS = (
    "status",
    "number",
    "total",
    "total_paid",
    "total_credited",
    "total_due",
    "total_applied",
    "paid_in_full",
    "written_off_at",
    "voided_at",
)
CREDIT_NOTE_FIELDS = ("status", "total", "total_applied", "total_remaining")
PAYMENT_FIELDS = (
    "amount",
    "amount_refunded",
    "type",
    "status",
    "date",
    "reference",
    "note",
    "metadata",
    "is_deleted",
    "gateway_reference",
)
REFUND_FIELDS = ("amount", "status", "destination")


def _rows(model, fields) -> dict:
    return {
        row[0]: row[1:] for row in model._base_manager.order_by("pk").values_list("pk", *fields)
    }


def money_snapshot() -> dict:
    """Every money figure in the (small) test database, and how many rows each table holds."""
    return {
        "counts": {
            model.__name__: model._base_manager.count()
            for model in (
                Payment,
                Refund,
                BalanceTransaction,
                AuditEvent,
                CreditNote,
                CreditNoteLine,
                Invoice,
                InvoiceLine,
            )
        },
        "invoices": _rows(Invoice, INVOICE_FIELDS),
        "credit_notes": _rows(CreditNote, CREDIT_NOTE_FIELDS),
        "customers": _rows(Customer, ("balance",)),
        "payments": _rows(Payment, PAYMENT_FIELDS),
        "refunds": _rows(Refund, REFUND_FIELDS),
        "sequences": _rows(DocumentSequence, ("series", "next_value")),
    }


def assert_same_snapshot(before: dict, after: dict) -> None:
    for section in before:
        assert after[section] == before[section], f"{section} changed"


@contextmanager
def unchanged():
    """Assert that the block leaves every money row and total exactly as it found them."""
    before = money_snapshot()
    yield
    assert_same_snapshot(before, money_snapshot())


@contextmanager
def refused(error_class, code: str, param: str | None = None):
    """The block raises `error_class` with `code` (and `param` when given) and changes nothing."""
    before = money_snapshot()
    with pytest.raises(error_class) as info:
        yield info
    assert type(info.value) is error_class, f"{type(info.value).__name__} is not {error_class}"
    assert info.value.code == code, f"code {info.value.code!r}, expected {code!r}"
    if param is not None:
        assert info.value.param == param, f"param {info.value.param!r}, expected {param!r}"
    assert_same_snapshot(before, money_snapshot())


def assert_no_drift() -> None:
    """Every cached total equals its recomputation from rows."""
    drifts = find_drift()
    assert drifts == [], "\n".join(str(drift) for drift in drifts)


def everything_snapshot() -> dict:
    """The money snapshot plus what a change would leave elsewhere: claimed keys, queued
    tasks, bank lines, mail and the sandbox's calls (counted by `gateway_calls`)."""
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from banking.models import BankStatementLine
    from billing.models import Submission

    snapshot = money_snapshot()
    snapshot["other"] = {
        "submissions": Submission.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "bank_lines": _rows(BankStatementLine, ("status",)),
        "mail": len(mail.outbox),
    }
    return snapshot


@contextmanager
def nothing_changes(gateway_calls: list | None = None):
    """`unchanged()` and more: no key claimed, no task, no e-mail, no gateway call."""
    before = everything_snapshot()
    calls = len(gateway_calls) if gateway_calls is not None else 0
    yield
    assert_same_snapshot(before, everything_snapshot())
    if gateway_calls is not None:
        assert len(gateway_calls) == calls, f"gateway called: {gateway_calls[calls:]}"
