"""Apply to an invoice: a credit note's open credit or an advance's payments, from the back
office (Django test client)."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from backoffice.flows import form_token_new
from billing.models import AuditEvent
from invoices.models import CreditNote
from payments.models import Payment, PaymentType
from tests.admin_support import invoice_url, messages_of, staff, submit
from tests.asserts import assert_no_drift, unchanged
from tests.factories import (
    CustomerFactory,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


@pytest.fixture
def open_credit(customer):
    """A credit note of 30.00 on a paid invoice, all of it still open."""
    corrected = issued_invoice(customer, total="100.00")
    record_payment(corrected, "100.00")
    return issued_credit_note(corrected, "30.00")


def apply_url(credit_note, **query) -> str:
    url = reverse("admin:invoices_creditnote_apply", args=[quote(credit_note.pk)])
    return url + (f"?invoice={query['invoice']}" if query else "")


def credit_note_url(credit_note) -> str:
    return reverse("admin:invoices_creditnote_change", args=[quote(credit_note.pk)])


def figures(invoice, credit_note):
    invoice.refresh_from_db()
    credit_note.refresh_from_db()
    return invoice.total_due, credit_note.total_remaining


def test_applying_an_open_credit_note_pays_the_chosen_invoice(
    client, office, customer, open_credit
):
    invoice = issued_invoice(customer, total="80.00")

    response = submit(
        client, apply_url(open_credit), {"invoice": invoice.pk, "amount": "30.00"}, follow=True
    )

    assert figures(invoice, open_credit) == (Decimal("50.00"), Decimal("0.00"))
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    payment = Payment.objects.get(credit_note=open_credit, type=PaymentType.CREDIT_NOTE)
    assert (payment.invoice_id, payment.amount, payment.created_by_id) == (
        invoice.pk,
        Decimal("30.00"),
        office.pk,
    )
    assert AuditEvent.objects.filter(action="payment.recorded", invoice_id=invoice.pk).exists()
    assert messages_of(response) == [
        f"Applied €30.00 of credit note {open_credit.number} to invoice {invoice.number}. "
        "Amount due is now €50.00; €0.00 left to apply."
    ]
    assert_no_drift()


def test_the_form_offers_the_customers_open_invoices_and_the_amount_that_fits(
    client, office, customer, open_credit
):
    small = issued_invoice(customer, total="12.50")
    paid = issued_invoice(customer, total="10.00")
    record_payment(paid, "10.00")
    other = issued_invoice(CustomerFactory(entity=customer.entity), total="50.00")

    response = client.get(apply_url(open_credit))

    form = response.context["form"]
    offered = [value for value, _label in form.fields["invoice"].widget.choices]
    assert offered == [small.pk]
    assert (form.initial["invoice"], form.initial["amount"]) == (small.pk, Decimal("12.50"))
    assert other.pk not in response.content.decode()


def test_the_invoice_page_lists_open_credit_and_leads_to_the_same_flow(
    client, office, customer, open_credit
):
    invoice = issued_invoice(customer, total="80.00")

    page = client.get(invoice_url(invoice)).content.decode()
    preset = client.get(apply_url(open_credit, invoice=invoice.pk))

    assert "Credit to apply" in page
    assert apply_url(open_credit, invoice=invoice.pk) in page
    assert preset.context["form"].initial["amount"] == Decimal("30.00")
    done = submit(
        client,
        apply_url(open_credit, invoice=invoice.pk),
        {"invoice": invoice.pk, "amount": "30.00"},
    )
    assert done.url == invoice_url(invoice)


def test_another_customers_invoice_is_refused_and_nothing_changes(
    client, office, customer, open_credit
):
    other = issued_invoice(CustomerFactory(entity=customer.entity), total="80.00")

    with unchanged():
        response = submit(client, apply_url(open_credit), {"invoice": other.pk, "amount": "10.00"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Both documents must belong to the same customer."
    ]


def test_more_than_remains_is_refused_and_nothing_changes(client, office, customer, open_credit):
    invoice = issued_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client, apply_url(open_credit), {"invoice": invoice.pk, "amount": "30.01"}
        )

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "The amount 30.01 EUR exceeds the credit note's remaining amount (30.00 EUR)."
    ]


def test_more_than_is_due_is_refused_and_nothing_changes(client, office, customer, open_credit):
    invoice = issued_invoice(customer, total="20.00")

    with unchanged():
        response = submit(
            client, apply_url(open_credit), {"invoice": invoice.pk, "amount": "25.00"}
        )

    assert response.context["form"].errors["amount"] == [
        "The amount 25.00 EUR exceeds the invoice's amount due (20.00 EUR)."
    ]


def test_a_void_credit_note_is_refused_and_nothing_changes(client, office, customer, open_credit):
    invoice = issued_invoice(customer, total="80.00")
    CreditNote.objects.filter(pk=open_credit.pk).update(status="void")

    with unchanged():
        response = submit(
            client, apply_url(open_credit), {"invoice": invoice.pk, "amount": "10.00"}
        )

    assert response.status_code == 200
    assert f"Credit note {open_credit.number} is void." in str(
        response.context["form"].non_field_errors()
    )
    note_page = client.get(credit_note_url(open_credit)).content.decode()
    assert 'data-testid="apply-credit"' not in note_page  # offered only while credit is open


def test_without_the_money_permission_the_flow_is_forbidden(client, entity, customer, open_credit):
    invoice = issued_invoice(customer, total="80.00")
    client.force_login(staff(entity, without=["payments.record_payment"]))

    with unchanged():
        denied = submit(client, apply_url(open_credit), {"invoice": invoice.pk, "amount": "10.00"})
    page = client.get(invoice_url(invoice)).content.decode()
    note_page = client.get(credit_note_url(open_credit)).content.decode()

    assert denied.status_code == 403
    assert "Credit to apply" not in page
    assert 'data-testid="apply-credit"' not in note_page


def test_a_double_submit_applies_once(client, office, customer, open_credit):
    invoice = issued_invoice(customer, total="80.00")
    token = form_token_new()
    data = {"invoice": invoice.pk, "amount": "10.00"}

    first = submit(client, apply_url(open_credit), data, token=token)
    second = submit(client, apply_url(open_credit), data, token=token, follow=True)

    assert first.status_code == 302
    assert Payment.objects.filter(credit_note=open_credit, invoice=invoice).count() == 1
    assert figures(invoice, open_credit) == (Decimal("70.00"), Decimal("20.00"))
    assert any(
        message.startswith("This form was already submitted; it was not sent again. Applied")
        for message in messages_of(second)
    )


def test_an_advance_is_applied_to_a_final_invoice(client, office, customer):
    advance = issued_advance(customer, total="40.00")
    record_payment(advance, "40.00")
    invoice = issued_invoice(customer, total="100.00")
    url = invoice_url(advance, "apply")

    assert "Apply to an invoice" in client.get(invoice_url(advance)).content.decode()
    with unchanged():
        too_much = submit(client, url, {"invoice": invoice.pk, "amount": "40.01"})
    response = submit(client, url, {"invoice": invoice.pk, "amount": "40.00"}, follow=True)

    assert too_much.context["form"].errors["amount"] == [
        "The amount 40.01 EUR exceeds the advance's unapplied payments (40.00 EUR)."
    ]
    invoice.refresh_from_db()
    advance.refresh_from_db()
    assert (invoice.total_due, advance.available_to_apply) == (Decimal("60.00"), Decimal("0.00"))
    assert Payment.objects.get(type=PaymentType.ADVANCE).advance_invoice_id == advance.pk
    assert messages_of(response)[0].startswith(
        f"Applied €40.00 of advance invoice {advance.number} to invoice {invoice.number}."
    )
    assert_no_drift()


def test_a_final_invoice_has_no_apply_flow(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")

    assert client.get(invoice_url(invoice, "apply")).status_code == 404


def test_another_entitys_credit_note_answers_404(client, office):
    stranger = CustomerFactory()  # in an entity the office manager is not a member of
    corrected = issued_invoice(stranger, total="50.00")
    record_payment(corrected, "50.00")
    foreign = issued_credit_note(corrected, "20.00")

    with unchanged():
        response = submit(client, apply_url(foreign), {"invoice": corrected.pk, "amount": "5.00"})

    assert response.status_code == 404
