"""What every money flow on an invoice page shares: finding rows within the user's entities,
permissions, URLs and the page frame."""

from dataclasses import dataclass

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.flows import run_once
from backoffice.previews import form_preview, wants_preview
from billing.actors import Actor
from invoices.models import Invoice, InvoiceStatus
from payments.models import Payment


@dataclass(frozen=True)
class FlowPermissions:
    """The money actions a user may take (Django permissions from the models' Meta)."""

    record: bool
    charge: bool
    refund: bool
    remove: bool
    edit_payment: bool
    issue: bool
    void: bool
    write_off: bool
    credit: bool

    @classmethod
    def of(cls, user) -> "FlowPermissions":
        return cls(
            record=user.has_perm("payments.record_payment"),
            charge=user.has_perm("payments.charge_payment"),
            refund=user.has_perm("payments.refund_payment"),
            remove=user.has_perm("payments.remove_payment"),
            edit_payment=user.has_perm("payments.change_payment"),
            issue=user.has_perm("invoices.issue_invoice"),
            void=user.has_perm("invoices.void_invoice"),
            write_off=user.has_perm("invoices.write_off_invoice"),
            credit=user.has_perm("invoices.issue_credit_note"),
        )


def require(request, *permissions: str) -> None:
    if not all(request.user.has_perm(permission) for permission in permissions):
        raise PermissionDenied


def admin_actor(request) -> Actor:
    return Actor.admin(request.user)


def get_invoice(model_admin, request, object_id) -> Invoice:
    """The invoice, if it is in one of the user's entities; another entity's is a 404."""
    invoice = model_admin.get_object(request, unquote(object_id))
    if invoice is None:
        raise Http404("No such invoice.")
    if not model_admin.has_view_permission(request, invoice):
        raise PermissionDenied
    return invoice


def invoice_payments(invoice: Invoice):
    """Money paid into the document (for an advance: not its applications to other invoices)."""
    if invoice.is_advance:
        return Payment.objects.filter(advance_invoice=invoice).exclude(type="advance")
    return Payment.objects.filter(invoice=invoice)


def get_payment(invoice: Invoice, payment_id: str) -> Payment:
    payment = (
        invoice_payments(invoice)
        .select_related("saved_payment_method", "credit_note", "advance_invoice", "invoice")
        .filter(pk=unquote(payment_id))
        .first()
    )
    if payment is None:
        raise Http404("No such payment on this invoice.")
    return payment


def is_payable(invoice: Invoice) -> bool:
    return invoice.status not in (InvoiceStatus.DRAFT, InvoiceStatus.VOID)


def document_field(invoice: Invoice) -> str:
    return "advance_invoice_id" if invoice.is_advance else "invoice_id"


def flow_url(model_admin, name: str, *args) -> str:
    opts = model_admin.opts
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[quote(arg) for arg in args]
    )


def invoice_url(model_admin, invoice: Invoice, anchor: str = "") -> str:
    url = flow_url(model_admin, "change", invoice.pk)
    return f"{url}#{anchor}" if anchor else url


def render_flow(model_admin, request, invoice: Invoice, *, template: str, title: str, **extra):
    """A flow page: the invoice's key figures above the form, in the admin's frame."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": invoice,
        "invoice": invoice,
        "title": title,
        "invoice_url": invoice_url(model_admin, invoice),
        **extra,
    }
    return TemplateResponse(request, template, context)


def flow_page(
    model_admin,
    request,
    invoice: Invoice,
    form,
    *,
    purpose: str,
    action,
    back_url: str,
    template: str,
    title: str,
    params=None,
    preview_of=(),
    **extra,
):
    """A money flow: a valid submission runs `action` once (`run_once`); otherwise, or when
    the service refused it, the form is shown again with the invoice's figures.

    With `preview_of` (the ids the action names), the form's Preview button runs the same
    action rolled back and shows what it would do (`backoffice.previews`).
    """
    if preview_of and wants_preview(request) and form.is_valid():
        extra["preview"] = form_preview(
            form,
            action,
            named=preview_of,
            currency=invoice.currency,
            params=params,
            refresh=[invoice, invoice.customer],
        )
    elif request.method == "POST" and form.is_valid():
        response = run_once(
            request, form, purpose=purpose, action=action, back_url=back_url, params=params
        )
        if response is not None:
            return response
    return render_flow(
        model_admin, request, invoice, template=template, title=title, form=form, **extra
    )
