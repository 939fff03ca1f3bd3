"""Document e-mails: an invoice sent with its PDF, in the customer's language, each kept in
the document's history, and refusals that send and keep nothing."""

from decimal import Decimal

import pytest
from django.core import mail

from billing.errors import InvalidState, ValidationError
from billing.models import SentEmail
from payments.emails import credit_note_send, invoice_send
from tests.factories import (
    CustomerFactory,
    draft_invoice,
    invoice_with_items,
    issued_credit_note,
    record_payment,
)

pytestmark = pytest.mark.django_db


def _invoice(customer, price="1234.50"):
    return invoice_with_items(customer, [{"name": "Hot desk, March", "price": Decimal(price)}])


def test_an_invoice_is_sent_with_its_pdf_a_link_to_pay_and_a_copy_to_each_address():
    customer = CustomerFactory(email="ap@example.com", cc_emails=["boss@example.com"])
    invoice = _invoice(customer)

    email = invoice_send(invoice=invoice, actor_label="office")

    (message,) = mail.outbox
    assert message.to == ["ap@example.com"]
    assert message.cc == ["boss@example.com"]
    assert message.subject == f"Invoice {invoice.number} from {customer.entity.name}"
    assert "Amount due: €1,234.50" in message.body
    assert f"Pay online: http://127.0.0.1:8000/portal/invoices/{invoice.pk}/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "€1,234.50" in html and invoice.number in html
    ((filename, content, attachment_type),) = message.attachments
    assert filename == f"{invoice.number}.pdf" and attachment_type == "application/pdf"
    assert content.startswith(b"%PDF")
    assert email.status == SentEmail.Status.SENT
    assert (email.kind, email.invoice_id, email.to) == (
        "invoice",
        invoice.pk,
        ["ap@example.com", "boss@example.com"],
    )
    assert email.attachments == [f"{invoice.number}.pdf"] and email.actor_label == "office"


def test_a_german_customer_reads_the_invoice_e_mail_in_german_with_german_money():
    customer = CustomerFactory(language="de")
    invoice = _invoice(customer)

    invoice_send(invoice=invoice)

    (message,) = mail.outbox
    assert message.subject == f"Rechnung {invoice.number} von {customer.entity.name}"
    assert f"anbei erhalten Sie die Rechnung {invoice.number}." in message.body
    assert "Offener Betrag: 1.234,50\xa0€" in message.body
    assert SentEmail.objects.get().language == "de"


def test_an_entity_in_german_writes_to_customers_without_a_language_of_their_own():
    customer = CustomerFactory(language="")
    customer.entity.language = "de"
    customer.entity.save()

    invoice_send(invoice=_invoice(customer))

    assert mail.outbox[0].subject.startswith("Rechnung ")


def test_a_paid_invoice_is_sent_without_a_link_to_pay():
    customer = CustomerFactory()
    invoice = _invoice(customer, "50.00")
    record_payment(invoice, "50.00")
    invoice.refresh_from_db()

    invoice_send(invoice=invoice)

    assert "Pay online" not in mail.outbox[-1].body
    assert "Amount due: €0.00" in mail.outbox[-1].body


def test_a_draft_cannot_be_sent_and_nothing_is_kept():
    draft = draft_invoice(CustomerFactory())

    with pytest.raises(InvalidState) as refused:
        invoice_send(invoice=draft)

    assert refused.value.code == "invoice_not_issued"
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_a_customer_without_an_address_is_refused_and_nothing_is_kept():
    invoice = _invoice(CustomerFactory(email=""))

    with pytest.raises(ValidationError) as refused:
        invoice_send(invoice=invoice)

    assert refused.value.code == "customer_has_no_email"
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_a_mail_server_failure_is_kept_as_failed_in_the_history(settings, monkeypatch):
    invoice = _invoice(CustomerFactory())

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    email = invoice_send(invoice=invoice)

    assert email.status == SentEmail.Status.FAILED
    assert "mail server down" in email.error


def test_a_credit_note_is_sent_with_its_pdf():
    customer = CustomerFactory()
    invoice = _invoice(customer, "100.00")
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")

    credit_note_send(credit_note=credit_note)

    (message,) = mail.outbox
    assert message.subject == f"Credit note {credit_note.number} from {customer.entity.name}"
    assert f"for invoice {invoice.number}" in message.body
    assert "Amount: €20.00" in message.body
    assert message.attachments[0][0] == f"{credit_note.number}.pdf"
    email = SentEmail.objects.get()
    assert (email.kind, email.credit_note_id, email.invoice_id) == (
        "credit_note",
        credit_note.pk,
        invoice.pk,
    )
