"""Reports → Aged receivables: what customers owed on a date, by days past due, one table
per currency, each customer linked to their page; and the same as a CSV download."""

from django import forms
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from backoffice.reports.common import (
    AGED_RECEIVABLES_PERMISSION,
    ReportForm,
    bound_with_defaults,
    report_page,
    require,
)
from config.downloads import csv_download
from payments.reports import in_currency_order
from payments.reports.aged_receivables import BUCKET_LABELS, BUCKETS, aged_receivables
from payments.reports.exports import aged_receivables_csv_lines


class AgedReceivablesForm(ReportForm):
    as_of = forms.DateField(
        label="As of",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="What was due at the end of this day.",
    )


def _form(request) -> AgedReceivablesForm:
    return bound_with_defaults(
        AgedReceivablesForm, request, {"as_of": timezone.localdate().isoformat()}
    )


def _reports(form: AgedReceivablesForm) -> list:
    """The form's reports, one per currency, the entity's default currency first."""
    entity, as_of = form.cleaned_data["entity"], form.cleaned_data["as_of"]
    reports = aged_receivables(entity_id=entity.pk, as_of=as_of)
    return in_currency_order(reports, entity.default_currency)


def _customer_url(customer_id: str) -> str:
    return reverse("admin:billing_customer_change", args=[quote(customer_id)])


def aged_receivables_view(request):
    require(request, AGED_RECEIVABLES_PERMISSION)
    form = _form(request)
    reports = _reports(form) if form.is_valid() else []
    sections = [
        {
            "report": report,
            "buckets": [(BUCKET_LABELS[name], report.buckets[name]) for name in BUCKETS],
            "customers": [
                (row, _customer_url(row.customer_id), [row.buckets[name] for name in BUCKETS])
                for row in report.customers
            ],
        }
        for report in reports
    ]
    return report_page(
        request,
        "admin/settle/report_aged_receivables.html",
        "Aged receivables",
        {
            "form": form,
            "sections": sections,
            "bucket_labels": [BUCKET_LABELS[name] for name in BUCKETS],
            "csv_query": request.GET.urlencode(),
        },
    )


def aged_receivables_csv_view(request):
    """The page's figures as CSV, streamed: a row per customer, a total row per currency."""
    require(request, AGED_RECEIVABLES_PERMISSION)
    form = _form(request)
    if not form.is_valid():
        return redirect(f"{reverse('reports:aged-receivables')}?{request.GET.urlencode()}")
    as_of = form.cleaned_data["as_of"]
    return csv_download(aged_receivables_csv_lines(_reports(form)), f"aged-receivables-{as_of}")
