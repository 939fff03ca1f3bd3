"""Sending an invoice by e-mail from its page, and pausing its reminders.

The e-mail itself is `payments.emails.invoice_send`; this page says to whom it goes and
what is attached before the click, and what happened after it.
"""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect

from backoffice.flow_base import admin_actor, flow_page, get_invoice, invoice_url, require
from backoffice.flows import Outcome
from backoffice.payment_forms import ConfirmForm
from billing.mail import customer_recipients
from billing.models import SentEmail
from invoices.services.reminders import invoice_reminders_pause
from payments.emails import invoice_send


def invoice_send_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require(request, "invoices.issue_invoice")
    back = invoice_url(model_admin, invoice, "emails")
    form = ConfirmForm(request.POST or None)

    def send() -> Outcome:
        email = invoice_send(invoice=invoice, actor_label=request.user.get_username())
        if email.status == SentEmail.Status.FAILED:
            return Outcome(
                back,
                f"The e-mail to {', '.join(email.to)} could not be sent: {email.error}",
                messages.ERROR,
            )
        return Outcome(back, f"Sent {invoice.number} to {', '.join(email.to)}.")

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.send {invoice.pk}",
        action=send,
        back_url=back,
        template="admin/settle/invoice_send.html",
        title=f"Send {invoice.number or 'invoice'} · {invoice.customer.name}",
        recipients=customer_recipients(invoice.customer),
        sent_before=SentEmail.objects.filter(invoice_id=invoice.pk, kind=SentEmail.Kind.INVOICE)
        .order_by("-created_at")
        .first(),
    )


def invoice_reminders_view(model_admin, request, object_id):
    """Pause (`paused=1`) or resume (`paused=0`) the invoice's overdue reminders."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    invoice = get_invoice(model_admin, request, object_id)
    require(request, "invoices.issue_invoice")
    paused = request.POST.get("paused") == "1"
    invoice_reminders_pause(invoice=invoice, paused=paused, actor=admin_actor(request))
    messages.success(
        request, "Reminders paused for this invoice." if paused else "Reminders resumed."
    )
    return redirect(invoice_url(model_admin, invoice, "emails"))
