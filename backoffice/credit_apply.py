"""Apply to an invoice: a credit note's open credit, or an advance's unapplied payments,
onto an open invoice of the same customer (`payment_record` of type `credit_note` or
`advance`, once per form token).

One flow with two sources. It opens from the source's page (the credit note's page, the
advance's header) or from the invoice page's "Credit to apply" section, which preselects
that invoice and returns there.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.display import money, short_date
from backoffice.flow_base import admin_actor, get_invoice, require
from backoffice.flows import OneTimeForm, Outcome, run_once
from backoffice.payment_forms import amount_field, positive
from invoices.models import CreditNote, CreditNoteStatus, Invoice, InvoiceStatus
from payments.models import PaymentType
from payments.selectors import open_credit_documents, open_invoices
from payments.services import payment_record
from payments.services.documents import advance_unreserved

PERMISSION = "payments.record_payment"
APPLY_PARAMS = {"invoice_id": "invoice", "credit_note_id": None, "advance_invoice_id": None}


@dataclass(frozen=True)
class CreditSource:
    """What is applied: a credit note or an advance invoice, and how much of it is open."""

    document: object
    kind: str  # PaymentType.CREDIT_NOTE or PaymentType.ADVANCE
    available: object  # Decimal, major units of the document's currency
    url: str  # the source's own page
    apply_url: str  # this flow, from the source

    @property
    def is_credit_note(self) -> bool:
        return self.kind == PaymentType.CREDIT_NOTE

    @property
    def label(self) -> str:
        noun = "credit note" if self.is_credit_note else "advance invoice"
        return f"{noun} {self.document.number}"

    @property
    def reference(self) -> dict:
        field = "credit_note_id" if self.is_credit_note else "advance_invoice_id"
        return {field: self.document.pk}


def _urls(model: str, pk: str) -> tuple[str, str]:
    args = [quote(pk)]
    return (
        reverse(f"admin:invoices_{model}_change", args=args),
        reverse(f"admin:invoices_{model}_apply", args=args),
    )


def credit_note_source(credit_note: CreditNote) -> CreditSource:
    open_ = credit_note.status == CreditNoteStatus.ISSUED
    available = credit_note.total_remaining if open_ else 0
    return CreditSource(
        credit_note, PaymentType.CREDIT_NOTE, available, *_urls("creditnote", credit_note.pk)
    )


def advance_source(advance: Invoice) -> CreditSource:
    return CreditSource(
        advance,
        PaymentType.ADVANCE,
        advance_unreserved(advance),
        *_urls("advanceinvoice", advance.pk),
    )


def open_credit_for(invoice: Invoice) -> list[CreditSource]:
    """What could be applied to `invoice`: the customer's open credit notes and advances."""
    if invoice.is_advance or invoice.status not in (
        InvoiceStatus.ISSUED,
        InvoiceStatus.PARTIALLY_PAID,
    ):
        return []
    if invoice.total_payable <= 0:
        return []
    notes, advances = open_credit_documents(invoice)
    sources = [credit_note_source(note) for note in notes]
    sources += [advance_source(advance) for advance in advances]
    return [source for source in sources if source.available > 0]


def invoice_choice_label(invoice: Invoice) -> str:
    due = f"{money(invoice.total_payable, invoice.currency)} due"
    when = f" by {short_date(invoice.due_date)}" if invoice.due_date else ""
    return f"{invoice.number} · {due}{when} · total {money(invoice.total, invoice.currency)}"


class ApplyCreditForm(OneTimeForm):
    """The invoice to apply to and how much. Any invoice id is taken: the service decides
    (another customer's, a paid one or too much is refused and shown on the form)."""

    invoice = forms.CharField(label="Invoice", max_length=64, widget=forms.RadioSelect)
    amount = amount_field(help_text="At most what remains and what the invoice has due.")

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].widget.choices = [
            (invoice.pk, invoice_choice_label(invoice)) for invoice in invoices
        ]

    def clean_amount(self):
        return positive(self.cleaned_data["amount"])


def apply_flow(model_admin, request, source: CreditSource, title_noun: str):
    """The flow itself, the same for both sources."""
    require(request, PERMISSION)
    document = source.document
    invoices = list(open_invoices(document))
    chosen = next((inv for inv in invoices if inv.pk == request.GET.get("invoice")), None)
    back = (
        reverse("admin:invoices_invoice_change", args=[quote(chosen.pk)]) if chosen else source.url
    )
    if request.method == "GET" and (source.available <= 0 or not invoices):
        reason = (
            f"The {source.label} has nothing left to apply."
            if source.available <= 0
            else f"{document.customer.name} has no open invoice in {document.currency} "
            "with an amount due."
        )
        messages.info(request, reason)
        return redirect(back)
    target = chosen or (invoices[0] if len(invoices) == 1 else None)
    initial = {}
    if target is not None:
        initial = {"invoice": target.pk, "amount": min(source.available, target.total_payable)}
    form = ApplyCreditForm(request.POST or None, initial=initial, invoices=invoices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def apply() -> Outcome:
            payment = payment_record(
                entity=document.entity,
                actor=admin_actor(request),
                amount=data["amount"],
                type=source.kind,
                invoice_id=data["invoice"],
                **source.reference,
            )
            invoice = payment.invoice  # as the service left them
            rest = (
                payment.credit_note.total_remaining
                if source.is_credit_note
                else payment.advance_invoice.available_to_apply
            )
            return Outcome(
                back,
                f"Applied {money(payment.amount, payment.currency)} of {source.label} to "
                f"invoice {invoice.number}. Amount due is now "
                f"{money(invoice.total_due, invoice.currency)}; "
                f"{money(rest, payment.currency)} left to apply.",
            )

        response = run_once(
            request,
            form,
            purpose=f"credit.apply {document.pk}",
            action=apply,
            back_url=back,
            params=APPLY_PARAMS,
        )
        if response is not None:
            return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": document,
        "title": f"Apply {title_noun} {document.number} to an invoice",
        "form": form,
        "source": source,
        "source_url": source.url,
        "back_url": back,
        "has_invoices": bool(invoices),
    }
    return TemplateResponse(request, "admin/settle/credit_apply.html", context)


def credit_note_apply_view(model_admin, request, object_id):
    credit_note = model_admin.get_object(request, unquote(object_id))
    if credit_note is None:
        raise Http404("No such credit note.")
    if not model_admin.has_view_permission(request, credit_note):
        raise PermissionDenied
    return apply_flow(model_admin, request, credit_note_source(credit_note), "credit note")


def advance_apply_view(model_admin, request, object_id):
    advance = get_invoice(model_admin, request, object_id)
    if not advance.is_advance:
        raise Http404("Only an advance invoice's payments are applied to other invoices.")
    return apply_flow(model_admin, request, advance_source(advance), "advance")
