"""What the PDFs say: one invoice, its credit note, a receipt and a draft, rendered once each
(module-scoped, in a transaction rolled back afterwards) and read back with pypdf."""

import io
from decimal import Decimal

import pytest
from django.db import transaction
from pypdf import PdfReader

from billing.errors import InvalidState
from invoices.references import creditor_reference_printed
from payments.documents import document_filename, document_pdf, document_pdf_render
from payments.models import Payment, PaymentStatus, PaymentType
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    invoice_with_items,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from tests.payments.pdf_support import pdf_pages, pdf_text
from tests.payments.test_pdf_formatting import PNG_1PX

# Every test here reads the database, if only through the module's render: pytest-django
# sets up the test database only for the tests that say so.
pytestmark = pytest.mark.django_db

LONG_NAME = "Quarterly maintenance of the espresso machines " + "and descaling " * 12


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        entity = EntityFactory(
            name="Harbour Coworking",
            legal_name="Harbour Coworking GmbH",
            address="Kaiserkai 1\n20457 Hamburg",
            vat_id="DE811111111",
            iban="DE89370400440532013000",
            bic="COBADEFFXXX",
            invoice_footer="Registered in Hamburg, HRB 99999",
            logo=PNG_1PX,
            logo_content_type="image/png",
        )
        customer = CustomerFactory(
            entity=entity,
            name="Lena Fischer",
            address="Elbchaussee 5\n22763 Hamburg",
            tax_id="DE999999999",
            currency="EUR",
        )
        items = [
            {
                "name": "Desk rental, March",
                "quantity": 2,
                "price": Decimal("150.00"),
                "tax_rate": Decimal("19"),
            },
            {
                "name": LONG_NAME,
                "quantity": 1,
                "price": Decimal("80.00"),
                "tax_rate": Decimal("7"),
                "discount_percent": Decimal("10"),
            },
        ]
        invoice = invoice_with_items(customer, items, apply_balance=False)
        payment = record_payment(
            invoice, "100.00", type=PaymentType.BANK_TRANSFER, reference="SEPA-4711"
        )
        credit_note = issued_credit_note(invoice, "20.00", to="invoice", reason="Broken chair")
        invoice.refresh_from_db()
        payment = Payment.objects.get(pk=payment.pk)  # as a download reads it: after the credit
        draft = draft_invoice(customer, total="42.00")
        advance = issued_advance(customer, total="500.00")
        result = {
            "invoice": invoice,
            "credit_note": credit_note,
            "payment": payment,
            "invoice_pdf": document_pdf_render(invoice),
            "credit_note_pdf": document_pdf_render(credit_note),
            "receipt_pdf": document_pdf_render(payment),
            "draft_pdf": document_pdf_render(draft),
            "draft_filename": document_filename(draft),
            "advance_filename": document_filename(advance),
            "advance_number": advance.number,
        }
        transaction.set_rollback(True)
    return result


def test_an_invoice_pdf_names_issuer_customer_number_lines_and_totals(rendered):
    text = pdf_text(rendered["invoice_pdf"])
    number = rendered["invoice"].number

    assert number.startswith("INV-") and f"Invoice {number}" in text
    assert "Harbour Coworking GmbH" in text and "Kaiserkai 1" in text and "DE811111111" in text
    assert "Lena Fischer" in text and "Elbchaussee 5" in text and "DE999999999" in text
    assert "Desk rental, March" in text
    assert "Quarterly maintenance of the espresso machines" in text
    # 2 × 150.00 at 19 %; 80.00 less 10 % at 7 %.
    assert "300.00" in text and "72.00" in text and "10 %" in text
    assert "Subtotal €372.00" in text
    assert "19 % €300.00 €57.00" in text and "7 % €72.00 €5.04" in text
    assert "Total €434.04" in text
    assert "Registered in Hamburg, HRB 99999" in text


def test_an_invoice_pdf_shows_the_entity_logo(rendered):
    page = PdfReader(io.BytesIO(rendered["invoice_pdf"])).pages[0]

    assert len(page.images) == 1


def test_an_invoice_pdf_tells_money_received_from_credit_and_says_what_is_due(rendered):
    text = pdf_text(rendered["invoice_pdf"])
    credit_note = rendered["credit_note"]

    assert "Payment Bank transfer SEPA-4711 €100.00" in text
    assert f"Credit note {credit_note.number}" in text and "€20.00" in text
    assert "Paid −€100.00" in text and "Credited −€20.00" in text
    assert "Amount due €314.04" in text


def test_an_invoice_pdf_says_how_to_pay_with_the_grouped_iban_and_the_number(rendered):
    text = pdf_text(rendered["invoice_pdf"])

    assert "DE89 3704 0044 0532 0130 00" in text
    assert "COBADEFFXXX" in text
    assert f"Reference {rendered['invoice'].number}" in text
    # The structured form, in groups of four, that bank forms ask for and the import reads.
    assert creditor_reference_printed(rendered["invoice"].number) in text


def test_a_long_description_wraps_on_one_page(rendered):
    assert pdf_pages(rendered["invoice_pdf"]) == 1
    assert "descaling and descaling" in pdf_text(rendered["invoice_pdf"])


def test_a_credit_note_pdf_names_its_invoice_reason_and_credit(rendered):
    text = pdf_text(rendered["credit_note_pdf"])
    credit_note = rendered["credit_note"]

    assert f"Credit note {credit_note.number}" in text
    assert f"Credits invoice {rendered['invoice'].number}" in text
    assert "Broken chair" in text
    assert "Credit €20.00" in text and "Remaining credit €0.00" in text


def test_a_receipt_pdf_names_the_payment_the_invoice_and_what_is_still_due(rendered):
    text = pdf_text(rendered["receipt_pdf"])

    assert "Receipt" in text and rendered["payment"].pk in text
    assert f"Invoice {rendered['invoice'].number}" in text
    assert "Amount received €100.00" in text
    assert "SEPA-4711" in text
    assert "€314.04" in text


def test_a_draft_pdf_says_draft_and_has_no_number(rendered):
    text = pdf_text(rendered["draft_pdf"])

    assert "DRAFT" in text
    assert "INV-" not in text
    assert rendered["draft_filename"].startswith("draft-inv_")


def test_filenames_are_the_document_numbers(rendered):
    assert document_filename(rendered["invoice"]) == f"{rendered['invoice'].number}.pdf"
    assert document_filename(rendered["credit_note"]) == f"{rendered['credit_note'].number}.pdf"
    assert rendered["advance_filename"] == f"{rendered['advance_number']}.pdf"
    assert document_filename(rendered["payment"]) == f"receipt-{rendered['payment'].pk}.pdf"


def test_a_payment_that_did_not_succeed_has_no_receipt(customer):
    payment = record_payment(issued_invoice(customer), "10.00")
    payment.status = PaymentStatus.FAILED

    with pytest.raises(InvalidState):
        document_pdf(payment)
