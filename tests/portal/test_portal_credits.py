"""The portal tells credit from money: credit notes listed with their PDFs, and credit used on
an invoice (a credit note, the balance, an advance) shown as a credit, never as a payment."""

import pytest
from django.urls import reverse

from payments.models import Payment
from tests.factories import give_balance, issued_credit_note, issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def _page(member_client, name, *args) -> str:
    response = member_client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_member_sees_their_credit_notes_with_their_pdfs(member_client, invoice):
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")

    home = _page(member_client, "portal:home")

    assert 'data-testid="credit-notes"' in home
    assert credit_note.number in home and invoice.number in home
    assert reverse("portal:credit-note-pdf", args=[credit_note.pk]) in home


def test_a_credit_note_applied_is_a_credit_on_the_invoice_not_a_payment(member_client, invoice):
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")
    cash = record_payment(invoice, "30.00")

    page = _page(member_client, "portal:invoice", invoice.pk)
    payments, credits = page.split('data-testid="credits"')

    assert f"Credit note {credit_note.number}" in credits and "€20.00" in credits
    assert f"Credit note {credit_note.number}" not in payments.split("<h2>Payments</h2>")[1]
    assert reverse("portal:payment-receipt", args=[cash.pk]) in payments
    credit = Payment.objects.get(invoice=invoice, type="credit_note")
    assert f"portal/receipts/payments/{credit.pk}" not in page  # a credit has no receipt


def test_the_balance_used_on_an_invoice_reads_as_credit(member_client, customer):
    give_balance(customer, "15.00")
    invoice = issued_invoice(customer, total="40.00")  # the balance is applied at issue

    page = _page(member_client, "portal:invoice", invoice.pk)

    assert "Your credit balance" in page.split('data-testid="credits"')[1]
    assert "No payments yet." in page


def test_the_payments_page_lists_credits_apart_from_money(member_client, invoice):
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")
    record_payment(invoice, "30.00")

    page = _page(member_client, "portal:history")
    money, credits = page.split("Credits applied")

    assert "€30.00" in money and credit_note.number not in money
    assert f"Credit note {credit_note.number}" in credits and "€20.00" in credits


def test_the_invoice_totals_tell_credit_from_money_paid(member_client, invoice):
    issued_credit_note(invoice, "20.00", to="invoice")
    record_payment(invoice, "30.00")

    page = _page(member_client, "portal:invoice", invoice.pk)

    assert 'id="amount-credited">€20.00<' in page
    assert 'id="amount-paid">€30.00<' in page
    assert 'id="amount-due">€70.00<' in page
