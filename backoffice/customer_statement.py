"""A customer's statement in the back office: the period form and the table, and the same
statement as CSV (streamed) and PDF. Reads only: who may see the customer may see it."""

from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse

from billing.models import Customer
from config.downloads import csv_download, pdf_download
from config.statement_period import StatementPeriodForm
from payments.customer_statement import customer_statement, statement_currencies
from payments.customer_statement.export import statement_csv_lines
from payments.documents.statement import statement_pdf

OUTPUTS = ("page", "csv", "pdf")


def customer_statement_view(model_admin, request, object_id, output: str = "page"):
    """GET with `start`, `end` (and `currency`): the page, its CSV or its PDF. A bad period
    shows the page with the form's errors (400)."""
    customer = model_admin.get_object(request, unquote(object_id))
    if customer is None:
        raise Http404("No such customer.")
    if not model_admin.has_view_permission(request, customer):
        raise PermissionDenied
    form = StatementPeriodForm(request.GET, currencies=statement_currencies(customer))
    statement = None
    if form.is_valid():
        period = form.cleaned_data
        statement = customer_statement(customer, period["start"], period["end"], period["currency"])
        if output == "csv":
            stem = f"statement-{customer.pk}-{period['start']}-{period['end']}"
            return csv_download(statement_csv_lines(statement), stem)
        if output == "pdf":
            return pdf_download(*statement_pdf(statement))
    base = reverse("admin:billing_customer_statement", args=[quote(customer.pk)])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "original": customer,
        "customer": customer,
        "title": f"Statement · {customer.name}",
        "form": form,
        "statement": statement,
        "profile_url": reverse("admin:billing_customer_change", args=[quote(customer.pk)]),
        "csv_url": f"{base}csv?{form.query()}" if statement else "",
        "pdf_url": f"{base}pdf?{form.query()}" if statement else "",
    }
    status = 200 if statement is not None else 400
    return TemplateResponse(request, "admin/settle/customer_statement.html", context, status=status)
