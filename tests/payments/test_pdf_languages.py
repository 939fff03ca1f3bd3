"""A PDF speaks its customer's language: German labels, money and dates for a German
customer (or a customer of a German entity), English ones otherwise."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import translation

from payments.documents import document_pdf_render
from payments.models import Payment, PaymentType
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    invoice_with_items,
    issued_credit_note,
    record_payment,
)
from tests.payments.pdf_support import pdf_text

pytestmark = pytest.mark.django_db

ITEMS = [
    {
        "name": "Schreibtischmiete",
        "quantity": Decimal("1.5"),
        "price": Decimal("823.00"),
        "tax_rate": Decimal("7.5"),
    }
]


def _render(language: str, entity_language: str = "en") -> dict:
    entity = EntityFactory(
        name="Hafen Coworking",
        legal_name="Hafen Coworking GmbH",
        address="Kaiserkai 1\n20457 Hamburg",
        vat_id="DE811111111",
        iban="DE89370400440532013000",
        bic="COBADEFFXXX",
        language=entity_language,
    )
    customer = CustomerFactory(
        entity=entity, name="Lena Fischer", currency="EUR", language=language
    )
    invoice = invoice_with_items(customer, ITEMS, apply_balance=False)
    payment = record_payment(
        invoice, "100.00", type=PaymentType.BANK_TRANSFER, reference="SEPA-4711"
    )
    credit_note = issued_credit_note(invoice, "20.00", to="invoice", reason="Defekter Stuhl")
    invoice.refresh_from_db()
    payment = Payment.objects.get(pk=payment.pk)
    return {
        "invoice": invoice,
        "credit_note": credit_note,
        "invoice_text": pdf_text(document_pdf_render(invoice)),
        "credit_note_text": pdf_text(document_pdf_render(credit_note)),
        "receipt_text": pdf_text(document_pdf_render(payment)),
        "draft_text": pdf_text(document_pdf_render(draft_invoice(customer, total="42.00"))),
    }


@pytest.fixture(scope="module")
def german(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = _render("de")
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def english(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = _render("en", entity_language="de")
        transaction.set_rollback(True)
    return result


def _dd_mm_yyyy(day) -> str:
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def test_a_german_customers_invoice_is_in_german(german):
    invoice, text = german["invoice"], german["invoice_text"]
    assert f"Rechnung {invoice.number}" in text
    assert "RECHNUNGSEMPFÄNGER" in text and "USt-IdNr. DE811111111" in text
    assert "LEISTUNG MENGE × EINZELPREIS MWST. NETTO (EUR)" in text
    assert "Schreibtischmiete 1,5 × 823,00 7,5 % 1.234,50" in text
    assert "Zwischensumme 1.234,50 €" in text and "Gesamtbetrag 1.327,09 €" in text
    assert "7,5 % 1.234,50 € 92,59 €" in text
    assert "Bereits bezahlt −100,00 €" in text and "Gutgeschrieben −20,00 €" in text
    assert "Offener Betrag 1.207,09 €" in text
    assert f"Datum {_dd_mm_yyyy(invoice.date)}" in text
    assert f"Fällig am {_dd_mm_yyyy(invoice.due_date)}" in text
    assert "Zahlung Banküberweisung SEPA-4711 100,00 €" in text
    assert "BANKVERBINDUNG" in text and "Kontoinhaber Hafen Coworking GmbH" in text
    assert f"Verwendungszweck {invoice.number}" in text
    assert "Seite 1 von 1" in text
    for english in ("Invoice", "Amount due", "Subtotal", "EUR 1", "Page 1"):
        assert english not in text


def test_a_german_customers_credit_note_receipt_and_draft_are_in_german(german):
    credit_note = german["credit_note_text"]
    assert f"Gutschrift {german['credit_note'].number}" in credit_note
    assert f"Zur Rechnung {german['invoice'].number}" in credit_note
    assert (
        "Gutschriftsbetrag 20,00 €" in credit_note
        and "Verbleibendes Guthaben 0,00 €" in credit_note
    )

    receipt = german["receipt_text"]
    assert "Quittung" in receipt and f"Für Rechnung {german['invoice'].number}" in receipt
    assert "Extern · Banküberweisung" in receipt
    assert "Erhaltener Betrag 100,00 €" in receipt
    assert f"Noch offen auf Rechnung {german['invoice'].number} 1.207,09 €" in receipt

    assert (
        "ENTWURF" in german["draft_text"] and "Entwurf — noch ohne Nummer" in german["draft_text"]
    )


def test_an_english_customer_of_a_german_entity_gets_english(english):
    invoice, text = english["invoice"], english["invoice_text"]
    assert f"Invoice {invoice.number}" in text
    assert "DESCRIPTION QTY × UNIT PRICE TAX NET (EUR)" in text
    assert "Schreibtischmiete 1.5 × 823.00 7.5 % 1,234.50" in text
    assert "Subtotal €1,234.50" in text and "Amount due €1,207.09" in text
    assert f"Date {invoice.date.day} {invoice.date:%b %Y}" in text
    assert f"Reference {invoice.number}" in text and "Page 1 of 1" in text
    assert "Rechnung" not in text and "1.234,50" not in text
    assert "Amount received €100.00" in english["receipt_text"]
    assert "External · Bank transfer" in english["receipt_text"]


def test_rendering_leaves_the_active_language_alone(german):
    # The fixture rendered German documents; the request's language is untouched.
    assert translation.get_language() in ("en", "en-us")
