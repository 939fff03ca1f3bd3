"""The `…` menu of each payment through Django's test client: Refund, Edit, Delete, Retry,
and moving an overpayment to the money balance — each through its service."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.models import Payment, Refund
from tests.admin_support import invoice_url, messages_of, submit
from tests.asserts import unchanged
from tests.factories import SavedCardFactory, charge_card, issued_invoice, record_payment


def test_refund_part_of_an_external_payment(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")

    form = client.get(invoice_url(invoice, "payment_refund", payment.pk)).context["form"]
    response = submit(
        client,
        invoice_url(invoice, "payment_refund", payment.pk),
        {"amount": "20.00", "destination": "original", "reason": "Double booking"},
    )

    assert form.initial["amount"] == Decimal("100.00")
    assert response.status_code == 302
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount, refund.status, refund.reason, refund.created_by) == (
        Decimal("20.00"),
        "succeeded",
        "Double booking",
        office,
    )
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("80.00"), "partially_paid")


def test_refund_to_the_customer_balance(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")

    submit(
        client,
        invoice_url(invoice, "payment_refund", payment.pk),
        {"amount": "25.00", "destination": "customer_balance", "reason": "Keep as credit"},
    )

    customer.refresh_from_db()
    assert customer.balance == Decimal("25.00")


def test_card_refund_goes_back_through_the_gateway(client, office, customer):
    invoice = issued_invoice(customer, total="60.00")
    payment = charge_card(invoice)

    response = submit(
        client,
        invoice_url(invoice, "payment_refund", payment.pk),
        {"amount": "60.00", "destination": "original", "reason": "Cancelled booking"},
        follow=True,
    )

    refund = Refund.objects.get(payment=payment)
    assert refund.status == "succeeded"
    assert refund.gateway_reference.startswith("sbx_re_")
    assert "Refunded €60.00" in messages_of(response)[0]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "150.00", "reason": "Too much"}, "amount", "exceeds the refundable amount"),
        ({"amount": "10.00", "reason": ""}, "reason", "This field is required."),
        ({"amount": "0", "reason": "Zero"}, "amount", "greater than zero"),
    ],
)
def test_refund_errors_show_on_the_form(client, office, customer, data, field, message):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_refund", payment.pk),
            {"destination": "original", **data},
        )

    assert message in response.context["form"].errors[field][0]


def test_edit_reference_note_and_date_through_the_service(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")

    submit(
        client,
        invoice_url(invoice, "payment_edit", payment.pk),
        {"date": "2026-02-01", "reference": "SEPA 77", "note": "Matched on the statement"},
    )

    payment.refresh_from_db()
    assert (str(payment.date), payment.reference, payment.note) == (
        "2026-02-01",
        "SEPA 77",
        "Matched on the statement",
    )
    event = AuditEvent.objects.get(object_id=payment.pk, action="payment.updated")
    assert event.after["reference"] == "SEPA 77"


@pytest.mark.parametrize("day", ["2024-02-28T25:61:00Z", "2024-02-30", "2024-02-28junk"])
def test_edit_with_an_impossible_date_is_refused_on_the_form(client, office, customer, day):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00", date="2024-01-10")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_edit", payment.pk),
            {"date": day, "reference": "SEPA 77", "note": ""},
        )

    assert response.status_code == 200
    assert response.context["form"].errors == {"date": ["Enter a valid date."]}


def test_each_flow_tells_the_amount_due_it_left(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    card = SavedCardFactory(customer=customer)

    recorded = submit(
        client,
        invoice_url(invoice, "payment_create"),
        {
            "amount": "30.00",
            "method": "external",
            "external_type": "cash",
            "date": "2026-03-02",
            "seen_due": "100.00",
        },
        follow=True,
    )
    charged = submit(
        client,
        invoice_url(invoice, "payment_create"),
        {"amount": "50.00", "method": card.pk, "seen_due": "70.00"},
        follow=True,
    )
    cash = invoice.payments.get(type="cash")
    refunded = submit(
        client,
        invoice_url(invoice, "payment_refund", cash.pk),
        {"amount": "10.00", "destination": "original", "reason": "Change given"},
        follow=True,
    )
    other = record_payment(invoice, "5.00")
    deleted = submit(
        client,
        invoice_url(invoice, "payment_delete", other.pk),
        {"reason": "Recorded twice"},
        follow=True,
    )

    assert "Amount due is now €70.00." in messages_of(recorded)[0]
    assert "Amount due is now €20.00." in messages_of(charged)[0]
    assert "Amount due is now €30.00." in messages_of(refunded)[0]
    assert "Amount due is now €30.00." in messages_of(deleted)[0]


def test_delete_an_external_payment_with_a_reason(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")

    submit(client, invoice_url(invoice, "payment_delete", payment.pk), {"reason": "Recorded twice"})

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert (payment.is_deleted, payment.delete_reason) == (True, "Recorded twice")
    assert (invoice.status, invoice.total_due) == ("issued", Decimal("100.00"))


def test_a_card_payment_has_no_delete_page(client, office, customer):
    invoice = issued_invoice(customer, total="60.00")
    payment = charge_card(invoice)

    with unchanged():
        response = submit(
            client, invoice_url(invoice, "payment_delete", payment.pk), {"reason": "Oops"}
        )

    assert response.status_code == 404


def test_a_payment_with_refunds_cannot_be_deleted(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")
    submit(
        client,
        invoice_url(invoice, "payment_refund", payment.pk),
        {"amount": "10.00", "destination": "original", "reason": "Partly back"},
    )

    with unchanged():
        response = submit(
            client, invoice_url(invoice, "payment_delete", payment.pk), {"reason": "Oops"}
        )

    assert "cannot be deleted" in str(response.context["form"].non_field_errors())


def test_retry_a_failed_charge_with_another_card(client, office, customer):
    declined = SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined")
    good = SavedCardFactory(customer=customer, last4="4242")
    invoice = issued_invoice(customer, total="45.00")
    failed = charge_card(invoice, card=declined)

    submit(client, invoice_url(invoice, "payment_retry", failed.pk), {"method": good.pk})

    retry = Payment.objects.get(retry_of=failed)
    assert (retry.status, retry.saved_payment_method, retry.amount) == (
        "succeeded",
        good,
        Decimal("45.00"),
    )


def test_move_excess_to_the_money_balance(client, office, customer):
    invoice = issued_invoice(customer, total="90.00")
    record_payment(invoice, "100.00")

    form = client.get(invoice_url(invoice, "move_excess")).context["form"]
    submit(client, invoice_url(invoice, "move_excess"), {"amount": "10.00"})

    assert form.initial["amount"] == Decimal("10.00")
    invoice.refresh_from_db()
    customer.refresh_from_db()
    assert (invoice.total_due, invoice.status, customer.balance) == (
        Decimal("0.00"),
        "paid",
        Decimal("10.00"),
    )


def test_each_payment_menu_offers_only_what_applies(client, office, customer):
    declined = SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined")
    invoice = issued_invoice(customer, total="100.00")
    failed = charge_card(invoice, card=declined)
    cash = record_payment(invoice, "40.00")

    rows = client.get(invoice_url(invoice)).context["payment_rows"]
    menus = {row["payment"].pk: [label for label, _url in row["menu"]] for row in rows}

    assert menus[cash.pk] == ["Refund", "Edit reference, note, date", "Delete"]
    assert menus[failed.pk] == ["Edit reference, note, date", "Retry"]
