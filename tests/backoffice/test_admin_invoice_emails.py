"""Send an invoice by e-mail from its page, see every e-mail in its history, pause its
reminders (Django test client)."""

import pytest
from django.core import mail

from billing.models import AuditEvent, SentEmail
from tests.admin_support import invoice_url, messages_of, staff, submit
from tests.factories import (
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    issued_credit_note,
    issued_invoice,
)


@pytest.fixture
def invoice(customer):
    return issued_invoice(customer, total="120.00")


def test_the_send_page_says_to_whom_and_what_before_the_click(client, office, invoice):
    page = client.get(invoice_url(invoice, "send"))

    assert page.status_code == 200
    text = page.content.decode()
    assert invoice.customer.email in text and f"{invoice.number}.pdf" in text
    assert mail.outbox == []


def test_sending_e_mails_the_invoice_and_shows_it_in_the_history(client, office, invoice):
    response = submit(client, invoice_url(invoice, "send"), {}, follow=True)

    assert messages_of(response) == [f"Sent {invoice.number} to {invoice.customer.email}."]
    (message,) = mail.outbox
    assert message.attachments[0][0] == f"{invoice.number}.pdf"
    page = client.get(invoice_url(invoice)).content.decode()
    assert 'data-testid="emails"' in page and message.subject in page


def test_the_same_form_sent_twice_e_mails_once(client, office, invoice):
    token = "send-once-token-0123456789"
    submit(client, invoice_url(invoice, "send"), {}, token=token)
    submit(client, invoice_url(invoice, "send"), {}, token=token)

    assert len(mail.outbox) == 1 and SentEmail.objects.count() == 1


def test_a_customer_without_an_address_gets_a_form_error_and_nothing_is_sent(client, office):
    invoice = issued_invoice(CustomerFactory(entity=office.entities.get(), email=""))

    response = submit(client, invoice_url(invoice, "send"), {})

    assert response.status_code == 200
    assert "has no billing e-mail address" in response.content.decode()
    assert mail.outbox == [] and not SentEmail.objects.exists()


def test_a_draft_has_no_send_button_and_cannot_be_sent(client, office, customer):
    draft = draft_invoice(customer)

    assert "Send by e-mail" not in client.get(invoice_url(draft)).content.decode()
    response = submit(client, invoice_url(draft, "send"), {})
    assert "Only an issued invoice can be sent" in response.content.decode()
    assert mail.outbox == []


def test_another_entitys_invoice_cannot_be_sent(client, office):
    foreign = issued_invoice(CustomerFactory(entity=EntityFactory()))

    assert submit(client, invoice_url(foreign, "send"), {}).status_code == 404
    assert mail.outbox == []


def test_sending_needs_the_issue_permission(client, entity, invoice):
    client.force_login(staff(entity, without=("invoices.issue_invoice",)))

    assert submit(client, invoice_url(invoice, "send"), {}).status_code == 403
    assert mail.outbox == []


def test_reminders_are_paused_and_resumed_from_the_page(client, office, invoice):
    response = client.post(invoice_url(invoice, "reminders"), {"paused": "1"}, follow=True)

    invoice.refresh_from_db()
    assert invoice.reminders_paused is True
    assert "Reminders are paused for this invoice." in response.content.decode()
    client.post(invoice_url(invoice, "reminders"), {"paused": "0"})
    invoice.refresh_from_db()
    assert invoice.reminders_paused is False
    assert list(
        AuditEvent.objects.filter(invoice_id=invoice.pk, action__startswith="invoice.reminders")
        .order_by("created_at", "id")
        .values_list("action", flat=True)
    ) == ["invoice.reminders_paused", "invoice.reminders_resumed"]


def test_pausing_is_a_post_only_action(client, office, invoice):
    assert client.get(invoice_url(invoice, "reminders")).status_code == 405


def credit_note_url(credit_note, name="change") -> str:
    from django.contrib.admin.utils import quote
    from django.urls import reverse

    return reverse(f"admin:invoices_creditnote_{name}", args=[quote(credit_note.pk)])


def test_a_credit_note_is_sent_from_its_page_and_listed_there(client, office, invoice):
    credit_note = issued_credit_note(invoice, "20.00", to="invoice")

    assert "Send by e-mail" in client.get(credit_note_url(credit_note)).content.decode()
    response = submit(client, credit_note_url(credit_note, "send"), {}, follow=True)

    assert messages_of(response) == [f"Sent {credit_note.number} to {invoice.customer.email}."]
    assert mail.outbox[0].attachments[0][0] == f"{credit_note.number}.pdf"
    assert mail.outbox[0].subject in response.content.decode()


def test_another_entitys_credit_note_cannot_be_sent(client, office):
    foreign = issued_invoice(CustomerFactory(entity=EntityFactory()))
    credit_note = issued_credit_note(foreign, "5.00", to="invoice")

    assert submit(client, credit_note_url(credit_note, "send"), {}).status_code == 404
    assert mail.outbox == []


def test_an_invoice_ticked_to_be_sent_on_issue_is_e_mailed_with_its_pdf(
    client, office, customer, django_capture_on_commit_callbacks
):
    draft = draft_invoice(customer)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client, invoice_url(draft, "issue"), {"send_email": "on"}, follow=True)

    draft.refresh_from_db()
    assert draft.status == "issued"
    assert f"It is being e-mailed to {customer.email}." in messages_of(response)[0]
    (message,) = mail.outbox
    assert message.subject == f"Invoice {draft.number} from {customer.entity.name}"
    assert SentEmail.objects.get().actor_label == "On issue"


def test_an_invoice_issued_without_the_tick_is_not_e_mailed(
    client, office, customer, django_capture_on_commit_callbacks
):
    draft = draft_invoice(customer)

    with django_capture_on_commit_callbacks(execute=True):
        submit(client, invoice_url(draft, "issue"), {})

    assert mail.outbox == [] and not SentEmail.objects.exists()
