"""Drafting from the back office: add, edit, delete and duplicate invoices and advances.

Each view parses the draft form, checks the user's Django permission for the model
(add / change / delete of Invoice or AdvanceInvoice) and calls one authoring service;
every submission runs once per form token, like the money flows.
"""

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.display import money, short_date
from backoffice.flow_base import admin_actor, flow_page, flow_url, get_invoice, invoice_url
from backoffice.flows import Outcome, run_once
from backoffice.invoice_draft_form import (
    ADD_LINE,
    DraftForm,
    draft_initial,
    line_formset,
    lines_of,
    with_one_more_line,
)
from backoffice.payment_forms import ConfirmForm
from invoices.models import Invoice, InvoiceStatus
from invoices.services import (
    invoice_create,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_update,
)
from invoices.services.issuing import invoice_due_date

# Service parameters that name a field of the draft form.
DRAFT_PARAMS = {"customer_id": "customer"}


def may(request, model_admin, action: str) -> bool:
    opts = model_admin.opts
    return request.user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")


def require_model_permission(request, model_admin, action: str) -> None:
    if not may(request, model_admin, action):
        raise PermissionDenied


def authoring_actions(model_admin, request, invoice: Invoice) -> list[tuple]:
    """Header buttons (label, url, style) for drafting: edit and delete a draft, duplicate any."""
    actions = []
    is_draft = invoice.status == InvoiceStatus.DRAFT
    if is_draft and may(request, model_admin, "change"):
        actions.append(("Edit draft", flow_url(model_admin, "edit_draft", invoice.pk), ""))
    if may(request, model_admin, "add"):
        actions.append(
            ("Duplicate as new draft", flow_url(model_admin, "duplicate", invoice.pk), "")
        )
    if is_draft and may(request, model_admin, "delete"):
        actions.append(
            ("Delete draft", flow_url(model_admin, "delete_draft", invoice.pk), "danger")
        )
    return actions


def noun(model_admin) -> str:
    return model_admin.opts.verbose_name


def _draft_values(form: DraftForm, formset) -> dict:
    data = form.cleaned_data
    return {
        "customer": data["customer"],
        "items": formset.items(),
        "date": data["date"],
        "due_date": data.get("due_date"),
        "payment_terms_days": data.get("payment_terms_days"),
        "note": data.get("note", ""),
        "footer": data.get("footer", ""),
    }


def _draft_page(model_admin, request, *, invoice: Invoice | None, service, initial, rows):
    """The add and edit pages: the same form, sent to `service` once it is valid."""
    user = request.user
    if request.method == "POST" and ADD_LINE in request.POST:
        # "Add line" without the script: show what was typed again, with one more empty row.
        values, rows = with_one_more_line(request.POST)
        form = DraftForm(initial=values, user=user, invoice=invoice)
        formset = line_formset(rows=rows)
    elif request.method == "POST":
        form = DraftForm(request.POST, user=user, invoice=invoice)
        formset = line_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            response = run_once(
                request,
                form,
                purpose=f"invoice.draft {invoice.pk if invoice else model_admin.kind}",
                action=lambda: service(**_draft_values(form, formset)),
                back_url=invoice_url(model_admin, invoice) if invoice else request.path,
                params=DRAFT_PARAMS,
            )
            if response is not None:
                return response
    else:
        form = DraftForm(initial=initial, user=user, invoice=invoice)
        formset = line_formset(rows=rows)
    verb = "Edit" if invoice else "Add"
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "original": invoice,
        "invoice": invoice,
        "title": f"{verb} {noun(model_admin)}"
        if not invoice
        else f"Edit draft {noun(model_admin)}",
        "form": form,
        "formset": formset,
        "add_line": ADD_LINE,
        "cancel_url": (
            invoice_url(model_admin, invoice)
            if invoice
            else reverse(
                f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
            )
        ),
        "submit_label": "Save draft" if invoice else f"Create draft {noun(model_admin)}",
    }
    return TemplateResponse(request, "admin/settle/invoice_draft_form.html", context)


def draft_create_view(model_admin, request):
    require_model_permission(request, model_admin, "add")

    def create(**values) -> Outcome:
        customer = values["customer"]
        invoice = invoice_create(
            entity=customer.entity,
            actor=admin_actor(request),
            kind=model_admin.kind,
            **values,
        )
        return Outcome(
            invoice_url(model_admin, invoice),
            f"Drafted {noun(model_admin)} for {customer.name}: "
            f"{money(invoice.total, invoice.currency)}, due {short_date(invoice_due_date(invoice))} "
            "once issued.",
        )

    return _draft_page(model_admin, request, invoice=None, service=create, initial={}, rows=None)


def _only_drafts(model_admin, request, invoice: Invoice, what: str):
    if request.method == "GET" and invoice.status != InvoiceStatus.DRAFT:
        messages.info(
            request,
            f"{invoice} is {invoice.get_status_display().lower()}: only a draft can be {what}. "
            "Correct an issued invoice with a credit note.",
        )
        return redirect(invoice_url(model_admin, invoice))
    return None


def draft_edit_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require_model_permission(request, model_admin, "change")
    refused = _only_drafts(model_admin, request, invoice, "edited")
    if refused:
        return refused

    def update(**values) -> Outcome:
        updated = invoice_update(invoice=invoice, actor=admin_actor(request), **values)
        return Outcome(
            invoice_url(model_admin, updated),
            f"Saved the draft: {money(updated.total, updated.currency)} for "
            f"{updated.customer.name}.",
        )

    return _draft_page(
        model_admin,
        request,
        invoice=invoice,
        service=update,
        initial=draft_initial(invoice),
        rows=lines_of(invoice),
    )


def draft_delete_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require_model_permission(request, model_admin, "delete")
    refused = _only_drafts(model_admin, request, invoice, "deleted")
    if refused:
        return refused
    changelist = reverse(
        f"admin:{model_admin.opts.app_label}_{model_admin.opts.model_name}_changelist"
    )
    form = ConfirmForm(request.POST or None)

    def delete() -> Outcome:
        invoice_delete_draft(invoice=invoice, actor=admin_actor(request))
        return Outcome(
            changelist,
            f"Deleted the draft {noun(model_admin)} for {invoice.customer.name} "
            f"({money(invoice.total, invoice.currency)}).",
        )

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.delete {invoice.pk}",
        action=delete,
        back_url=changelist,
        template="admin/settle/invoice_delete.html",
        title=f"Delete draft · {invoice.customer.name}",
    )


def duplicate_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    require_model_permission(request, model_admin, "add")
    form = ConfirmForm(request.POST or None)

    def duplicate() -> Outcome:
        copy = invoice_duplicate(invoice=invoice, actor=admin_actor(request))
        return Outcome(
            invoice_url(model_admin, copy),
            f"Duplicated {invoice} as a new draft dated {short_date(copy.date)}. "
            "Check it, then issue it.",
        )

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"invoice.duplicate {invoice.pk}",
        action=duplicate,
        back_url=invoice_url(model_admin, invoice),
        template="admin/settle/invoice_duplicate.html",
        title=f"Duplicate as new draft · {invoice}",
    )
