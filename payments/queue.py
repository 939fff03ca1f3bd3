"""Queueing background work from the domain, by the task's name.

The tasks (`payments.tasks`) act through the services, and the services queue tasks. A
service names the task it queues (its dotted path, resolved when it is queued) instead of
importing it, so the imports run one way: tasks → services → this module.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.tasks import Task
from django.tasks.backends.immediate import ImmediateBackend
from django.utils.module_loading import import_string
from django_tasks_db import DatabaseBackend

# The tasks the domain queues, all defined in payments.tasks.
RECONCILE_PAYMENT = "payments.tasks.reconcile_payment"
RECONCILE_REFUND = "payments.tasks.reconcile_refund"
RUN_CHARGE_RETRY = "payments.tasks.run_charge_retry"
CANCEL_UNNEEDED_CHARGE = "payments.tasks.cancel_unneeded_charge"
SEND_PAYMENT_RECEIPT = "payments.tasks.send_payment_receipt"
SEND_AUTHENTICATION_REQUEST = "payments.tasks.send_authentication_request"
SEND_REFUND_NOTICE = "payments.tasks.send_refund_notice"
SEND_INVOICE = "payments.tasks.send_invoice"
STORE_DOCUMENT_PDF = "payments.tasks.store_document_pdf"


def _task(task_: Task | str) -> Task:
    return import_string(task_) if isinstance(task_, str) else task_


def enqueue_with_transaction(task_: Task | str, *args) -> None:
    """Queue `task_` so that it runs only if the caller's transaction commits.

    A database-backed queue takes the task row inside that transaction (an outbox:
    the task commits with the payment, with no commit of its own and no window in
    which a crash loses it); any other backend is called once the transaction commits.
    """
    task_ = _task(task_)
    if isinstance(task_.get_backend(), DatabaseBackend):
        task_.enqueue(*args)
    else:
        transaction.on_commit(lambda: task_.enqueue(*args))


def enqueue_after(task_: Task | str, when, *args):
    """Queue `task_` to run at `when` (Django tasks' `run_after`): the worker has no cron.

    A backend that cannot defer (the immediate one, in tests) gets nothing: the
    management commands sweep whatever is due.
    """
    task_ = _task(task_)
    if not task_.get_backend().supports_defer:
        return None
    return task_.using(run_after=when).enqueue(*args)


_receipts_muted: ContextVar[bool] = ContextVar("settle_receipts_muted", default=False)


@contextmanager
def receipts_muted():
    """Payments and refunds recorded inside send no e-mail (demo data: nobody is to be
    e-mailed)."""
    token = _receipts_muted.set(True)
    try:
        yield
    finally:
        _receipts_muted.reset(token)


def receipt_enqueue(payment_id: str) -> None:
    """Queue the receipt of a payment received, with the caller's transaction."""
    if not _receipts_muted.get():
        enqueue_with_transaction(SEND_PAYMENT_RECEIPT, payment_id)


def refund_notice_enqueue(refund_id: str) -> None:
    """Queue the e-mail of a refund that succeeded, with the caller's transaction."""
    if not _receipts_muted.get():
        enqueue_with_transaction(SEND_REFUND_NOTICE, refund_id)


def invoice_send_enqueue(invoice_id: str) -> None:
    """Queue the e-mail of an invoice issued with "send on issue", with the issue."""
    enqueue_with_transaction(SEND_INVOICE, invoice_id)


def document_pdf_enqueue(document_id: str) -> None:
    """Queue the render of an issued document's PDF, with the caller's transaction.

    Only for a backend whose worker runs it: the immediate one would render it inside the
    issuing request (seconds for a long invoice); there the first download renders it.
    """
    task_ = _task(STORE_DOCUMENT_PDF)
    if not isinstance(task_.get_backend(), ImmediateBackend):
        enqueue_with_transaction(task_, document_id)
