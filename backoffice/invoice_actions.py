"""Invoice actions from its page: issue, void, write off, move an overpayment to the balance."""

from django.contrib import messages
from django.shortcuts import redirect

from backoffice.display import money, short_date
from backoffice.flow_base import (
    admin_actor,
    flow_page,
    get_invoice,
    invoice_url,
    require,
)
from backoffice.flows import Outcome
from backoffice.payment_forms import IssueForm, MoveExcessForm, ReasonForm
from billing.mail import customer_recipients
from invoices.models import InvoiceStatus
from invoices.services import invoice_write_off
from invoices.services.issuing import invoice_due_date, invoice_terms_days
from payments.queue import invoice_send_enqueue
from payments.services import invoice_issue, invoice_void, overpayment_move_to_balance


def invoice_issue_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require(request, "invoices.issue_invoice")
    back = invoice_url(model_admin, invoice)
    recipients = customer_recipients(invoice.customer)
    form = IssueForm(
        request.POST or None,
        initial={"due_date": invoice_due_date(invoice), "send_email": bool(recipients)},
    )

    def issue() -> Outcome:
        issued = invoice_issue(
            invoice=invoice,
            actor=admin_actor(request),
            apply_balance=form.cleaned_data["apply_balance"],
            due_date=form.cleaned_data["due_date"],
        )
        applied = issued.total_paid
        note = (
            f" Applied {money(applied, issued.currency)} of the customer's money balance."
            if applied > 0
            else ""
        )
        if form.cleaned_data["send_email"] and recipients:
            invoice_send_enqueue(issued.pk)
            note += f" It is being e-mailed to {', '.join(recipients)}."
        return Outcome(
            back,
            f"Issued invoice {issued.number} for {money(issued.total, issued.currency)}, "
            f"due {short_date(issued.due_date)}." + note,
        )

    customer = invoice.customer
    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.issue {invoice.pk}",
        action=issue,
        back_url=back,
        template="admin/settle/invoice_issue.html",
        title=f"Issue invoice · {customer.name}",
        customer=customer,
        balance_usable=customer.balance > 0 and customer.currency == invoice.currency,
        terms_days=None if invoice.due_date else invoice_terms_days(invoice),
        recipients=recipients,
    )


def _reason_action(model_admin, request, object_id, *, permission, service, verb, title, template):
    invoice = get_invoice(model_admin, request, object_id)
    require(request, permission)
    back = invoice_url(model_admin, invoice)
    form = ReasonForm(request.POST or None)

    def act() -> Outcome:
        service(invoice=invoice, actor=admin_actor(request), reason=form.cleaned_data["reason"])
        return Outcome(back, f"Invoice {invoice} was {verb}.")

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.{verb} {invoice.pk}",
        action=act,
        back_url=back,
        template=template,
        title=f"{title} · {invoice}",
        is_open=invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID),
    )


def invoice_void_view(model_admin, request, object_id):
    return _reason_action(
        model_admin,
        request,
        object_id,
        permission="invoices.void_invoice",
        service=invoice_void,
        verb="voided",
        title="Void invoice",
        template="admin/settle/invoice_void.html",
    )


def invoice_write_off_view(model_admin, request, object_id):
    return _reason_action(
        model_admin,
        request,
        object_id,
        permission="invoices.write_off_invoice",
        service=invoice_write_off,
        verb="written off",
        title="Write off invoice",
        template="admin/settle/invoice_write_off.html",
    )


def move_excess_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require(request, "payments.refund_payment")
    back = invoice_url(model_admin, invoice)
    if request.method == "GET" and invoice.overpaid_amount <= 0:
        messages.info(request, "This invoice is not overpaid: there is no excess to move.")
        return redirect(back)
    form = MoveExcessForm(request.POST or None, initial={"amount": invoice.overpaid_amount or None})

    def move() -> Outcome:
        overpayment_move_to_balance(
            invoice=invoice, actor=admin_actor(request), amount=form.cleaned_data["amount"]
        )
        invoice.customer.refresh_from_db()
        customer = invoice.customer
        return Outcome(
            back,
            f"Moved {money(form.cleaned_data['amount'], invoice.currency)} to "
            f"{customer.name}'s money balance (now {money(customer.balance, customer.currency)}).",
        )

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.move_excess {invoice.pk}",
        action=move,
        back_url=back,
        template="admin/settle/move_excess.html",
        title=f"Move excess to money balance · {invoice}",
        preview_of=[invoice.pk, invoice.customer_id],
    )
