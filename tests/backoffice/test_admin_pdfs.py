"""The back office's "Download PDF" buttons: invoice, advance invoice, credit note, receipt;
another entity's document is a 404."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from tests.admin_support import invoice_url
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)
from tests.payments.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


def _pdf(response, filename: str) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return pdf_text(response.content)


def test_the_invoice_page_downloads_its_pdf_and_each_receipt(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")
    payment = record_payment(invoice, "30.00")
    pdf_url = invoice_url(invoice, "pdf")
    receipt_url = invoice_url(invoice, "payment_receipt_pdf", payment.pk)

    page = client.get(invoice_url(invoice)).content.decode()

    assert pdf_url in page and "Download PDF" in page
    assert receipt_url in page
    assert "Amount due €50.00" in _pdf(client.get(pdf_url), f"{invoice.number}.pdf")
    assert "Amount received €30.00" in _pdf(client.get(receipt_url), f"receipt-{payment.pk}.pdf")


def test_the_advance_invoice_and_credit_note_pages_download_their_pdfs(client, office, customer):
    advance = issued_advance(customer, total="200.00")
    credit_note = issued_credit_note(issued_invoice(customer), "10.00")
    advance_pdf = reverse("admin:invoices_advanceinvoice_pdf", args=[quote(advance.pk)])
    credit_pdf = reverse("admin:invoices_creditnote_pdf", args=[quote(credit_note.pk)])
    credit_page = reverse("admin:invoices_creditnote_change", args=[quote(credit_note.pk)])

    assert (
        advance_pdf
        in client.get(
            reverse("admin:invoices_advanceinvoice_change", args=[quote(advance.pk)])
        ).content.decode()
    )
    assert credit_pdf in client.get(credit_page).content.decode()
    assert "Advance invoice" in _pdf(client.get(advance_pdf), f"{advance.number}.pdf")
    assert credit_note.number in _pdf(client.get(credit_pdf), f"{credit_note.number}.pdf")


def test_the_payment_page_downloads_the_receipt(client, office, customer):
    payment = record_payment(issued_invoice(customer), "25.00")
    receipt = reverse("admin:payments_payment_receipt_pdf", args=[quote(payment.pk)])

    page = client.get(reverse("admin:payments_payment_change", args=[quote(payment.pk)]))

    assert receipt in page.content.decode()
    assert "Amount received €25.00" in _pdf(client.get(receipt), f"receipt-{payment.pk}.pdf")


def test_another_entitys_documents_are_404(client, office):
    theirs = CustomerFactory(entity=EntityFactory())
    invoice = issued_invoice(theirs)
    payment = record_payment(invoice, "5.00")
    credit_note = issued_credit_note(invoice, "5.00")

    for url in (
        invoice_url(invoice, "pdf"),
        invoice_url(invoice, "payment_receipt_pdf", payment.pk),
        reverse("admin:invoices_creditnote_pdf", args=[quote(credit_note.pk)]),
        reverse("admin:payments_payment_receipt_pdf", args=[quote(payment.pk)]),
    ):
        assert client.get(url).status_code == 404, url
