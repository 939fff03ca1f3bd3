"""`/api/v1/bank-statements` and `/api/v1/bank-statement-lines` through HTTP: import the sample
statements in each format, read them back, confirm, ignore and undo lines."""

import json
from decimal import Decimal

import pytest
import simplejson
from django.core.files.uploadedfile import SimpleUploadedFile

from banking.models import BankStatementLine
from invoices.models import Invoice
from payments.models import Payment
from payments.services import refund_create
from tests.banking.samples import STATEMENT_MAPPING, sample_bytes
from tests.factories import SYSTEM, CustomerFactory, issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def upload(api, name, **fields):
    response = api.client.post(
        "/api/v1/bank-statements",
        {"file": SimpleUploadedFile(name, sample_bytes(name)), **fields},
        headers=api._headers(),
    )
    return response.status_code, simplejson.loads(response.content, use_decimal=True)


@pytest.fixture
def book(entity):
    acme = CustomerFactory(entity=entity, name="Acme Coworking GmbH")
    invoices = {
        "acme": issued_invoice(acme, "120.00"),  # INV-2026-00001
        "beta": issued_invoice(CustomerFactory(entity=entity, name="Beta Studio"), "250.00"),
        "gamma": issued_invoice(CustomerFactory(entity=entity, name="Gamma Labs"), "75.50"),
        "delta": issued_invoice(CustomerFactory(entity=entity, name="Delta Freelance"), "99.00"),
    }
    old = issued_invoice(acme, "40.00")
    cash = record_payment(old, "80.00")
    invoices["refund"] = refund_create(
        payment=cash, actor=SYSTEM, reason="Paid twice", amount=Decimal("40.00")
    )
    return invoices


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("statement_a.xml", {}),
        ("statement_a.sta", {}),
        ("statement_a.csv", {"csv_mapping": json.dumps(STATEMENT_MAPPING.__dict__)}),
    ],
)
def test_each_format_imports_the_same_seven_lines(api, book, name, fields):
    if name.endswith(".csv"):
        from banking.models import BankAccount

        account = BankAccount.objects.create(
            entity=book["acme"].entity, name="Main", iban="DE89370400440532013000", currency="EUR"
        )
        fields = {**fields, "bank_account_id": account.pk}

    status, body = upload(api, name, **fields)

    assert status == 201, body
    assert body["movements"] == Decimal("579.50")
    # The bank's balances prove no line is missing; a CSV has none to check against.
    assert body["balances_agree"] is (None if name.endswith(".csv") else True)
    lines = body["lines"]
    assert [(line["date"], line["amount"], line["status"]) for line in lines] == [
        ("2026-11-02", 120, "matched"),
        ("2026-11-03", 250, "matched"),
        ("2026-11-03", 75.5, "suggested"),
        ("2026-11-04", 99, "suggested"),
        ("2026-11-04", 60, "unmatched"),
        ("2026-11-05", 15, "unmatched"),
        ("2026-11-06", -40, "suggested"),
    ]
    assert lines[0]["counterparty_iban"] == "DE02120300000000202051"
    assert len(lines[0]["payment_ids"]) == 1
    payment = Payment.objects.get(pk=lines[0]["payment_ids"][0])
    assert (payment.invoice_id, payment.type, payment.amount) == (
        book["acme"].pk, "bank_transfer", Decimal("120.00"),
    )  # fmt: skip
    assert lines[6]["suggestions"][0]["refund_id"] == book["refund"].pk


def test_the_same_file_again_and_an_overlapping_one_pay_nothing_twice(api, book):
    first_status, first = upload(api, "statement_a.xml")
    again_status, again = upload(api, "statement_a.xml")
    overlap_status, overlap = upload(api, "statement_b.xml")

    assert (first_status, again_status, overlap_status) == (201, 200, 201)
    assert again["id"] == first["id"]
    assert overlap["lines_repeated"] == 2
    assert [line["amount"] for line in overlap["lines"]] == [300]
    assert BankStatementLine.objects.count() == 8
    assert Payment.objects.filter(type="bank_transfer").count() == 2
    book["acme"].refresh_from_db()
    assert book["acme"].total_paid == Decimal("120.00")


def test_confirm_ignore_and_undo_through_the_api(api, book):
    _, body = upload(api, "statement_a.xml")
    lines = {line["counterparty_name"]: line for line in body["lines"][:6]}
    money_out = body["lines"][6]

    confirmed = api.post(f"bank-statement-lines/{lines['Gamma Ltd']['id']}/confirm", {})
    again = api.post(f"bank-statement-lines/{lines['Gamma Ltd']['id']}/confirm", {})
    split = api.post(
        f"bank-statement-lines/{lines['Delta Freelance']['id']}/confirm",
        {
            "allocations": [{"invoice_id": book["delta"].pk, "amount": "90.00"}],
            "remainder_to_balance": True,
        },
    )
    refund_line = api.post(f"bank-statement-lines/{money_out['id']}/confirm", {})
    undone_first = api.post(f"bank-statement-lines/{lines['Acme Coworking GmbH']['id']}/undo", {})
    ignored = api.post(
        f"bank-statement-lines/{lines['Unknown Sender']['id']}/ignore", {"reason": "Donation"}
    )
    undone = api.post(
        f"bank-statement-lines/{lines['Gamma Ltd']['id']}/undo", {"reason": "Wrong invoice"}
    )

    assert confirmed.status == 200 and confirmed.body["status"] == "matched"
    assert (again.status, again.error["code"]) == (409, "line_already_matched")
    assert split.status == 200, split.body
    assert ignored.body["status"] == "ignored"
    assert refund_line.body["status"] == "matched"  # accounts for the refund paid outside
    assert undone_first.body["status"] == "suggested"  # matched at import, now undone
    assert undone.body["status"] == "suggested" and undone.body["payment_ids"] == []
    gamma = Invoice.objects.get(pk=book["gamma"].pk)
    assert gamma.total_paid == Decimal("0.00")
    delta = Invoice.objects.get(pk=book["delta"].pk)
    assert delta.total_due == Decimal("9.00")  # 90.00 paid, the other 9.00 went to the balance
    assert delta.customer.balance == Decimal("9.00")


def test_bad_files_are_clear_400s_and_store_nothing(api, entity):
    bad_xml = api.client.post(
        "/api/v1/bank-statements",
        {"file": SimpleUploadedFile("x.xml", b"<Document><broken")},
        headers=api._headers(),
    )
    csv_without_mapping = upload(api, "statement_a.csv")
    no_file = api.client.post("/api/v1/bank-statements", {}, headers=api._headers())

    assert bad_xml.status_code == 400
    assert csv_without_mapping[0] == 400
    assert csv_without_mapping[1]["error"]["code"] == "csv_mapping_required"
    assert no_file.status_code == 400
    assert not BankStatementLine.objects.exists()


def test_lists_and_the_review_queue(api, book):
    upload(api, "statement_a.xml")

    statements = api.get("bank-statements")
    queue = api.get(
        "bank-statement-lines",
        {"query": json.dumps({"status": {"in": ["suggested", "unmatched"]}})},
    )

    assert [s["lines_in_file"] for s in statements.body["data"]] == [7]
    assert len(queue.body["data"]) == 5


def test_a_csv_naming_no_account_opens_the_account_given_by_its_iban(api, book):
    mapping = json.dumps(STATEMENT_MAPPING.__dict__)
    without = upload(api, "statement_a.csv", csv_mapping=mapping)
    bad_iban = upload(api, "statement_a.csv", csv_mapping=mapping, new_account_iban="DE00 1234")
    status, body = upload(
        api, "statement_a.csv", csv_mapping=mapping, new_account_iban="DE89 3704 0044 0532 0130 00"
    )

    assert (without[0], without[1]["error"]["code"]) == (400, "bank_account_required")
    assert (bad_iban[0], bad_iban[1]["error"]["param"]) == (400, "new_account_iban")
    assert status == 201 and body["account_iban"] == "DE89370400440532013000"
    assert len(body["lines"]) == 7
