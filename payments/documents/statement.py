"""The customer statement as a PDF, in the look of the other documents and the customer's
language. Rendered each time and never kept: a statement is a view of a period, not an
issued document."""

import re

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext
from weasyprint import HTML

from invoices.issuer import issuer_snapshot
from payments.customer_statement import CustomerStatement
from payments.documents.content import customer_context, logo_data_uri
from payments.documents.formatting import document_amount, document_money
from payments.documents.pdf import _inline_only_fetcher

TEMPLATE = "pdf/statement.html"


def statement_filename(statement: CustomerStatement) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", statement.customer.name).strip("-") or "customer"
    return f"statement-{stem}-{statement.start.isoformat()}-{statement.end.isoformat()}.pdf"


def statement_context(statement: CustomerStatement) -> dict:
    currency = statement.currency
    entity = statement.customer.entity
    issuer = issuer_snapshot(entity)
    issuer["logo"] = logo_data_uri(entity)

    def amount(value):
        return "" if value is None else document_amount(value, currency)

    return {
        "title": gettext("Statement of account"),
        "number": "",
        "watermark": "",
        "currency": currency,
        "issuer": issuer,
        "customer": customer_context(statement.customer),
        "start": statement.start,
        "end": statement.end,
        "opening": document_money(statement.opening_balance, currency),
        # In the table, whose heading names the currency, a bare amount like the rows'.
        "opening_amount": amount(statement.opening_balance),
        "rows": [
            {
                "date": row.date,
                "description": row.description,
                "applied": amount(row.amount) if not row.effect else "",
                "debit": amount(row.debit),
                "credit": amount(row.credit),
                "balance": amount(row.balance),
            }
            for row in statement.rows
        ],
        "total_debits": document_money(statement.total_debits, currency),
        "total_credits": document_money(statement.total_credits, currency),
        "closing": document_money(statement.closing_balance, currency),
        "owes": statement.closing_balance > 0,
        "credit": statement.closing_balance < 0,
        "credit_held": document_money(-statement.closing_balance, currency),
        "money_balance": document_money(statement.closing_money_balance, currency),
        "footer": issuer.get("invoice_footer", ""),
    }


def statement_html(statement: CustomerStatement) -> str:
    with translation.override(statement.customer.document_language):
        return render_to_string(TEMPLATE, statement_context(statement))


def statement_pdf(statement: CustomerStatement) -> tuple[str, bytes]:
    """(filename, PDF bytes). Seconds for a long period: not in a transaction."""
    html = HTML(string=statement_html(statement), url_fetcher=_inline_only_fetcher())
    return statement_filename(statement), html.write_pdf()
