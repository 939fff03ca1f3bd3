"""`POST /api/v1/{invoices,advance-invoices,credit-notes}/{id}/send`: the document e-mailed with
its PDF, answered with the record kept in its history; refusals send and keep nothing."""

import pytest
from django.core import mail

from billing.models import SentEmail
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    issued_advance,
    issued_credit_note,
    issued_invoice,
)

pytestmark = pytest.mark.django_db


def test_an_invoice_is_sent_and_the_answer_is_the_kept_e_mail(api, customer):
    invoice = issued_invoice(customer, total="120.00")

    response = api.post(f"invoices/{invoice.pk}/send", {})

    assert response.status == 201
    email = SentEmail.objects.get()
    assert response.body == {
        "id": email.pk,
        "object": "email",
        "kind": "invoice",
        "to": [customer.email],
        "subject": f"Invoice {invoice.number} from {customer.entity.name}",
        "language": "en",
        "attachments": [f"{invoice.number}.pdf"],
        "status": "sent",
        "invoice_id": invoice.pk,
        "credit_note_id": None,
        "created_at": response.body["created_at"],
    }
    assert mail.outbox[0].attachments[0][0] == f"{invoice.number}.pdf"


def test_an_advance_invoice_and_a_credit_note_are_sent(api, customer):
    advance = issued_advance(customer, total="300.00")
    credit_note = issued_credit_note(issued_invoice(customer, total="50.00"), "5.00", to="invoice")

    sent_advance = api.post(f"advance-invoices/{advance.pk}/send", {})
    sent_credit = api.post(f"credit-notes/{credit_note.pk}/send", {})

    assert (sent_advance.status, sent_advance.body["kind"]) == (201, "invoice")
    assert sent_advance.body["subject"].startswith(f"Advance invoice {advance.number}")
    assert (sent_credit.status, sent_credit.body["kind"]) == (201, "credit_note")
    assert len(mail.outbox) == 2


def test_a_draft_is_refused_with_a_code_and_nothing_is_sent(api, customer):
    draft = draft_invoice(customer)

    response = api.post(f"invoices/{draft.pk}/send", {})

    assert response.status == 409 and response.error["code"] == "invoice_not_issued"
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_a_customer_without_an_address_is_refused(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity, email=""))

    response = api.post(f"invoices/{invoice.pk}/send", {})

    assert response.status == 400 and response.error["code"] == "customer_has_no_email"
    assert mail.outbox == []


def test_another_entitys_invoice_is_not_found(api):
    foreign = issued_invoice(CustomerFactory(entity=EntityFactory()))

    assert api.post(f"invoices/{foreign.pk}/send", {}).status == 404
    assert mail.outbox == []


def test_a_mail_server_refusal_is_a_502_and_kept_as_failed(api, customer, monkeypatch):
    invoice = issued_invoice(customer)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.message.EmailMessage.send", refuse)
    response = api.post(f"invoices/{invoice.pk}/send", {})

    assert response.status == 502 and response.error["code"] == "email_failed"
    assert SentEmail.objects.get().status == "failed"
