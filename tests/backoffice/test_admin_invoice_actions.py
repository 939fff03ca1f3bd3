"""Invoice actions and credit notes from the invoice page (Django test client)."""

from decimal import Decimal

from billing.models import AuditEvent
from invoices.models import CreditNote
from payments.models import Payment, Refund
from tests.admin_support import invoice_url, messages_of, submit
from tests.asserts import unchanged
from tests.factories import (
    charge_card,
    draft_invoice,
    give_balance,
    invoice_with_items,
    issued_invoice,
    record_payment,
)


def test_issuing_applies_the_money_balance_as_applied_balance(client, office, customer):
    give_balance(customer, "30.00")
    draft = draft_invoice(customer, total="100.00")

    response = submit(client, invoice_url(draft, "issue"), {"apply_balance": "on"}, follow=True)

    draft.refresh_from_db()
    customer.refresh_from_db()
    assert (draft.status, draft.total_due, customer.balance) == (
        "partially_paid",
        Decimal("70.00"),
        Decimal("0.00"),
    )
    assert "Applied €30.00 of the customer's money balance." in messages_of(response)[0]
    assert "Applied balance" in response.content.decode()


def test_issuing_without_the_balance_when_the_admin_opts_out(client, office, customer):
    give_balance(customer, "30.00")
    draft = draft_invoice(customer, total="100.00")

    submit(client, invoice_url(draft, "issue"), {})

    draft.refresh_from_db()
    customer.refresh_from_db()
    assert (draft.status, draft.number.startswith("INV-"), customer.balance) == (
        "issued",
        True,
        Decimal("30.00"),
    )


def test_void_needs_a_reason_and_an_unsettled_invoice(client, office, customer):
    paid = issued_invoice(customer, total="40.00")
    record_payment(paid, "40.00")
    unpaid = issued_invoice(customer, total="40.00")

    with unchanged():
        no_reason = submit(client, invoice_url(unpaid, "void"), {"reason": ""})
        settled = submit(client, invoice_url(paid, "void"), {"reason": "Wrong customer"})
    voided = submit(client, invoice_url(unpaid, "void"), {"reason": "Wrong customer"})

    assert no_reason.context["form"].errors["reason"] == ["This field is required."]
    assert "refund or delete them before voiding" in str(settled.context["form"].non_field_errors())
    assert voided.status_code == 302
    unpaid.refresh_from_db()
    assert (unpaid.status, unpaid.void_reason) == ("void", "Wrong customer")


def test_void_is_offered_only_while_nothing_is_settled(client, office, customer):
    paid = issued_invoice(customer, total="40.00")
    record_payment(paid, "10.00")
    unpaid = issued_invoice(customer, total="40.00")

    offered = [label for label, _url, _style in client.get(invoice_url(unpaid)).context["actions"]]
    on_paid = [label for label, _url, _style in client.get(invoice_url(paid)).context["actions"]]

    assert "Void invoice" in offered
    assert "Void invoice" not in on_paid


def test_write_off_with_a_reason_shows_in_the_history(client, office, customer):
    invoice = issued_invoice(customer, total="40.00")

    submit(client, invoice_url(invoice, "write_off"), {"reason": "Member left the country"})

    invoice.refresh_from_db()
    assert invoice.status == "uncollectible"
    page = client.get(invoice_url(invoice))
    history = page.context["history"]
    assert history[0]["what"] == "Written off as uncollectible"
    assert history[0]["event"].reason == "Member left the country"
    assert history[0]["event"].actor_user == office
    assert "Uncollectible" in page.content.decode()


def test_credit_note_by_quantity_takes_the_credit_off_what_is_due(client, office, customer):
    invoice = invoice_with_items(
        customer, [{"name": "Meeting room", "quantity": 4, "price": "25.00", "tax_rate": "22"}]
    )
    line = invoice.lines.get()

    response = submit(
        client,
        invoice_url(invoice, "credit_note_create"),
        {"reason": "Two hours unused", "date": "2026-03-01", f"line_{line.pk}_quantity": "2"},
        follow=True,
    )

    credit_note = CreditNote.objects.get(invoice=invoice)
    invoice.refresh_from_db()
    assert credit_note.total == Decimal("61.00")
    assert str(credit_note.date) == "2026-03-01"
    assert (invoice.total_due, invoice.total_credited) == (Decimal("61.00"), Decimal("61.00"))
    assert f"Issued credit note {credit_note.number} for €61.00" in messages_of(response)[0]


def test_credit_on_a_paid_invoice_must_say_where_it_goes(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "credit_note_create"),
            {"reason": "Goodwill", "date": "2026-03-01", "fixed_amount": "20.00"},
        )

    assert "say where the credit goes" in str(response.context["form"].non_field_errors())


def test_split_credit_must_add_up(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "100.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "credit_note_create"),
            {
                "reason": "Goodwill",
                "date": "2026-03-01",
                "fixed_amount": "20.00",
                "to_balance": "5.00",
                "outside_amount": "10.00",
                "outside_type": "cash",
            },
        )

    assert "add up to 15.00 but the credit note is 20.00" in str(
        response.context["form"].non_field_errors()
    )


def test_split_credit_to_balance_card_and_outside(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    charge = charge_card(invoice)

    submit(
        client,
        invoice_url(invoice, "credit_note_create"),
        {
            "reason": "Broken desk",
            "date": "2026-03-01",
            "fixed_amount": "30.00",
            "to_balance": "10.00",
            "refund_payment": charge.pk,
            "refund_amount": "15.00",
            "outside_amount": "5.00",
            "outside_type": "cash",
        },
    )

    credit_note = CreditNote.objects.get(invoice=invoice)
    customer.refresh_from_db()
    invoice.refresh_from_db()
    assert (credit_note.total, credit_note.total_remaining) == (Decimal("30.00"), Decimal("0"))
    assert customer.balance == Decimal("10.00")
    assert Refund.objects.get(payment=charge).amount == Decimal("15.00")
    assert Payment.objects.get(credit_note=credit_note, type="cash").amount == Decimal("5.00")
    assert (invoice.status, invoice.total_due) == ("paid", Decimal("0.00"))


def test_credit_beyond_a_line_is_refused_next_to_that_line(client, office, customer):
    invoice = invoice_with_items(customer, [{"name": "Locker", "quantity": 1, "price": "15.00"}])
    line = invoice.lines.get()

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "credit_note_create"),
            {"reason": "Too much", "date": "2026-03-01", f"line_{line.pk}_quantity": "3"},
        )

    assert "left to credit" in response.context["form"].errors[f"line_{line.pk}_quantity"][0]


def test_history_lists_who_did_what_and_why(client, office, customer):
    invoice = issued_invoice(customer, total="50.00")
    payment = record_payment(invoice, "50.00")
    submit(
        client,
        invoice_url(invoice, "payment_refund", payment.pk),
        {"amount": "5.00", "destination": "original", "reason": "Coffee machine broken"},
    )

    history = client.get(invoice_url(invoice)).context["history"]

    refund = next(row for row in history if row["what"] == "Refund created")
    assert refund["event"].reason == "Coffee machine broken"
    assert refund["event"].actor_label == office.username
    assert "amount: €5.00" in refund["change"]
    assert AuditEvent.objects.filter(invoice_id=invoice.pk).count() == len(history)
