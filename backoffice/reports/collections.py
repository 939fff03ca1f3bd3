"""Reports → Collections: money received per day, week or month by method, refunds and the
credits applied apart, one table per currency; and the same as a CSV download."""

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from backoffice.reports.common import (
    COLLECTIONS_PERMISSION,
    ReportForm,
    bound_with_defaults,
    report_page,
    require,
)
from billing.errors import ValidationError
from config.downloads import csv_download
from payments.models import PaymentKind, PaymentType
from payments.reports import in_currency_order
from payments.reports.collections import CREDIT_KINDS, METHODS, check_range, collections
from payments.reports.exports import collections_csv_lines

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
METHOD_LABELS = {method: str(PaymentType(method).label) for method in METHODS}
CREDIT_LABELS = {kind: str(PaymentKind(kind).label) for kind in CREDIT_KINDS}


class CollectionsForm(ReportForm):
    start = forms.DateField(label="From", widget=DATE_INPUT)
    end = forms.DateField(label="To", widget=DATE_INPUT)
    group_by = forms.ChoiceField(
        label="By", choices=[("day", "Day"), ("week", "Week"), ("month", "Month")]
    )

    def clean(self):
        data = super().clean()
        if {"start", "end", "group_by"} <= data.keys():
            try:
                check_range(data["start"], data["end"], data["group_by"])
            except ValidationError as error:
                field = {"from": "start", "to": "end"}.get(error.param, error.param)
                self.add_error(field, error.message)
        return data


def _form(request) -> CollectionsForm:
    today = timezone.localdate()
    # Twelve months to today: from the first of the month eleven months back.
    year = today.year - 1 if today.month < 12 else today.year
    first = today.replace(year=year, month=today.month % 12 + 1, day=1)
    defaults = {"start": first.isoformat(), "end": today.isoformat(), "group_by": "month"}
    return bound_with_defaults(CollectionsForm, request, defaults)


def _reports(form: CollectionsForm) -> list:
    """The form's reports, one per currency, the entity's default currency first."""
    data, entity = form.cleaned_data, form.cleaned_data["entity"]
    reports = collections(
        entity_id=entity.pk, start=data["start"], end=data["end"], group_by=data["group_by"]
    )
    return in_currency_order(reports, entity.default_currency)


def _section(report) -> dict:
    """A currency's table. A method or credit column that is empty over the whole range is
    left out (the CSV keeps every column), so the table holds what the business uses."""
    totals = report.totals
    methods = [m for m in METHODS if totals.methods[m].received or totals.methods[m].refunded]
    kinds = [kind for kind in CREDIT_KINDS if totals.credits[kind]]

    def row(figures) -> dict:
        return {
            "figures": figures,
            "methods": [figures.methods[method].received for method in methods],
            "credits": [figures.credits[kind] for kind in kinds],
        }

    return {
        "report": report,
        "method_labels": [METHOD_LABELS[method] for method in methods],
        "credit_labels": [CREDIT_LABELS[kind] for kind in kinds],
        "show_to_balance": bool(totals.refunded_to_balance),
        "periods": [row(period) for period in report.periods],
        "totals": row(totals),
    }


def collections_view(request):
    require(request, COLLECTIONS_PERMISSION)
    form = _form(request)
    reports = _reports(form) if form.is_valid() else []
    sections = [_section(report) for report in reports]
    return report_page(
        request,
        "admin/settle/report_collections.html",
        "Collections",
        {
            "form": form,
            "sections": sections,
            "csv_query": request.GET.urlencode(),
        },
    )


def collections_csv_view(request):
    """The page's figures as CSV, streamed: a row per period, a total row per currency."""
    require(request, COLLECTIONS_PERMISSION)
    form = _form(request)
    if not form.is_valid():
        return redirect(f"{reverse('reports:collections')}?{request.GET.urlencode()}")
    data = form.cleaned_data
    name = f"collections-{data['start']}-{data['end']}"
    return csv_download(collections_csv_lines(_reports(form)), name)
