"""The invoice page and its Create form through Django's test client: recording external
money and charging saved cards through the services, once per form token."""

from decimal import Decimal

from backoffice.flows import form_token_new
from billing.models import AuditEvent
from payments.models import Payment, PaymentStatus
from tests.admin_support import invoice_url, messages_of, submit
from tests.asserts import unchanged
from tests.factories import (
    SavedCardFactory,
    draft_invoice,
    issued_invoice,
    record_payment,
)


def external(amount, seen_due, **extra):
    return {
        "amount": amount,
        "method": "external",
        "external_type": "bank_transfer",
        "date": "2026-03-02",
        "reference": "",
        "note": "",
        "seen_due": seen_due,
        **extra,
    }


def test_invoice_page_shows_figures_lines_payments_and_history(client, office, customer):
    invoice = issued_invoice(customer, total="250.00")
    record_payment(invoice, "100.00", reference="SEPA-9")

    page = client.get(invoice_url(invoice)).content.decode()

    for text in ["€250.00", "€100.00", "€150.00", "Partially paid", "Desk rental"]:
        assert text in page
    assert "External · Cash" in page
    assert "SEPA-9" in page
    assert "Payment recorded" in page  # history


def test_create_form_prefills_the_amount_due_and_offers_cards_and_external(
    client, office, customer
):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")

    response = client.get(invoice_url(invoice, "payment_create"))

    form = response.context["form"]
    assert form.initial["amount"] == Decimal("80.00")
    labels = [label for _value, label in form.fields["method"].choices]
    assert labels[0].startswith("Visa •••• 4242")
    assert labels[-1].startswith("External")
    assert "method" not in form.initial  # no card is charged unless someone picks it
    assert form["method"].value() is None
    page = response.content.decode()
    assert "checked" not in str(form["method"])
    # Each button says what it does; the page shows the one that fits the chosen method.
    assert 'name="record" value="Record payment"' in page
    assert 'name="charge" value="Charge card"' in page
    assert page.index('name="record"') < page.index('name="charge"')  # Enter records


def test_without_a_saved_card_external_is_chosen_and_only_record_is_offered(
    client, office, customer
):
    invoice = issued_invoice(customer, total="80.00")

    response = client.get(invoice_url(invoice, "payment_create"))

    assert response.context["form"].initial["method"] == "external"
    page = response.content.decode()
    assert 'value="Record payment"' in page
    assert 'value="Charge card"' not in page
    assert "has no saved card: record the payment as External." in page


def test_with_no_method_chosen_the_form_asks_for_one_and_nothing_is_written(
    client, office, customer
):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")
    data = external("30.00", "80.00", record="Record payment")
    del data["method"]

    with unchanged():
        response = submit(client, invoice_url(invoice, "payment_create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["method"] == [
        "Choose how this payment is made: a saved card to charge, or External for money "
        "received outside the app."
    ]
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_record_payment_pressed_with_a_card_chosen_charges_nothing(client, office, customer):
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_create"),
            external("80.00", "80.00", method=card.pk, record="Record payment"),
        )

    assert response.context["form"].errors["method"] == [
        "A saved card is charged, not recorded: press Charge card to charge it, or choose "
        "External for money received outside the app."
    ]
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_charge_card_pressed_with_external_chosen_records_nothing(client, office, customer):
    SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_create"),
            external("80.00", "80.00", charge="Charge card"),
        )

    assert response.context["form"].errors["method"] == [
        "External money is recorded, not charged: choose a saved card to charge, or press "
        "Record payment."
    ]
    assert not Payment.objects.filter(invoice=invoice).exists()


def test_external_payment_is_recorded_and_audited(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")

    response = submit(
        client,
        invoice_url(invoice, "payment_create"),
        external(
            "30.00",
            "80.00",
            external_type="check",
            reference="CHK 1207",
            note="By post",
            record="Record payment",
        ),
    )

    assert response.status_code == 302
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.type, payment.amount, payment.reference, payment.note) == (
        "check",
        Decimal("30.00"),
        "CHK 1207",
        "By post",
    )
    assert str(payment.date) == "2026-03-02"
    assert payment.created_by == office
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("partially_paid", Decimal("50.00"))
    event = AuditEvent.objects.get(object_id=payment.pk, action="payment.recorded")
    assert (event.source, event.actor_user) == ("admin", office)


def test_external_payment_may_exceed_what_is_due(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")

    submit(client, invoice_url(invoice, "payment_create"), external("100.00", "80.00"))

    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due, invoice.display_status) == (
        "paid",
        Decimal("-20.00"),
        "overpaid",
    )


def test_charge_of_a_saved_card(client, office, customer):
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")

    response = submit(
        client,
        invoice_url(invoice, "payment_create"),
        {"amount": "80.00", "method": card.pk, "seen_due": "80.00", "charge": "Charge card"},
        follow=True,
    )

    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.gateway, payment.saved_payment_method) == (
        "succeeded",
        "sandbox",
        card,
    )
    assert "Charged €80.00 to Visa •••• 4242 through Sandbox." in messages_of(response)[0]
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_declined_charge_shows_the_reason_and_stays_as_a_failed_attempt(client, office, customer):
    card = SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined")
    invoice = issued_invoice(customer, total="80.00")

    response = submit(
        client,
        invoice_url(invoice, "payment_create"),
        {"amount": "80.00", "method": card.pk, "seen_due": "80.00"},
        follow=True,
    )

    assert "was declined: Your card was declined. (card_declined)" in messages_of(response)[0]
    payment = Payment.objects.get(invoice=invoice)
    assert (payment.status, payment.failure_code) == ("failed", "card_declined")
    assert "Declined: Your card was declined." in response.content.decode()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.total_due) == ("issued", Decimal("80.00"))


def test_charge_needing_authentication_says_so(client, office, customer):
    card = SavedCardFactory(customer=customer, gateway_reference="pm_card_authenticationRequired")
    invoice = issued_invoice(customer, total="80.00")

    response = submit(
        client,
        invoice_url(invoice, "payment_create"),
        {"amount": "80.00", "method": card.pk, "seen_due": "80.00"},
        follow=True,
    )

    assert "needs the card holder's authentication" in messages_of(response)[0]
    assert Payment.objects.get(invoice=invoice).status == PaymentStatus.REQUIRES_ACTION


def test_charge_above_the_amount_due_is_refused_next_to_the_amount(client, office, customer):
    card = SavedCardFactory(customer=customer)
    invoice = issued_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_create"),
            {"amount": "90.00", "method": card.pk, "seen_due": "80.00"},
        )

    assert response.status_code == 200
    assert "exceeds the amount due" in response.context["form"].errors["amount"][0]


def test_a_stale_page_is_refused_with_the_new_amount_due(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")
    url = invoice_url(invoice, "payment_create")
    opened = client.get(url).context["form"].initial["seen_due"]
    record_payment(invoice, "30.00")  # someone else, meanwhile

    with unchanged():
        response = submit(client, url, external("80.00", opened))

    error = response.context["form"].errors["amount"][0]
    assert "The amount due changed from €80.00 to €50.00" in error
    assert response.context["form"]["seen_due"].value() == "50.00"
    # Sent again after reading the warning, it goes through.
    submit(client, url, external("50.00", "50.00"))
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_the_same_form_sent_twice_records_one_payment(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")
    url = invoice_url(invoice, "payment_create")
    token = form_token_new()

    first = submit(client, url, external("30.00", "80.00"), token=token)
    second = submit(client, url, external("30.00", "80.00"), token=token, follow=True)

    assert first.status_code == 302
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert "already submitted" in messages_of(second)[-1]
    invoice.refresh_from_db()
    assert invoice.total_due == Decimal("50.00")


def test_a_refused_submission_frees_its_token_for_the_corrected_form(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")
    url = invoice_url(invoice, "payment_create")
    token = form_token_new()

    refused = submit(client, url, external("30.005", "80.00"), token=token)
    accepted = submit(client, url, external("30.00", "80.00"), token=token)

    assert "more decimals than EUR allows" in refused.context["form"].errors["amount"][0]
    assert accepted.status_code == 302
    assert Payment.objects.get(invoice=invoice).amount == Decimal("30.00")


def test_external_payment_needs_its_type(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client,
            invoice_url(invoice, "payment_create"),
            external("10.00", "80.00", external_type=""),
        )

    assert response.context["form"].errors["external_type"] == ["Choose how the money arrived."]


def test_a_draft_takes_no_payment(client, office, customer):
    invoice = draft_invoice(customer, total="80.00")

    with unchanged():
        response = submit(
            client, invoice_url(invoice, "payment_create"), external("10.00", "80.00")
        )

    assert "payments can only be recorded on issued invoices" in str(
        response.context["form"].non_field_errors()
    )


def test_a_resubmission_while_the_first_is_in_flight_answers_at_once(client, office, customer):
    """A double click lands while the first submission still runs (a slow gateway call):
    the second answers at once and changes nothing, instead of holding a worker waiting."""
    import time

    from billing.models import Submission

    invoice = issued_invoice(customer, total="80.00")
    url = invoice_url(invoice, "payment_create")
    token = form_token_new()
    Submission.objects.create(
        door="admin", owner=office.pk, key=token, fingerprint=f"payment.create {invoice.pk}"
    )

    started = time.monotonic()
    with unchanged():
        second = submit(client, url, external("30.00", "80.00"), token=token)
    elapsed = time.monotonic() - started

    assert elapsed < 2.0
    assert second.status_code == 302
    assert second.url == invoice_url(invoice) + "#payments"
    followed = client.get(second.url)
    assert messages_of(followed) == [
        "This form was already submitted and is still being processed; it was not sent "
        "again. Reload the page in a moment to see the result."
    ]
    in_flight = Submission.objects.get(door="admin", owner=office.pk, key=token)
    assert in_flight.state == Submission.State.IN_PROGRESS


def test_an_amount_typed_with_a_decimal_comma_is_recorded_as_meant(client, office, customer):
    invoice = issued_invoice(customer, total="80.00")

    submit(client, invoice_url(invoice, "payment_create"), external("12,50", "80.00"))

    assert Payment.objects.get(invoice=invoice).amount == Decimal("12.50")
