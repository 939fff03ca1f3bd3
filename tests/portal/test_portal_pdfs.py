"""A member downloads their own invoices, credit notes and receipts as PDFs; anyone else's,
and drafts, are a 404; signed out, the login page."""

import pytest
from django.urls import reverse

from tests.factories import draft_invoice, issued_credit_note, record_payment
from tests.payments.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def _attachment(response, filename: str) -> str:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return pdf_text(response.content)


def test_a_member_downloads_their_invoice_credit_note_and_receipt(member_client, invoice):
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")
    payment = record_payment(invoice, "50.00")

    page = member_client.get(reverse("portal:invoice", args=[invoice.pk])).content.decode()
    invoice_text = _attachment(
        member_client.get(reverse("portal:invoice-pdf", args=[invoice.pk])),
        f"{invoice.number}.pdf",
    )
    credit_text = _attachment(
        member_client.get(reverse("portal:credit-note-pdf", args=[credit_note.pk])),
        f"{credit_note.number}.pdf",
    )
    receipt_text = _attachment(
        member_client.get(reverse("portal:payment-receipt-pdf", args=[payment.pk])),
        f"receipt-{payment.pk}.pdf",
    )

    assert reverse("portal:invoice-pdf", args=[invoice.pk]) in page
    assert reverse("portal:credit-note-pdf", args=[credit_note.pk]) in page
    assert reverse("portal:payment-receipt-pdf", args=[payment.pk]) in page
    assert invoice.number in invoice_text and "Amount due €50.00" in invoice_text
    assert credit_note.number in credit_text
    assert "Amount received €50.00" in receipt_text


def test_another_members_documents_and_drafts_are_404(member_client, customer, stranger_invoice):
    their_credit = issued_credit_note(stranger_invoice, "5.00")
    their_payment = record_payment(stranger_invoice, "5.00")
    own_draft = draft_invoice(customer)

    for url in (
        reverse("portal:invoice-pdf", args=[stranger_invoice.pk]),
        reverse("portal:credit-note-pdf", args=[their_credit.pk]),
        reverse("portal:payment-receipt-pdf", args=[their_payment.pk]),
        reverse("portal:invoice-pdf", args=[own_draft.pk]),
    ):
        assert member_client.get(url).status_code == 404, url


def test_signed_out_the_pdf_asks_to_sign_in(client, invoice):
    response = client.get(reverse("portal:invoice-pdf", args=[invoice.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/?next=")
