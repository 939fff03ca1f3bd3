"""The customer statement: rows in date order with a running balance, the opening balance
from what came before the period, and a closing balance that reconciles with the stored
figures (and shows the drift when one was tampered with)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.db.models import Sum

from billing.models import Customer
from invoices.models import Invoice, InvoiceStatus
from payments.customer_statement import RowKind, customer_statement
from payments.services import overpayment_move_to_balance, refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db
D = Decimal


def on(day: str):
    return time_machine.travel(datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC))


@pytest.fixture
def history(customer):
    """February: invoice A and a cash payment. March: a goodwill credit, invoice B paid by the
    balance, a credit note on A, a refund, an overpayment of B moved to the balance. April:
    an advance paid and applied to invoice D."""
    docs = {}
    with on("2026-02-01"):
        docs["a"] = issued_invoice(customer, total="100.00", apply_balance=False)
    with on("2026-02-05"):
        docs["cash"] = record_payment(docs["a"], "30.00", reference="TILL-7")
    with on("2026-03-02"):
        give_balance(customer, "50.00", reason="Internal: sorry for the noise")
    with on("2026-03-03"):
        docs["b"] = issued_invoice(customer, total="80.00")  # uses the 50.00 balance
    with on("2026-03-10"):
        docs["cn"] = issued_credit_note(docs["a"], "20.00", to="invoice")
    with on("2026-03-12"):
        refund_create(payment=docs["cash"], actor=SYSTEM, reason="Counted twice", amount=D("10"))
    with on("2026-03-15"):
        record_payment(docs["b"], "40.00", type="bank_transfer", reference="SEPA-1")
        overpayment_move_to_balance(invoice=docs["b"], actor=SYSTEM)
    with on("2026-04-01"):
        docs["adv"] = issued_advance(customer, total="60.00")
        record_payment(docs["adv"], "60.00", type="bank_transfer")
    with on("2026-04-05"):
        docs["d"] = issued_invoice(customer, total="100.00", apply_balance=False)
        record_payment(docs["d"], "60.00", type="advance", advance_invoice_id=docs["adv"].pk)
    return docs


def _rows(statement):
    return [
        (row.date.isoformat(), row.kind, row.amount, row.debit, row.credit, row.balance)
        for row in statement.rows
    ]


def test_a_period_opens_with_what_came_before_and_runs_row_by_row(customer, history):
    a, b, cn = history["a"], history["b"], history["cn"]
    with on("2026-04-30"):
        statement = customer_statement(customer, date(2026, 3, 1), date(2026, 3, 31))

    assert statement.opening_balance == D("70.00")  # A 100.00 less 30.00 cash
    assert statement.opening_money_balance == D("0.00")
    assert _rows(statement) == [
        ("2026-03-02", RowKind.BALANCE, D("50.00"), None, D("50.00"), D("20.00")),
        ("2026-03-03", RowKind.INVOICE, D("80.00"), D("80.00"), None, D("100.00")),
        ("2026-03-03", RowKind.BALANCE, D("50.00"), None, None, D("100.00")),
        ("2026-03-10", RowKind.CREDIT_NOTE, D("20.00"), None, D("20.00"), D("80.00")),
        ("2026-03-10", RowKind.CREDIT_APPLIED, D("20.00"), None, None, D("80.00")),
        ("2026-03-12", RowKind.REFUND, D("10.00"), D("10.00"), None, D("90.00")),
        ("2026-03-15", RowKind.PAYMENT, D("40.00"), None, D("40.00"), D("50.00")),
        ("2026-03-15", RowKind.BALANCE, D("10.00"), None, None, D("50.00")),
    ]
    assert [row.money_balance for row in statement.rows] == [
        D("50.00"),
        None,
        D("0.00"),
        None,
        None,
        None,
        None,
        D("10.00"),
    ]
    assert [row.description for row in statement.rows] == [
        "Money balance adjusted",
        f"Invoice {b.number}",
        f"Money balance used on {b.number}",
        f"Credit note {cn.number}",
        f"Credit note {cn.number} applied to {a.number}",
        f"Refund of a payment for {a.number} · Cash",
        f"Payment for {b.number} · Bank transfer · SEPA-1",
        f"Overpayment of {b.number} moved to the money balance",
    ]
    assert (statement.total_debits, statement.total_credits) == (D("90.00"), D("110.00"))
    assert (statement.closing_balance, statement.closing_money_balance) == (D("50.00"), D("10.00"))


def test_the_closing_balance_to_today_reconciles_with_the_stored_figures(customer, history):
    with on("2026-04-30"):
        statement = customer_statement(customer, date(2026, 1, 1), date(2026, 4, 30))

    customer.refresh_from_db()
    open_invoices = Invoice.objects.filter(
        customer=customer,
        kind="invoice",
        status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID],
    )
    owed = open_invoices.aggregate(s=Sum("total_due"))["s"]
    assert owed == D("100.00")  # A 60.00 + B 0.00 + D 40.00
    assert statement.opening_balance == D("0.00")
    assert statement.closing_balance == owed - customer.balance == D("90.00")
    assert statement.closing_money_balance == customer.balance == D("10.00")
    assert statement.reconciliation.matches
    kinds = [row.kind for row in statement.rows if row.date >= date(2026, 4, 1)]
    assert kinds == [
        RowKind.ADVANCE_INVOICE,
        RowKind.PAYMENT,
        RowKind.INVOICE,
        RowKind.ADVANCE_APPLIED,
    ]


def test_a_past_period_reconciles_through_what_was_dated_later(customer, history):
    with on("2026-04-30"):
        statement = customer_statement(customer, date(2026, 3, 1), date(2026, 3, 31))

    # Stored today: 90.00; after March: the advance paid (−60.00) and invoice D (+100.00).
    assert statement.later_effect == D("40.00")
    figure = statement.reconciliation
    assert (figure.computed, figure.stored, figure.matches) == (D("50.00"), D("50.00"), True)


def test_a_stored_total_tampered_with_in_sql_shows_its_drift(customer, history):
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} SET total_due = 57.50 WHERE id = %s",
            [history["a"].pk],
        )
    with on("2026-04-30"):
        statement = customer_statement(customer, date(2026, 1, 1), date(2026, 4, 30))

    figure = statement.reconciliation
    assert (figure.computed, figure.stored, figure.matches, figure.drift) == (
        D("90.00"),
        D("87.50"),
        False,
        D("-2.50"),
    )


def test_credit_paid_out_and_a_voided_invoice(customer):
    from payments.services import invoice_void

    with on("2026-05-04"):
        invoice = issued_invoice(customer, total="50.00")
        record_payment(invoice, "50.00", type="bank_transfer")
        issued_credit_note(invoice, "15.00", to="outside", allocation={"payment_type": "cash"})
        mistake = issued_invoice(customer, total="25.00")
        invoice_void(invoice=mistake, actor=SYSTEM, reason="Wrong customer")
        statement = customer_statement(customer, date(2026, 5, 1), date(2026, 5, 31))

    assert [(row.kind, row.debit, row.credit, row.balance) for row in statement.rows] == [
        (RowKind.INVOICE, D("50.00"), None, D("50.00")),
        (RowKind.PAYMENT, None, D("50.00"), D("0.00")),
        (RowKind.CREDIT_NOTE, None, D("15.00"), D("-15.00")),
        (RowKind.CREDIT_PAID_OUT, D("15.00"), None, D("0.00")),
        (RowKind.INVOICE, D("25.00"), None, D("25.00")),
        (RowKind.INVOICE_VOIDED, None, D("25.00"), D("0.00")),
    ]
    assert statement.reconciliation.matches


def test_an_open_credit_note_counts_as_credit_held_and_other_currencies_stay_apart(customer):
    with on("2026-06-01"):
        invoice = issued_invoice(customer, total="40.00")
        issued_credit_note(invoice, "10.00")  # left open: credit the customer holds
        issued_invoice(customer, total="99.00", currency="USD")
        other = CustomerFactory(entity=customer.entity)
        issued_invoice(other, total="70.00")
        statement = customer_statement(customer, date(2026, 6, 1), date(2026, 6, 30))
        dollars = customer_statement(customer, date(2026, 6, 1), date(2026, 6, 30), "USD")

    assert statement.closing_balance == D("30.00")
    assert statement.position.credit_notes_remaining == D("10.00")
    assert statement.reconciliation.matches
    assert statement.currencies == ["EUR", "USD"]
    assert [(row.kind, row.amount) for row in dollars.rows] == [(RowKind.INVOICE, D("99.00"))]
    assert dollars.closing_balance == D("99.00") and dollars.reconciliation.matches
    assert Customer.objects.get(pk=customer.pk).balance == D("0.00")


def test_the_statement_costs_the_same_queries_for_a_long_history(
    customer, django_assert_max_num_queries
):
    for _ in range(3):
        invoice = issued_invoice(customer, total="10.00", apply_balance=False)
        record_payment(invoice, "4.00")
        refund_create(payment=record_payment(invoice, "6.00"), actor=SYSTEM, reason="Twice")
        give_balance(customer, "1.00")
        issued_credit_note(invoice, "1.00", to="invoice")

    with django_assert_max_num_queries(13):
        statement = customer_statement(customer, date(2000, 1, 1), date(2999, 12, 31))
        assert len(statement.rows) == 3 * 7


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_statement_reads_one_snapshot():
    customer = CustomerFactory()
    issued_invoice(customer, total="12.00")

    statement = customer_statement(customer, date(2000, 1, 1), date(2999, 12, 31))

    assert statement.closing_balance == D("12.00") and statement.reconciliation.matches
    assert not connection.in_atomic_block
