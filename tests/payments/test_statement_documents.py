"""The statement's PDF speaks the customer's language, like their invoices."""

from datetime import date

import pytest
from django.utils import timezone

from payments.customer_statement import customer_statement
from payments.documents.statement import statement_filename, statement_html
from tests.factories import issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def test_a_german_customers_statement_is_in_german(customer):
    customer.language = "de"
    customer.name = "Müller & Söhne"
    customer.save()
    invoice = issued_invoice(customer, total="1234.50")
    record_payment(invoice, "234.50", type="bank_transfer")
    today = timezone.localdate()

    statement = customer_statement(customer, date(today.year, 1, 1), today)
    html = statement_html(statement)

    assert "Kontoauszug" in html and "Anfangssaldo" in html and "Endsaldo" in html
    assert f"Rechnung {invoice.number}" in html and "Banküberweisung" in html
    assert "1.000,00\xa0€" in html  # the closing balance, in German
    assert statement_filename(statement) == (
        f"statement-M-ller-S-hne-{today.year}-01-01-{today.isoformat()}.pdf"
    )


def test_an_english_statement_says_what_the_balance_means(customer):
    issued_invoice(customer, total="10.00")
    today = timezone.localdate()

    html = statement_html(customer_statement(customer, date(today.year, 1, 1), today))

    assert "Statement of account" in html and "A positive balance is what you owe us." in html
