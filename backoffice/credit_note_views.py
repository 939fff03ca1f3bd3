"""Create a credit note from the invoice page: `credit_note_issue` with its allocations."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from backoffice.credit_note_form import (
    CreditNoteForm,
    creditable_lines,
    refundable_payments,
)
from backoffice.display import money
from backoffice.flow_base import (
    admin_actor,
    get_invoice,
    invoice_url,
    render_flow,
    require,
)
from backoffice.flows import Outcome, run_once
from backoffice.previews import form_preview, wants_preview
from billing.errors import LimitExceeded, ValidationError
from billing.money import exponent
from payments.services import credit_note_issue


def credit_note_create_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    if invoice.is_advance:
        raise Http404("Credit notes correct invoices, not advance invoices.")
    require(request, "invoices.issue_credit_note")
    allow_refund = request.user.has_perm("payments.refund_payment")
    if not allow_refund and (
        request.POST.get("refund_amount") or request.POST.get("refund_payment")
    ):
        raise PermissionDenied  # giving money back needs the refund permission too
    back = invoice_url(model_admin, invoice, "credit-notes")
    lines = creditable_lines(invoice)
    form = CreditNoteForm(
        request.POST or None,
        invoice=invoice,
        lines=lines,
        payments=refundable_payments(invoice) if allow_refund else [],
        allow_refund=allow_refund,
    )
    preview = None
    if request.method == "POST" and form.is_valid():
        parts = form.allocations()

        def issue() -> Outcome:
            defaulted = not parts
            if defaulted:
                # Nothing said about where the credit goes: off the amount due, if it fits.
                total = form.preview_total()
                parts.append(("to_invoice", {"type": "invoice", "amount": total}))
            data = form.cleaned_data
            fixed = data.get("fixed_amount")
            try:
                credit_note = credit_note_issue(
                    entity=invoice.entity,
                    invoice_id=invoice.pk,
                    actor=admin_actor(request),
                    reason=data["reason"],
                    date=data["date"],
                    amount=fixed,
                    lines=None if fixed else form.line_requests(),
                    allocations=[allocation for _field, allocation in parts],
                )
            except LimitExceeded as error:
                if not (defaulted and error.code == "amount_exceeds_due"):
                    raise
                due = max(invoice.total_payable, 0)
                raise ValidationError(
                    f"This invoice has {money(due, invoice.currency)} due, less than the "
                    f"credit of {money(total, invoice.currency)}: say where the credit goes "
                    "below (the parts must add up to the credit total).",
                    code="allocation_required",
                    param="allocations",
                ) from error
            invoice.refresh_from_db()
            return Outcome(
                back,
                f"Issued credit note {credit_note.number} for "
                f"{money(credit_note.total, credit_note.currency)}. Amount due is now "
                f"{money(invoice.total_due, invoice.currency)}.",
            )

        if wants_preview(request):
            preview = form_preview(
                form,
                issue,
                named=[invoice.pk, invoice.customer_id],
                currency=invoice.currency,
                params=lambda param: form.error_field(param, parts),
                refresh=[invoice, invoice.customer],
            )
        else:
            response = run_once(
                request,
                form,
                purpose=f"credit_note.create {invoice.pk}",
                action=issue,
                back_url=back,
                params=lambda param: form.error_field(param, parts),
            )
            if response is not None:
                return response
    return render_flow(
        model_admin,
        request,
        invoice,
        template="admin/settle/credit_note_create.html",
        title=f"Create credit note · {invoice}",
        form=form,
        allow_refund=allow_refund,
        exponent=exponent(invoice.currency),
        preview=preview,
    )
