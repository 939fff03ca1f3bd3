"""Recording payments (`payment_record`): input checks, document rules and settlement."""

from decimal import Decimal

import pytest

from billing.errors import CurrencyMismatch, InvalidAmount, InvalidState, NotFound, ValidationError
from billing.models import AuditEvent
from payments.models import EXTERNAL_TYPES, Payment
from payments.services import invoice_void, payment_record
from payments.services.recording import check_type_and_references
from tests.asserts import assert_no_drift, refused
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    draft_invoice,
    give_balance,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


def record(invoice, amount, type="cash", **kwargs):
    kwargs.setdefault("invoice_id", invoice.pk)
    return payment_record(entity=invoice.entity, actor=SYSTEM, amount=amount, type=type, **kwargs)


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (Decimal("0"), "amount_not_positive"),
        (Decimal("-10.00"), "amount_not_positive"),
        (Decimal("NaN"), "invalid_amount"),
        (Decimal("Infinity"), "invalid_amount"),
        ("-Infinity", "invalid_amount"),
        (10.5, "invalid_amount"),
        ("ten", "invalid_amount"),
        (None, "invalid_amount"),
        (Decimal("12.345"), "too_many_decimals"),
        (Decimal(10) ** 13, "amount_too_large"),
    ],
)
def test_payment_with_an_invalid_amount_is_refused(customer, amount, code):
    invoice = issued_invoice(customer, total="100.00")

    with refused(InvalidAmount, code, "amount"):
        record(invoice, amount)


def test_payment_amount_in_exponent_notation_is_recorded_exactly(customer):
    invoice = issued_invoice(customer, total="1000.00")

    payment = record(invoice, "1e3")

    payment.refresh_from_db()
    assert payment.amount == Decimal("1000.00")
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_payment_in_yen_must_be_whole_yen(db):
    customer = CustomerFactory(entity=EntityFactory(default_currency="JPY"))
    invoice = issued_invoice(customer, total="5000")

    with refused(InvalidAmount, "too_many_decimals"):
        record(invoice, Decimal("1.5"))

    payment = record(invoice, Decimal("1500"))
    assert payment.amount == Decimal("1500")
    assert payment.currency == "JPY"


def test_payment_takes_its_currency_from_the_invoice(customer):
    invoice = issued_invoice(customer, total="100.00", currency="USD")

    payment = record(invoice, Decimal("10.00"))

    assert customer.currency == "EUR"
    assert payment.currency == "USD"


# --- which documents may be paid --------------------------------------------------------------


def test_payment_on_a_draft_invoice_is_refused(customer):
    invoice = draft_invoice(customer)

    with refused(InvalidState, "invoice_not_payable", "invoice_id"):
        record(invoice, Decimal("10.00"))


def test_payment_on_a_void_invoice_is_refused(customer):
    invoice = issued_invoice(customer)
    invoice_void(invoice=invoice, actor=SYSTEM, reason="Mistake")

    with refused(InvalidState, "invoice_not_payable"):
        record(invoice, Decimal("10.00"))


def test_payment_on_a_draft_advance_is_refused(customer):
    advance = draft_invoice(customer, kind="advance")

    with refused(InvalidState, "invoice_not_payable", "advance_invoice_id"):
        record(advance, Decimal("10.00"), invoice_id=None, advance_invoice_id=advance.pk)


def test_another_entitys_invoice_is_not_found(customer):
    foreign = issued_invoice(CustomerFactory(), total="100.00")

    with refused(NotFound, "resource_missing", "invoice_id"):
        payment_record(
            entity=customer.entity,
            actor=SYSTEM,
            amount=Decimal("10.00"),
            type="cash",
            invoice_id=foreign.pk,
        )


def test_unknown_invoice_id_is_not_found(customer):
    with refused(NotFound, "resource_missing", "invoice_id"):
        payment_record(
            entity=customer.entity,
            actor=SYSTEM,
            amount=Decimal("10.00"),
            type="cash",
            invoice_id="inv_doesnotexist",
        )


def test_an_advance_id_passed_as_invoice_id_is_not_found(customer):
    advance = issued_advance(customer)

    with refused(NotFound, "resource_missing", "invoice_id"):
        record(advance, Decimal("10.00"), invoice_id=advance.pk)


def test_another_entitys_credit_note_is_not_found(customer):
    invoice = issued_invoice(customer, total="100.00")
    foreign_invoice = issued_invoice(CustomerFactory(), total="100.00")
    foreign_note = issued_credit_note(foreign_invoice, "10.00")

    with refused(NotFound, "resource_missing", "credit_note_id"):
        record(invoice, Decimal("10.00"), type="credit_note", credit_note_id=foreign_note.pk)


def test_another_customers_credit_note_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    other = CustomerFactory(entity=customer.entity)
    other_invoice = issued_invoice(other, total="100.00")
    other_note = issued_credit_note(other_invoice, "10.00")

    with refused(ValidationError, "customer_mismatch", "credit_note_id"):
        record(invoice, Decimal("10.00"), type="credit_note", credit_note_id=other_note.pk)


def test_another_customers_advance_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")
    other_advance = issued_advance(CustomerFactory(entity=customer.entity), total="50.00")
    record_payment(other_advance, "50.00")

    with refused(ValidationError, "customer_mismatch", "advance_invoice_id"):
        record(invoice, Decimal("10.00"), type="advance", advance_invoice_id=other_advance.pk)


def test_credit_note_in_another_currency_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00", currency="EUR")
    usd_invoice = issued_invoice(customer, total="100.00", currency="USD")
    usd_note = issued_credit_note(usd_invoice, "10.00")

    with refused(CurrencyMismatch, "currency_mismatch", "credit_note_id"):
        record(invoice, Decimal("10.00"), type="credit_note", credit_note_id=usd_note.pk)


def test_advance_in_another_currency_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00", currency="EUR")
    usd_advance = issued_advance(customer, total="50.00", currency="USD")
    record_payment(usd_advance, "50.00")

    with refused(CurrencyMismatch, "currency_mismatch", "advance_invoice_id"):
        record(invoice, Decimal("10.00"), type="advance", advance_invoice_id=usd_advance.pk)


def test_balance_in_another_currency_cannot_pay_an_invoice(customer):
    give_balance(customer, "50.00")
    usd_invoice = issued_invoice(customer, total="100.00", currency="USD")

    with refused(CurrencyMismatch, "currency_mismatch", "invoice_id"):
        record(usd_invoice, Decimal("10.00"), type="customer_balance")


# --- settlement -------------------------------------------------------------------------------


def test_partial_payment_makes_the_invoice_partially_paid(customer):
    invoice = issued_invoice(customer, total="100.00")

    record(invoice, Decimal("40.00"))

    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.total_paid == Decimal("40.00")
    assert invoice.total_due == Decimal("60.00")
    assert invoice.paid_in_full is False


def test_payments_adding_up_to_the_total_make_the_invoice_paid(customer):
    invoice = issued_invoice(customer, total="100.00")

    record(invoice, Decimal("40.00"))
    record(invoice, Decimal("60.00"), type="bank_transfer")

    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.total_paid == Decimal("100.00")
    assert invoice.total_due == Decimal("0.00")
    assert invoice.paid_in_full is True
    assert invoice.display_status == "paid"
    assert_no_drift()


def test_external_payment_above_the_due_amount_makes_the_invoice_overpaid(customer):
    invoice = issued_invoice(customer, total="100.00")

    record(invoice, Decimal("130.00"))

    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.total_paid == Decimal("130.00")
    assert invoice.total_due == Decimal("-30.00")
    assert invoice.overpaid_amount == Decimal("30.00")
    assert invoice.paid_in_full is True
    assert invoice.display_status == "overpaid"


def test_external_payment_on_a_paid_invoice_is_accepted_as_overpayment(customer):
    invoice = issued_invoice(customer, total="100.00")
    record(invoice, Decimal("100.00"))

    record(invoice, Decimal("5.00"), type="check")

    invoice.refresh_from_db()
    assert invoice.total_due == Decimal("-5.00")
    assert invoice.display_status == "overpaid"


@pytest.mark.parametrize("type_", EXTERNAL_TYPES)
def test_every_external_type_records_a_succeeded_payment(customer, type_):
    invoice = issued_invoice(customer, total="100.00")

    payment = record(invoice, Decimal("25.00"), type=type_, reference="R-1", note="Thanks")

    payment.refresh_from_db()
    assert payment.type == type_
    assert payment.status == "succeeded"
    assert payment.gateway == ""
    assert payment.customer_id == customer.pk
    assert payment.entity_id == customer.entity_id
    assert (payment.reference, payment.note) == ("R-1", "Thanks")


def test_recorded_payment_is_audited(customer):
    invoice = issued_invoice(customer, total="100.00")

    payment = record(invoice, Decimal("25.00"), reference="TX-9")

    event = AuditEvent.objects.get(action="payment.recorded")
    assert event.object_id == payment.pk
    assert event.object_type == "payment"
    assert event.invoice_id == invoice.pk
    assert event.customer_id == customer.pk
    assert event.source == "system"
    assert event.before is None
    assert event.after["amount"] == "25.00"
    assert event.after["status"] == "succeeded"
    assert event.after["reference"] == "TX-9"


def test_payment_date_is_parsed_from_the_api_timestamp(customer):
    invoice = issued_invoice(customer, total="100.00")

    payment = record(invoice, Decimal("10.00"), date="2024-01-15T00:00:00.000Z")

    assert str(payment.date) == "2024-01-15"


def test_payment_with_an_invalid_date_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "invalid_date", "date"):
        record(invoice, Decimal("10.00"), date="15/01/2024")


def test_payment_with_invalid_metadata_is_refused(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "invalid_metadata"):
        record(invoice, Decimal("10.00"), metadata={"order": 12})


# --- payment types and document references ----------------------------------------------------


@pytest.mark.parametrize(
    ("type_", "refs", "code"),
    [
        ("wire", {"invoice": "inv_1"}, "invalid_type"),
        ("cash", {}, "document_required"),
        ("credit_note", {"invoice": "inv_1"}, "credit_note_payment_requires_invoice"),
        ("credit_note", {"credit_note": "cn_1"}, "credit_note_payment_requires_invoice"),
        (
            "credit_note",
            {"invoice": "inv_1", "credit_note": "cn_1", "advance": "adv_1"},
            "credit_note_payment_requires_invoice",
        ),
        ("advance", {"invoice": "inv_1"}, "advance_payment_requires_invoice"),
        ("advance", {"advance": "adv_1"}, "advance_payment_requires_invoice"),
        (
            "advance",
            {"invoice": "inv_1", "advance": "adv_1", "credit_note": "cn_1"},
            "advance_payment_requires_invoice",
        ),
        (
            "customer_balance",
            {"invoice": "inv_1", "credit_note": "cn_1"},
            "invalid_document_combination",
        ),
        ("customer_balance", {"advance": "adv_1"}, "invalid_document_combination"),
        ("cash", {"invoice": "inv_1", "credit_note": "cn_1"}, "invalid_document_combination"),
        ("card", {"invoice": "inv_1", "advance": "adv_1"}, "invalid_document_combination"),
        (
            "bank_transfer",
            {"credit_note": "cn_1", "advance": "adv_1"},
            "invalid_document_combination",
        ),
    ],
)
def test_payment_type_with_the_wrong_document_references_is_refused(type_, refs, code):
    with pytest.raises(ValidationError) as info:
        check_type_and_references(
            type_,
            invoice=refs.get("invoice"),
            credit_note=refs.get("credit_note"),
            advance=refs.get("advance"),
        )

    assert info.value.code == code


@pytest.mark.parametrize(
    ("type_", "refs"),
    [
        ("cash", {"invoice": "inv_1"}),
        ("bank_transfer", {"advance": "adv_1"}),
        ("other", {"credit_note": "cn_1"}),
        ("credit_note", {"invoice": "inv_1", "credit_note": "cn_1"}),
        ("advance", {"invoice": "inv_1", "advance": "adv_1"}),
        ("customer_balance", {"invoice": "inv_1"}),
        ("customer_balance", {"credit_note": "cn_1"}),
    ],
)
def test_payment_type_with_the_right_document_references_is_accepted(type_, refs):
    check_type_and_references(
        type_,
        invoice=refs.get("invoice"),
        credit_note=refs.get("credit_note"),
        advance=refs.get("advance"),
    )


def test_payment_without_any_document_is_refused_by_the_service(customer):
    with refused(ValidationError, "document_required", "invoice_id"):
        payment_record(entity=customer.entity, actor=SYSTEM, amount=Decimal("10.00"), type="cash")


def test_credit_note_payment_without_a_credit_note_is_refused_by_the_service(customer):
    invoice = issued_invoice(customer, total="100.00")

    with refused(ValidationError, "credit_note_payment_requires_invoice"):
        record(invoice, Decimal("10.00"), type="credit_note")


def test_external_payment_referencing_two_documents_is_refused_by_the_service(customer):
    invoice = issued_invoice(customer, total="100.00")
    advance = issued_advance(customer)

    with refused(ValidationError, "invalid_document_combination"):
        record(invoice, Decimal("10.00"), advance_invoice_id=advance.pk)


def test_payment_rows_keep_their_references(customer):
    invoice = issued_invoice(customer, total="100.00")

    payment = record(invoice, Decimal("10.00"))

    row = Payment.objects.get(pk=payment.pk)
    assert row.invoice_id == invoice.pk
    assert row.credit_note_id is None
    assert row.advance_invoice_id is None
