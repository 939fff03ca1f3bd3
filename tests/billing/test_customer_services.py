"""The customer services: create, update, archive and restore; audited and refused cleanly."""

import pytest

from billing.errors import InvalidState, ValidationError
from billing.models import AuditEvent, Customer
from billing.services import customer_archive, customer_create, customer_restore, customer_update
from invoices.services import invoice_create
from tests.factories import SYSTEM, draft_invoice, give_balance, issued_invoice

DESK = [{"name": "Desk", "quantity": 1, "price": "10.00"}]


def test_create_takes_the_entitys_currency_and_cleans_the_profile(entity):
    customer = customer_create(
        entity=entity,
        name="  Northwind  ",
        actor=SYSTEM,
        cc_emails="a@example.com, b@example.com\nA@example.com",
        payment_terms_days="30",
        address="1 Quay Street\r\n20457 Hamburg\r\n",
    )

    assert (customer.name, customer.currency) == ("Northwind", "EUR")
    assert customer.address == "1 Quay Street\n20457 Hamburg"  # a text area's CR LF
    assert customer.cc_emails == ["a@example.com", "b@example.com"]
    assert customer.payment_terms_days == 30
    event = AuditEvent.objects.get(action="customer.created")
    assert event.after["cc_emails"] == ["a@example.com", "b@example.com"]


@pytest.mark.parametrize(
    "field, value, code",
    [
        ("cc_emails", ["ok@example.com", "nope"], "invalid_cc_emails"),
        ("cc_emails", [f"p{n}@example.com" for n in range(11)], "invalid_cc_emails"),
        ("payment_terms_days", 366, "invalid_payment_terms"),
        ("payment_terms_days", -1, "invalid_payment_terms"),
        ("payment_terms_days", True, "invalid_payment_terms"),
        ("language", "fr", "invalid_language"),
        ("email", "not-an-address", "invalid_email"),
        ("name", " ", "validation_error"),
        ("currency", "XXX", None),
    ],
)
def test_update_refuses_invalid_values_and_changes_nothing(customer, field, value, code):
    before = Customer.objects.values().get(pk=customer.pk)

    with pytest.raises(ValidationError) as refused:
        customer_update(customer=customer, actor=SYSTEM, **{field: value})

    assert refused.value.param == field
    if code:
        assert refused.value.code == code
    assert Customer.objects.values().get(pk=customer.pk) == before
    assert not AuditEvent.objects.exists()


def test_update_audits_only_what_changed(customer):
    customer_update(customer=customer, actor=SYSTEM, name=customer.name, tax_id="DE1")
    customer_update(customer=customer, actor=SYSTEM, tax_id="DE1")

    event = AuditEvent.objects.get()
    assert (event.action, event.before, event.after) == (
        "customer.updated",
        {"tax_id": ""},
        {"tax_id": "DE1"},
    )


def test_currency_changes_while_there_is_nothing_in_it(customer):
    updated = customer_update(customer=customer, actor=SYSTEM, currency="usd")

    assert updated.currency == "USD"


@pytest.mark.parametrize("history", ["draft", "issued", "balance"])
def test_currency_is_locked_by_documents_or_money(customer, history):
    {"draft": draft_invoice, "issued": issued_invoice}.get(history, give_balance)(
        customer, *(["5.00"] if history == "balance" else [])
    )

    with pytest.raises(InvalidState) as refused:
        customer_update(customer=customer, actor=SYSTEM, currency="USD", tax_id="X")

    assert (refused.value.code, refused.value.param) == ("currency_locked", "currency")
    customer.refresh_from_db()
    assert (customer.currency, customer.tax_id) == ("EUR", "")
    assert not AuditEvent.objects.filter(object_type="customer").exists()


def test_archive_refuses_new_invoices_and_restore_allows_them(customer):
    customer_archive(customer=customer, actor=SYSTEM)
    customer_archive(customer=customer, actor=SYSTEM)  # twice: nothing more happens

    with pytest.raises(InvalidState) as refused:
        invoice_create(entity=customer.entity, customer=customer, items=DESK, actor=SYSTEM)
    with pytest.raises(InvalidState):
        invoice_create(
            entity=customer.entity, customer=customer, items=DESK, actor=SYSTEM, kind="advance"
        )
    assert refused.value.code == "customer_archived"
    assert not customer.invoices.exists()

    restored = customer_restore(customer=customer, actor=SYSTEM)
    invoice = invoice_create(entity=customer.entity, customer=restored, items=DESK, actor=SYSTEM)
    assert invoice.customer_id == customer.pk
    actions = list(
        AuditEvent.objects.filter(object_type="customer")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["customer.archived", "customer.restored"]


def test_an_archived_customer_keeps_its_documents_and_can_still_be_edited(customer):
    invoice = issued_invoice(customer)
    customer_archive(customer=customer, actor=SYSTEM)

    customer_update(customer=customer, actor=SYSTEM, address="New street 1")

    customer.refresh_from_db()
    assert customer.address == "New street 1"
    assert customer.archived_at is not None
    assert list(customer.invoices.all()) == [invoice]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_archive_racing_new_invoices_never_leaves_an_invoice_after_the_archive():
    from tests.factories import CustomerFactory
    from tests.threads import run_together

    customer = CustomerFactory()

    def invoice():
        return invoice_create(entity=customer.entity, customer=customer, items=DESK, actor=SYSTEM)

    outcomes = run_together(
        [invoice, invoice, lambda: customer_archive(customer=customer, actor=SYSTEM), invoice]
    )

    refusals = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert all(getattr(error, "code", None) == "customer_archived" for error in refusals)
    customer.refresh_from_db()
    assert customer.archived_at is not None
    for created in customer.invoices.all():
        assert created.created_at <= customer.archived_at
    assert customer.invoices.count() == 3 - len(refusals)
