"""The member's statement of account: a period form, the table, PDF and CSV, for one of their
own customers only (`?customer=`; another customer's is a 404 like any unknown id)."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from config.downloads import csv_download, pdf_download
from config.statement_period import StatementPeriodForm
from payments.customer_statement import customer_statement, statement_currencies
from payments.customer_statement.export import statement_csv_lines
from payments.documents.statement import statement_pdf
from portal.selectors import member_customers
from portal.views.common import member_required, render_portal


def _member_customer(request):
    customers = member_customers(request.user)
    wanted = request.GET.get("customer")
    if wanted:
        return get_object_or_404(customers, pk=wanted), customers
    first = customers.first()
    if first is None:
        raise Http404("No account.")
    return first, customers


def _statement_response(request, output: str):
    customer, customers = _member_customer(request)
    form = StatementPeriodForm(request.GET, currencies=statement_currencies(customer))
    statement = None
    if form.is_valid():
        period = form.cleaned_data
        statement = customer_statement(customer, period["start"], period["end"], period["currency"])
        if output == "csv":
            stem = f"statement-{period['start']}-{period['end']}"
            return csv_download(statement_csv_lines(statement), stem)
        if output == "pdf":
            return pdf_download(*statement_pdf(statement))
    query = f"customer={customer.pk}&{form.query()}" if statement else ""
    context = {
        "customer": customer,
        "customers": list(customers),
        "form": form,
        "statement": statement,
        "csv_url": f"{reverse('portal:statement-csv')}?{query}",
        "pdf_url": f"{reverse('portal:statement-pdf')}?{query}",
    }
    status = 200 if statement is not None else 400
    return render_portal(request, "portal/statement.html", context, status=status)


@member_required
def statement(request):
    return _statement_response(request, "page")


@member_required
def statement_csv(request):
    return _statement_response(request, "csv")


@member_required
def statement_pdf_download(request):
    return _statement_response(request, "pdf")
