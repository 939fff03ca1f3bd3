"""`manage.py check_totals`: finds cached totals that drift from their rows, and repairs them.

Drift is injected with raw SQL, the only way past the services and the
guarded managers, as a bad migration or a manual database edit would.
"""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from billing.models import Customer
from billing.services import balance_adjust
from invoices.models import CreditNote, Invoice
from payments.models import Payment, Refund
from payments.services import payment_record, refund_create
from tests.factories import SYSTEM, CustomerFactory, issued_credit_note, issued_invoice

pytestmark = pytest.mark.django_db


def check_totals(*args) -> str:
    out = StringIO()
    call_command("check_totals", *args, stdout=out)
    return out.getvalue()


def corrupt(model, pk, **values):
    """Overwrite cached columns behind the application's back."""
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} "
            "WHERE id = %s",
            [*values.values(), pk],
        )


@pytest.fixture
def settled_books():
    """An invoice partly paid and partly credited, a refund, a credit note and a balance."""
    customer = CustomerFactory()
    invoice = issued_invoice(customer, total="300.00")
    payment = payment_record(
        entity=customer.entity,
        actor=SYSTEM,
        amount=Decimal("200.00"),
        type="bank_transfer",
        invoice_id=invoice.pk,
    )
    refund_create(payment=payment, actor=SYSTEM, reason="Overcharged", amount=Decimal("20.00"))
    credit_note = issued_credit_note(invoice, "50.00", to="invoice", reason="Late delivery")
    balance_adjust(customer=customer, amount=Decimal("15.00"), reason="Goodwill", actor=SYSTEM)
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("230.00")
    return customer, invoice, payment, credit_note


def test_clean_books_report_no_drift(settled_books):
    assert "No drift" in check_totals()


def test_empty_database_reports_no_drift(db):
    assert "No drift" in check_totals()


def test_corrupted_invoice_total_is_reported_and_exits_non_zero(settled_books):
    _, invoice, _, _ = settled_books
    corrupt(Invoice, invoice.pk, total_paid=Decimal("999.00"))

    out = StringIO()
    with pytest.raises(CommandError, match="drift"):
        call_command("check_totals", stdout=out)

    assert f"invoice {invoice.pk}: total_paid is 999.00, rows say 230.00" in out.getvalue()
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("999.00")  # reporting changes nothing


def test_fix_repairs_a_corrupted_invoice_and_a_second_run_is_clean(settled_books):
    _, invoice, _, _ = settled_books
    corrupt(Invoice, invoice.pk, total_paid=Decimal("300.00"), total_due=Decimal("0.00"))
    corrupt(Invoice, invoice.pk, status="paid", paid_in_full=True)

    output = check_totals("--fix")

    assert f"invoice {invoice.pk}: total_paid is 300.00, rows say 230.00" in output
    assert "Fixed" in output
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("230.00")
    assert invoice.total_due == Decimal("70.00")
    assert invoice.status == "partially_paid"
    assert invoice.paid_in_full is False
    assert "No drift" in check_totals()


def test_fix_repairs_a_payment_refund_cache_and_the_invoice_it_feeds(settled_books):
    _, invoice, payment, _ = settled_books
    corrupt(Payment, payment.pk, amount_refunded=Decimal("0.00"))
    corrupt(Invoice, invoice.pk, total_paid=Decimal("250.00"), total_due=Decimal("50.00"))

    with pytest.raises(CommandError):
        check_totals()
    output = check_totals("--fix")

    assert f"payment {payment.pk}: amount_refunded is 0.00, rows say 20.00" in output
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.amount_refunded == Decimal("20.00")
    assert invoice.total_paid == Decimal("230.00")
    assert invoice.total_due == Decimal("70.00")
    assert "No drift" in check_totals()


def test_fix_of_a_refund_cache_brings_the_invoice_it_feeds_along(settled_books):
    """A refund row changed behind the back: only the payment's cache drifts (the invoice
    agrees with that cache), and fixing it moves the invoice too: a second run is clean."""
    _, invoice, payment, _ = settled_books
    corrupt(Refund, payment.refunds.get().pk, amount=Decimal("30.00"))

    output = check_totals("--fix")

    assert f"payment {payment.pk}: amount_refunded is 20.00, rows say 30.00" in output
    assert f"invoice {invoice.pk}" not in output
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("220.00"), Decimal("80.00"))
    assert "No drift" in check_totals()


def test_fix_repairs_a_credit_note_and_a_customer_balance(settled_books):
    customer, _, _, credit_note = settled_books
    corrupt(CreditNote, credit_note.pk, total_applied=Decimal("10.00"))
    corrupt(Customer, customer.pk, balance=Decimal("40.00"))

    output = check_totals("--fix")

    assert f"credit_note {credit_note.pk}: total_applied is 10.00, rows say 50.00" in output
    assert f"customer {customer.pk}: balance is 40.00, rows say 15.00" in output
    credit_note.refresh_from_db()
    customer.refresh_from_db()
    assert credit_note.total_applied == Decimal("50.00")
    assert credit_note.total_remaining == Decimal("0.00")
    assert customer.balance == Decimal("15.00")
    assert "No drift" in check_totals()
