"""The invoice page's "Explain these figures": the rows behind paid and due, and a drift."""

from django.db import connection

from invoices.models import Invoice
from tests.admin_support import invoice_url
from tests.factories import issued_credit_note, issued_invoice, record_payment


def test_the_page_explains_its_figures_and_shows_a_drift(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "30.00")
    issued_credit_note(invoice, "20.00", to="invoice")

    page = client.get(invoice_url(invoice)).content.decode()
    assert 'data-testid="explain-rows"' in page and "Matches" in page and "Drift" not in page

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET total_paid = 45.00 WHERE id = %s", [invoice.pk]
        )
    page = client.get(invoice_url(invoice)).content.decode()
    assert "Drift" in page and "€5.00" in page
