"""Money received told from credit applied: the Payments list's Kind column and filter, its
CSV, and the status an invoice reduced only by credit shows in the back office."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.admin_support import invoice_url
from tests.factories import (
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


@pytest.fixture
def kinds(customer):
    """One payment of each kind: cash, a credit note, the money balance, an advance."""
    cash_invoice = issued_invoice(customer, total="100.00")
    cash = record_payment(cash_invoice, "40.00", reference="CASH-1")
    credited = issued_invoice(customer, total="100.00")
    issued_credit_note(credited, "30.00", to="invoice")
    advance = issued_advance(customer, total="50.00")
    record_payment(advance, "50.00", type="bank_transfer")
    give_balance(customer, "20.00")
    used = issued_invoice(customer, total="80.00")  # the balance is applied when issued
    record_payment(used, "10.00", type="advance", advance_invoice_id=advance.pk)
    return {"cash": cash, "credited": credited, "used": used}


def test_the_payments_list_shows_each_payments_kind(client, office, kinds):
    response = client.get(reverse("admin:payments_payment_changelist"))

    page = response.content.decode()
    assert '<th scope="col" class="column-payment_kind">' in page
    listed = sorted(
        (payment.type, payment.amount, payment.kind)
        for payment in response.context["cl"].result_list
    )
    assert listed == [
        ("advance", Decimal("10.00"), "advance_applied"),
        ("bank_transfer", Decimal("50.00"), "money_received"),
        ("cash", Decimal("40.00"), "money_received"),
        ("credit_note", Decimal("30.00"), "credit_applied"),
        ("customer_balance", Decimal("20.00"), "balance_used"),
    ]
    for label in ["Money received", "Credit applied", "Balance used", "Advance applied"]:
        assert f'<td class="field-payment_kind">{label}</td>' in page


@pytest.mark.parametrize(
    ("kind", "types"),
    [
        ("money_received", ["bank_transfer", "cash"]),
        ("external", ["bank_transfer", "cash"]),
        ("charge", []),
        ("credit_applied", ["credit_note"]),
        ("balance_used", ["customer_balance"]),
        ("advance_applied", ["advance"]),
    ],
)
def test_the_kind_filter_selects_the_payments_of_a_kind(client, office, kinds, kind, types):
    response = client.get(reverse("admin:payments_payment_changelist"), {"kind": kind})

    assert sorted(payment.type for payment in response.context["cl"].result_list) == types


def test_the_kind_filter_offers_the_columns_kinds(client, office, kinds):
    page = client.get(reverse("admin:payments_payment_changelist")).content.decode()

    for query, label in [
        ("kind=money_received", "Money received"),
        ("kind=credit_applied", "Credit applied"),
        ("kind=balance_used", "Balance used"),
        ("kind=advance_applied", "Advance applied"),
    ]:
        assert f'href="?{query}">{label}</a>' in page


def test_the_csv_ends_with_the_kind_and_follows_the_kind_filter(client, office, kinds):
    everything = client.get(reverse("admin:payments_payment_export"))
    credit = client.get(reverse("admin:payments_payment_export"), {"kind": "credit_applied"})

    text = b"".join(everything.streaming_content).decode()
    header = next(csv.reader(io.StringIO(text)))
    assert header[-2:] == ["created_at", "kind"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted((row["type"], row["kind"]) for row in rows) == [
        ("advance", "advance_applied"),
        ("bank_transfer", "money_received"),
        ("cash", "money_received"),
        ("credit_note", "credit_applied"),
        ("customer_balance", "balance_used"),
    ]
    credit_rows = list(csv.DictReader(io.StringIO(b"".join(credit.streaming_content).decode())))
    assert [(row["type"], row["amount"], row["kind"]) for row in credit_rows] == [
        ("credit_note", "30.00", "credit_applied")
    ]


def test_an_invoice_reduced_only_by_credit_reads_partially_credited(client, office, kinds):
    credited = kinds["credited"]
    credited.refresh_from_db()
    assert (credited.status, credited.total_paid, credited.total_credited) == (
        "partially_paid",
        Decimal("30.00"),
        Decimal("30.00"),
    )

    page = client.get(invoice_url(credited)).content.decode()
    listed = client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    profile = client.get(
        reverse("admin:billing_customer_change", args=[credited.customer_id])
    ).content.decode()

    assert (
        '<span data-testid="invoice-status"><span class="settle-badge settle-badge--warning">Partially credited</span>'
        in page
    )
    assert "Partially credited" in listed
    assert "Partially credited" in profile
    # The stored status is unchanged, so the status filter still finds it as partially paid.
    filtered = client.get(
        reverse("admin:invoices_invoice_changelist"), {"status__exact": "partially_paid"}
    )
    assert credited in filtered.context["cl"].result_list


def test_money_after_credit_reads_partially_paid_again(client, office, kinds):
    credited = kinds["credited"]
    record_payment(credited, "10.00")

    page = client.get(invoice_url(credited)).content.decode()

    assert ">Partially paid</span>" in page
    assert "Partially credited" not in page


def test_an_invoice_settled_wholly_by_credit_reads_credited(client, office, customer):
    invoice = issued_invoice(customer, total="60.00")
    issued_credit_note(invoice, "60.00", to="invoice")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))

    page = client.get(invoice_url(invoice)).content.decode()

    assert '<span class="settle-badge settle-badge--success">Credited</span>' in page
    assert ">Paid</span>" not in page
