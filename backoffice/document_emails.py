"""Sending an invoice or a credit note by e-mail from its page, and pausing reminders.

The e-mail itself is `payments.emails.invoice_send`; this page says to whom it goes and
what is attached before the click, and what happened after it.
"""

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.flow_base import admin_actor, flow_page, get_invoice, invoice_url, require
from backoffice.flows import Outcome, run_once
from backoffice.payment_forms import ConfirmForm
from billing.mail import customer_recipients
from billing.models import SentEmail
from invoices.services.reminders import invoice_reminders_pause
from payments.emails import credit_note_send, invoice_send


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


def credit_note_send_view(model_admin, request, object_id):
    """Send a credit note with its PDF: a confirmation page, then once per form token."""
    credit_note = model_admin.get_object(request, unquote(object_id))
    if credit_note is None:
        raise Http404("No such credit note.")
    if not model_admin.has_view_permission(request, credit_note):
        raise PermissionDenied
    require(request, "invoices.issue_credit_note")
    back = reverse("admin:invoices_creditnote_change", args=[quote(credit_note.pk)])
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def send() -> Outcome:
            email = credit_note_send(
                credit_note=credit_note, actor_label=request.user.get_username()
            )
            if email.status == SentEmail.Status.FAILED:
                return Outcome(back, f"The e-mail could not be sent: {email.error}", messages.ERROR)
            return Outcome(back, f"Sent {credit_note.number} to {', '.join(email.to)}.")

        response = run_once(
            request, form, purpose=f"credit_note.send {credit_note.pk}", action=send, back_url=back
        )
        if response is not None:
            return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": credit_note,
        "credit_note": credit_note,
        "title": f"Send {credit_note.number}",
        "form": form,
        "back_url": back,
        "recipients": customer_recipients(credit_note.customer),
    }
    return TemplateResponse(request, "admin/settle/credit_note_send.html", context)


def document_emails(*, invoice_id: str = "", credit_note_id: str = ""):
    """The e-mails about a document, newest first, for its page."""
    emails = SentEmail.objects.order_by("-created_at", "-id")
    if credit_note_id:
        return emails.filter(credit_note_id=credit_note_id)[:50]
    return emails.filter(invoice_id=invoice_id)[:50]
