"""Back office → Exports: one period, one entity, a Download CSV per kind of record.

One page rather than a button on each list: a bookkeeper closing a month takes the same
period of every kind at once, and the ledger and audit trail have no list worth filtering
first. The payments list keeps its own Export CSV of what is filtered on screen.

Each kind needs the view permission of its model; rows are those of one of the user's
entities (any entity for a superuser), read by the same exports as the API's.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from backoffice.scoping import member_entity_ids
from billing.csv_export import CsvExport
from billing.exports import AUDIT_EVENT_EXPORT, BALANCE_TRANSACTION_EXPORT
from billing.models import Entity
from config.downloads import csv_download
from invoices.exports import CREDIT_NOTE_EXPORT, INVOICE_EXPORT
from invoices.models import InvoiceKind
from payments.exports import PAYMENT_EXPORT, REFUND_EXPORT


@dataclass(frozen=True)
class ExportKind:
    slug: str
    label: str
    period: str  # which date the period bounds, for people
    permission: str
    export: CsvExport


KINDS = [
    ExportKind("payments", "Payments", "payment date", "payments.view_payment", PAYMENT_EXPORT),
    ExportKind("refunds", "Refunds", "day refunded", "payments.view_refund", REFUND_EXPORT),
    ExportKind(
        "invoices",
        "Invoices and advance invoices",
        "invoice date",
        "invoices.view_invoice",
        INVOICE_EXPORT,
    ),
    ExportKind(
        "credit-notes",
        "Credit notes",
        "credit note date",
        "invoices.view_creditnote",
        CREDIT_NOTE_EXPORT,
    ),
    ExportKind(
        "balance-transactions",
        "Balance ledger",
        "day of the movement",
        "billing.view_balancetransaction",
        BALANCE_TRANSACTION_EXPORT,
    ),
    ExportKind(
        "audit-events",
        "Audit trail",
        "day of the event",
        "billing.view_auditevent",
        AUDIT_EVENT_EXPORT,
    ),
]
BY_SLUG = {kind.slug: kind for kind in KINDS}


def entities_of(user):
    entities = Entity.objects.order_by("created_at", "pk")
    return entities if user.is_superuser else entities.filter(pk__in=member_entity_ids(user))


class ExportForm(forms.Form):
    entity = forms.ModelChoiceField(queryset=Entity.objects.none(), empty_label=None)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = entities_of(user)

    def _year_checked(self, name):
        day = self.cleaned_data.get(name)
        if day and not 1900 <= day.year <= 2999:
            raise forms.ValidationError("Give a date between 1900 and 2999.")
        return day

    def clean_start(self):
        return self._year_checked("start")

    def clean_end(self):
        return self._year_checked("end")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period comes before its start.")
        return data


def _rows(kind: ExportKind, user, entity: Entity):
    rows = kind.export.of_entities([entity.pk])
    if kind.slug == "invoices" and not user.has_perm("invoices.view_advanceinvoice"):
        rows = rows.filter(kind=InvoiceKind.INVOICE)
    return rows.order_by(kind.export.period_field, "pk")


def exports_view(request):
    """The page (GET without `kind`), or the CSV of one kind for the chosen period."""
    kinds = [kind for kind in KINDS if request.user.has_perm(kind.permission)]
    if not kinds:
        raise PermissionDenied
    slug = request.GET.get("kind")
    form = ExportForm(request.GET if slug else None, user=request.user)
    if slug:
        kind = BY_SLUG.get(slug)
        if kind is None or kind not in kinds:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            lines = kind.export.lines(
                _rows(kind, request.user, data["entity"]), start=data["start"], end=data["end"]
            )
            return csv_download(lines, kind.export.name)
    entities = form.fields["entity"].queryset
    context = {
        **admin.site.each_context(request),
        "title": "Exports",
        "form": form,
        "kinds": kinds,
        "single_entity": entities.first() if entities[:2].count() == 1 else None,
    }
    status = 400 if form.is_bound else 200
    return TemplateResponse(request, "admin/settle/exports.html", context, status=status)
