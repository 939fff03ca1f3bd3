"""The searches of the long lists (payments, invoices, advance invoices, credit notes,
customers): each finds what it is documented to find, from the list's own columns and from
its related rows, within the signed-in user's entities."""

import pytest
from django.urls import reverse

from backoffice import search as search_module
from invoices.models import Invoice
from payments.models import Payment
from payments.services import payment_update
from tests.admin_support import staff
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    charge_card,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db


def listed(client, name: str, term: str) -> list[str]:
    response = client.get(reverse(f"admin:{name}_changelist"), {"q": term})
    assert response.status_code == 200
    return sorted(row.pk for row in response.context["cl"].result_list)


@pytest.fixture(params=[False, True], ids=["ids-listed", "ids-as-subquery"])
def related_as_subquery(request, monkeypatch):
    """Related rows are matched by a list of ids when few, by a subquery when many: both."""
    if request.param:
        monkeypatch.setattr(search_module, "ID_LIST_UP_TO", 0)
    return request.param


@pytest.fixture
def books(entity, related_as_subquery):
    """Two customers of `entity` with an invoice each, and a look-alike in another entity."""
    ada = CustomerFactory(entity=entity, name="Ada Lovelace", email="ada@analytical.example")
    bob = CustomerFactory(entity=entity, name="Bob Babbage", email="bob@engine.example")
    ada_invoice = issued_invoice(ada, total="300.00", note="Desk 14, March")
    bob_invoice = issued_invoice(bob, total="300.00")
    ada_payment = record_payment(ada_invoice, "50.00", type="bank_transfer", reference="SEPA-7731")
    bob_payment = record_payment(bob_invoice, "60.00", reference="CHQ-0042", note="Front desk")
    other = CustomerFactory(entity=EntityFactory(), name="Ada Elsewhere")
    other_invoice = issued_invoice(other, total="300.00")
    other_payment = record_payment(other_invoice, "70.00", reference="SEPA-7731")
    return {
        "ada": ada,
        "bob": bob,
        "ada_invoice": ada_invoice,
        "bob_invoice": bob_invoice,
        "ada_payment": ada_payment,
        "bob_payment": bob_payment,
        "other_payment": other_payment,
    }


def payment_ids(*payments) -> list[str]:
    return sorted(payment.pk for payment in payments)


class TestPaymentsSearch:
    name = "payments_payment"

    def test_a_reference_substring_finds_only_the_users_entitys_payment(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "7731") == payment_ids(books["ada_payment"])
        assert listed(client, self.name, "sepa-77") == payment_ids(books["ada_payment"])

    def test_a_note_and_the_payment_id(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "front") == payment_ids(books["bob_payment"])
        pk = books["bob_payment"].pk
        assert listed(client, self.name, pk) == [pk]
        assert listed(client, self.name, pk[4:14].lower()) == [pk]

    def test_a_reference_edited_later_is_found_by_its_new_value(self, client, books):
        payment = books["bob_payment"]
        payment_update(payment=payment, actor=SYSTEM, reference="WIRE-5150")
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "WIRE-5150") == [payment.pk]
        assert listed(client, self.name, "CHQ-0042") == []

    def test_the_customer_name(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "lovelace") == payment_ids(books["ada_payment"])
        assert listed(client, self.name, "Ada") == payment_ids(books["ada_payment"])

    def test_the_invoice_number_whole_or_in_part(self, client, books):
        client.force_login(staff(books["ada"].entity))
        number = books["bob_invoice"].number
        assert listed(client, self.name, number) == payment_ids(books["bob_payment"])
        assert books["bob"].name not in number
        assert listed(client, self.name, number[:-1]) == payment_ids(
            *Payment.objects.filter(
                entity=books["ada"].entity, invoice__number__startswith=number[:-1]
            )
        )

    def test_every_term_must_match(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "Ada 7731") == payment_ids(books["ada_payment"])
        assert listed(client, self.name, "Bob 7731") == []
        assert listed(client, self.name, '"Ada Lovelace"') == payment_ids(books["ada_payment"])

    def test_the_advance_invoice_and_credit_note_numbers(self, client, entity, books):
        advance = issued_advance(books["ada"], total="100.00")
        into_advance = record_payment(advance, "100.00")
        credit_note = issued_credit_note(books["bob_invoice"], "5.00", to="invoice")
        applied = Payment.objects.filter(credit_note=credit_note)
        client.force_login(staff(entity))
        assert listed(client, self.name, advance.number) == payment_ids(into_advance)
        assert listed(client, self.name, credit_note.number) == payment_ids(*applied)
        assert applied.exists()

    def test_a_card_charges_gateway_reference(self, client, entity, books):
        charge = charge_card(books["ada_invoice"], "10.00")
        charge.refresh_from_db()
        assert charge.gateway_reference
        client.force_login(staff(entity))
        assert charge.pk in listed(client, self.name, charge.gateway_reference)
        assert listed(client, self.name, charge.gateway_reference[-8:]) == [charge.pk]

    def test_the_export_follows_the_same_search(self, client, books):
        client.force_login(staff(books["ada"].entity))
        response = client.get(reverse("admin:payments_payment_export"), {"q": "lovelace"})
        body = b"".join(response.streaming_content).decode()
        assert "SEPA-7731" in body
        assert "CHQ-0042" not in body


class TestInvoicesSearch:
    name = "invoices_invoice"

    def test_the_number_whole_as_a_prefix_or_in_part(self, client, books):
        client.force_login(staff(books["ada"].entity))
        number = books["ada_invoice"].number
        assert listed(client, self.name, number) == [books["ada_invoice"].pk]
        prefix = number.split("-")[0]
        ours = Invoice.objects.filter(entity=books["ada"].entity, kind="invoice")
        assert listed(client, self.name, prefix) == sorted(
            ours.filter(number__startswith=prefix).values_list("pk", flat=True)
        )
        assert listed(client, self.name, number[-3:]) == sorted(
            ours.filter(number__contains=number[-3:]).values_list("pk", flat=True)
        )

    def test_the_customer_name_and_e_mail(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "lovelace") == [books["ada_invoice"].pk]
        assert listed(client, self.name, "bob@engine") == [books["bob_invoice"].pk]

    def test_the_id_and_the_note(self, client, books):
        client.force_login(staff(books["ada"].entity))
        pk = books["bob_invoice"].pk
        assert listed(client, self.name, pk) == [pk]
        assert listed(client, self.name, "desk 14") == [books["ada_invoice"].pk]

    def test_a_payments_reference_finds_its_invoice_in_the_users_entities(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "SEPA-7731") == [books["ada_invoice"].pk]
        assert listed(client, self.name, "chq-00") == [books["bob_invoice"].pk]

    def test_a_payment_note_is_not_a_reference(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "front desk") == []

    def test_advance_invoices_by_the_reference_of_a_payment_into_them(self, client, books):
        advance = issued_advance(books["ada"], total="100.00")
        record_payment(advance, "40.00", reference="PREPAY-88")
        client.force_login(staff(books["ada"].entity))
        assert listed(client, "invoices_advanceinvoice", "prepay-88") == [advance.pk]
        assert listed(client, "invoices_advanceinvoice", "lovelace") == [advance.pk]
        assert listed(client, self.name, "PREPAY-88") == []


class TestCreditNotesSearch:
    name = "invoices_creditnote"

    @pytest.fixture
    def credit_notes(self, books):
        return (
            issued_credit_note(books["ada_invoice"], "5.00", reason="Projector broken"),
            issued_credit_note(books["bob_invoice"], "7.00", reason="Billed twice"),
        )

    def test_the_number_id_and_reason(self, client, books, credit_notes):
        ada_note, bob_note = credit_notes
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, ada_note.number) == [ada_note.pk]
        assert listed(client, self.name, bob_note.pk) == [bob_note.pk]
        assert listed(client, self.name, "projector") == [ada_note.pk]

    def test_the_customer_and_the_invoice_number(self, client, books, credit_notes):
        ada_note, bob_note = credit_notes
        client.force_login(staff(books["ada"].entity))
        assert listed(client, self.name, "babbage") == [bob_note.pk]
        assert listed(client, self.name, books["ada_invoice"].number) == [ada_note.pk]

    def test_each_filter_filters(self, client, books, credit_notes):
        client.force_login(staff(books["ada"].entity))
        changelist = reverse(f"admin:{self.name}_changelist")
        both = sorted(note.pk for note in credit_notes)
        for query, expected in [
            ({"status__exact": "issued"}, both),
            ({"status__exact": "void"}, []),
            ({"currency__exact": books["ada"].currency}, both),
            ({"currency__exact": "XXX"}, []),
            ({"entity__id__exact": books["ada"].entity.pk}, both),
            ({"date__gte": "2000-01-01"}, both),
            ({"date__lt": "2000-01-01"}, []),
        ]:
            response = client.get(changelist, query)
            assert response.status_code == 200, query
            assert sorted(row.pk for row in response.context["cl"].result_list) == expected


class TestCustomersSearch:
    def test_the_name_and_e_mail_within_the_users_entities(self, client, books):
        client.force_login(staff(books["ada"].entity))
        assert listed(client, "billing_customer", "ada") == [books["ada"].pk]
        assert listed(client, "billing_customer", "engine.example") == [books["bob"].pk]
