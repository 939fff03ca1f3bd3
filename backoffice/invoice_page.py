"""The invoice page of the back office and the URLs of its money flows.

Invoices stay read-only records; the page shows the figures, lines, payments
(with a `…` menu each), credit notes and history, and every button leads to a
flow view that calls one service.
"""

from functools import partial, update_wrapper

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from backoffice.credit_apply import advance_apply_view
from backoffice.credit_note_views import credit_note_create_view
from backoffice.document_downloads import invoice_payment_receipt_view, invoice_pdf_view
from backoffice.document_emails import invoice_reminders_view, invoice_send_view
from backoffice.flow_base import invoice_url
from backoffice.invoice_actions import (
    invoice_issue_view,
    invoice_void_view,
    invoice_write_off_view,
    move_excess_view,
)
from backoffice.invoice_authoring import (
    draft_create_view,
    draft_delete_view,
    draft_edit_view,
    duplicate_view,
)
from backoffice.invoice_context import invoice_page_context
from backoffice.invoice_refund import invoice_refund_view
from backoffice.payment_views import (
    payment_cancel_view,
    payment_create_view,
    payment_delete_view,
    payment_edit_view,
    payment_retry_view,
    refund_view,
)

PAYMENT = "payments/<str:payment_id>"
FLOWS = [
    ("payments/create/", payment_create_view, "payment_create"),
    (f"{PAYMENT}/refund/", refund_view, "payment_refund"),
    (f"{PAYMENT}/edit/", payment_edit_view, "payment_edit"),
    (f"{PAYMENT}/delete/", payment_delete_view, "payment_delete"),
    (f"{PAYMENT}/retry/", payment_retry_view, "payment_retry"),
    (f"{PAYMENT}/cancel/", payment_cancel_view, "payment_cancel"),
    ("credit-notes/create/", credit_note_create_view, "credit_note_create"),
    ("move-excess/", move_excess_view, "move_excess"),
    ("refund/", invoice_refund_view, "invoice_refund"),
    ("apply/", advance_apply_view, "apply"),
    ("issue/", invoice_issue_view, "issue"),
    ("void/", invoice_void_view, "void"),
    ("write-off/", invoice_write_off_view, "write_off"),
    ("send/", invoice_send_view, "send"),
    ("reminders/", invoice_reminders_view, "reminders"),
    ("edit/", draft_edit_view, "edit_draft"),
    ("delete-draft/", draft_delete_view, "delete_draft"),
    ("duplicate/", duplicate_view, "duplicate"),
    ("pdf/", invoice_pdf_view, "pdf"),
    (f"{PAYMENT}/receipt.pdf", invoice_payment_receipt_view, "payment_receipt_pdf"),
]


class InvoicePageMixin:
    """Adds the back-office page and its flows to an invoice (or advance invoice) admin."""

    def get_urls(self):
        opts = self.opts
        flows = []
        for route, view, name in FLOWS:
            bound = update_wrapper(partial(view, self), view)
            flows.append(
                path(
                    f"<path:object_id>/{route}",
                    self.admin_site.admin_view(bound),
                    name=f"{opts.app_label}_{opts.model_name}_{name}",
                )
            )
        return [*flows, *super().get_urls()]

    def add_view(self, request, form_url="", extra_context=None):
        """The draft form (`invoice_authoring`), not a model form: lines are priced by the
        service."""
        return draft_create_view(self, request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_permission(request, invoice):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": invoice,
            "invoice": invoice,
            "title": f"Invoice {invoice}" if not invoice.is_advance else f"Advance {invoice}",
            "invoice_url": invoice_url(self, invoice),
            **invoice_page_context(self, request, invoice),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/settle/invoice_page.html", context)
