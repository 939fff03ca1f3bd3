""" "Explain" on the customer page (the money balance) and on an advance invoice's page (paid
in, applied, remaining): rows whose running sums end at the stored figures, and a drift."""

from django.db import connection

from billing.models import Customer
from invoices.models import Invoice
from tests.admin_support import customer_url, invoice_url
from tests.factories import give_balance, issued_advance, issued_invoice, record_payment


def _tamper(model, pk, column, value):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [value, pk]
        )


def test_the_customer_page_explains_the_money_balance(client, office, customer):
    give_balance(customer, "50.00")
    issued_invoice(customer, total="30.00")  # uses 30.00 of it

    page = client.get(customer_url(customer)).content.decode()
    assert 'data-testid="balance-explain-rows"' in page
    assert "+€50.00" in page and "-€30.00" in page and "€20.00" in page
    assert "Matches" in page and "Drift" not in page

    _tamper(Customer, customer.pk, "balance", "18.50")
    page = client.get(customer_url(customer)).content.decode()
    assert "Drift" in page and "-€1.50" in page


def test_the_advance_page_explains_paid_applied_and_remaining(client, office, customer):
    advance = issued_advance(customer, total="100.00")
    record_payment(advance, "70.00", type="bank_transfer")
    final = issued_invoice(customer, total="80.00", apply_balance=False)
    record_payment(final, "50.00", type="advance", advance_invoice_id=advance.pk)

    page = client.get(invoice_url(advance)).content.decode()
    assert 'data-testid="advance-explain-rows"' in page
    assert "Applied to" in page and final.number in page and "€20.00" in page
    assert "Matches" in page and "Drift" not in page

    _tamper(Invoice, advance.pk, "total_applied", "45.00")
    page = client.get(invoice_url(advance)).content.decode()
    assert "Drift" in page and "-€5.00" in page and "€5.00" in page


def test_a_final_invoice_page_keeps_its_own_explanation(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    page = client.get(invoice_url(invoice)).content.decode()
    assert 'data-testid="explain-rows"' in page and "advance-explain-rows" not in page
