"""Banking → Bank statements in the back office (Django test client): the list, the review
page with its suggestions, confirm, split, ignore and undo through POST, the review queue,
permissions and entity scoping, refusals shown on the line, and the one-time token."""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backoffice.bank_import import import_message
from backoffice.flows import form_token_new
from banking.models import (
    BankAccount,
    BankLineAllocation,
    BankStatement,
    BankStatementLine,
    LineStatus,
)
from banking.services.importing import ImportResult, statement_import_parsed
from banking.services.reconciling import bank_line_confirm
from payments.models import Payment
from payments.services import refund_create
from tests.admin_support import messages_of, staff, submit
from tests.banking.samples import sample_bytes
from tests.banking.statements import line, statement
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    EntityFactory,
    issued_invoice,
    record_payment,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manual(entity):
    """Nothing is confirmed at import: every line waits for review."""
    entity.bank_auto_confirm = False
    entity.save()
    return entity


@pytest.fixture
def books(manual):
    acme = CustomerFactory(entity=manual, name="Acme Coworking GmbH")
    beta = CustomerFactory(entity=manual, name="Beta Studio")
    return {
        "acme": acme,
        "beta": beta,
        "first": issued_invoice(acme, "100.00"),
        "second": issued_invoice(acme, "50.00"),
        "beta_invoice": issued_invoice(beta, "80.00"),
    }


@pytest.fixture
def imported(manual, books):
    """A statement: a line naming an invoice, a line paying two, an unknown one."""
    parsed = statement(
        line(2, "100.00", "Acme Coworking GmbH", "DE02120300000000202051",
             f"Invoice {books['first'].number}", "BREF-1"),
        line(3, "175.00", "Acme Coworking GmbH", "DE02120300000000202051",
             "Two invoices", "BREF-2"),
        line(4, "15.00", "Unknown Sender", "NL91ABNA0417164300", "Donation", "BREF-3"),
    )  # fmt: skip
    result = statement_import_parsed(
        entity=manual, actor=SYSTEM, parsed=parsed, digest="d1", filename="november.xml"
    )
    rows = {row.bank_reference: row for row in result.statement.lines.all()}
    return result.statement, rows


def review_url(statement_) -> str:
    return reverse("admin:banking_bankstatement_change", args=[quote(statement_.pk)])


def action_url(row, action: str) -> str:
    return reverse(f"admin:banking_bankstatement_line_{action}", args=[quote(row.pk)])


def status_of(row) -> str:
    return BankStatementLine.objects.get(pk=row.pk).status


def test_the_list_shows_each_statement_with_its_line_counts(client, office, imported):
    statement_, _ = imported

    response = client.get(reverse("admin:banking_bankstatement_changelist"))

    page = response.content.decode()
    assert response.status_code == 200
    for text in ["november.xml", "CAMT.053", "Import statement", "Review queue"]:
        assert text in page
    assert '<td class="field-suggested">2</td>' in page
    assert '<td class="field-unmatched">1</td>' in page
    assert "?format__exact=mt940" in page  # the filter offers every format by its name
    filtered = client.get(
        reverse("admin:banking_bankstatement_changelist"), {"format__exact": "mt940"}
    )
    assert "november.xml" not in filtered.content.decode()
    assert review_url(statement_) in page


def test_bank_statements_are_in_the_admin_menu(client, office):
    page = client.get(reverse("admin:index")).content.decode()

    assert reverse("admin:banking_bankstatement_changelist") in page
    assert reverse("admin:banking_bankstatement_queue") in page  # the dashboard's quick link


def test_the_review_page_shows_lines_suggestions_and_their_evidence(
    client, office, imported, books
):
    statement_, _rows = imported

    response = client.get(review_url(statement_))

    page = response.content.decode()
    assert response.status_code == 200
    invoice_link = reverse("admin:invoices_invoice_change", args=[quote(books["first"].pk)])
    for text in [
        "Acme Coworking GmbH",
        "DE02 1203 0000 0000 2020 51",
        f"Invoice {books['first'].number}",
        invoice_link,
        'class="bank-evidence__label">number<',
        "Proposed",
        "€100.00",
        "Unknown Sender",
        "Keyboard shortcuts",
        'data-action="confirm"',
        'data-action="split"',
        'data-action="ignore"',
    ]:
        assert text in page, text
    assert page.count('tabindex="0" data-line') == 3


def test_confirm_records_a_bank_transfer_and_matches_the_line(client, office, imported, books):
    statement_, rows = imported
    row = rows["BREF-1"]

    response = submit(client, action_url(row, "confirm"), {"next": rows["BREF-2"].pk})

    assert response.status_code == 302
    assert response["Location"] == f"{review_url(statement_)}#line-{rows['BREF-2'].pk}"
    payment = Payment.objects.get(metadata__bank_line_id=row.pk)
    assert (payment.type, payment.amount, payment.invoice_id, payment.reference) == (
        "bank_transfer",
        Decimal("100.00"),
        books["first"].pk,
        "BREF-1",
    )
    assert status_of(row) == LineStatus.MATCHED
    books["first"].refresh_from_db()
    assert books["first"].status == "paid"
    page = client.get(response["Location"])
    assert f"Matched €100.00 from Acme Coworking GmbH to {books['first'].number}." in (
        messages_of(page)
    )
    assert reverse("admin:payments_payment_change", args=[quote(payment.pk)]) in (
        page.content.decode()
    )


def test_the_same_form_sent_twice_confirms_once(client, office, imported):
    _, rows = imported
    token = form_token_new()

    first = submit(client, action_url(rows["BREF-1"], "confirm"), {}, token=token)
    second = submit(client, action_url(rows["BREF-1"], "confirm"), {}, token=token, follow=True)

    assert first.status_code == 302
    assert Payment.objects.filter(metadata__bank_line_id=rows["BREF-1"].pk).count() == 1
    assert any("it was not sent again" in message for message in messages_of(second))


def test_a_line_matched_by_someone_else_is_told_on_the_line(client, office, imported, manual):
    _, rows = imported
    bank_line_confirm(entity=manual, actor=SYSTEM, line_id=rows["BREF-1"].pk)

    response = submit(client, action_url(rows["BREF-1"], "confirm"), {})

    assert response.status_code == 200
    error = response.context["rows"][0].error
    assert error == ["This line has just been matched by someone else; reload to see what it pays."]
    assert 'data-testid="line-error"' in response.content.decode()
    assert Payment.objects.filter(metadata__bank_line_id=rows["BREF-1"].pk).count() == 1


def test_a_line_matched_meanwhile_is_told_above_the_queue(client, office, imported, manual):
    _, rows = imported
    bank_line_confirm(entity=manual, actor=SYSTEM, line_id=rows["BREF-1"].pk)

    response = submit(client, action_url(rows["BREF-1"], "confirm"), {"view": "queue"})

    assert response.status_code == 200
    assert [r.line.bank_reference for r in response.context["rows"]] == ["BREF-2", "BREF-3"]
    assert messages_of(response) == [
        "This line has just been matched by someone else; reload to see what it pays."
    ]


def test_split_pays_two_invoices_and_sends_the_rest_to_the_balance(client, office, imported, books):
    _, rows = imported
    row = rows["BREF-2"]

    response = submit(
        client,
        action_url(row, "split"),
        {
            "invoice_0": books["first"].pk,
            "amount_0": "100.00",
            "number_1": books["second"].number,
            "amount_1": "50,00",
            "remainder_to_balance": "on",
        },
        follow=True,
    )

    assert status_of(row) == LineStatus.MATCHED
    paid = {p.invoice_id: p.amount for p in Payment.objects.filter(metadata__bank_line_id=row.pk)}
    assert paid == {books["first"].pk: Decimal("100.00"), books["second"].pk: Decimal("75.00")}
    books["acme"].refresh_from_db()
    assert books["acme"].balance == Decimal("25.00")
    assert "€25.00 went to the customer's balance" in messages_of(response)[0]
    page = response.content.decode()
    assert "(€25.00 of it moved to the balance or refunded)" in page


def test_a_split_the_service_refuses_is_shown_on_the_line_and_changes_nothing(
    client, office, imported, books
):
    _, rows = imported
    row = rows["BREF-3"]

    response = submit(
        client,
        action_url(row, "split"),
        {"invoice_0": "", "number_0": books["beta_invoice"].number, "amount_0": "80.00"},
    )

    assert response.status_code == 200
    (refused,) = [r for r in response.context["rows"] if r.line.pk == row.pk]
    assert refused.open_form == "split"
    assert refused.error == ["The allocations (80.00) add up to more than the line (15.00)."]
    assert status_of(row) == LineStatus.UNMATCHED
    assert not Payment.objects.filter(metadata__bank_line_id=row.pk).exists()


def test_a_split_naming_no_invoice_is_refused_by_the_form(client, office, imported):
    _, rows = imported

    response = submit(client, action_url(rows["BREF-3"], "split"), {"number_0": "INV-404"})

    assert response.status_code == 200
    (refused,) = [r for r in response.context["rows"] if r.line.pk == rows["BREF-3"].pk]
    assert "No invoice numbered INV-404." in refused.forms["split"].errors["number_0"]


def test_ignore_then_undo_returns_the_line_to_the_queue(client, office, imported):
    _, rows = imported
    row = rows["BREF-3"]

    submit(client, action_url(row, "ignore"), {"reason": "A donation, not a payment"})
    ignored = BankStatementLine.objects.get(pk=row.pk)
    assert (ignored.status, ignored.ignore_reason) == ("ignored", "A donation, not a payment")
    queue = client.get(reverse("admin:banking_bankstatement_queue"))
    assert row.pk not in [r.line.pk for r in queue.context["rows"]]

    submit(client, action_url(row, "undo"), {"reason": "Asked for an invoice after all"})

    assert status_of(row) == LineStatus.UNMATCHED
    queue = client.get(reverse("admin:banking_bankstatement_queue"))
    assert row.pk in [r.line.pk for r in queue.context["rows"]]


def test_an_ignore_without_a_reason_is_refused_on_the_line(client, office, imported):
    _, rows = imported

    response = submit(client, action_url(rows["BREF-3"], "ignore"), {"reason": ""})

    assert response.status_code == 200
    (refused,) = [r for r in response.context["rows"] if r.line.pk == rows["BREF-3"].pk]
    assert refused.error == ["Say why: the reason is kept in the audit trail."]
    assert status_of(rows["BREF-3"]) == LineStatus.UNMATCHED


def test_undo_of_a_match_deletes_its_payments(client, office, imported, books):
    _, rows = imported
    row = rows["BREF-1"]
    submit(client, action_url(row, "confirm"), {})

    response = submit(client, action_url(row, "undo"), {"reason": "Wrong invoice"}, follow=True)

    assert status_of(row) == LineStatus.SUGGESTED
    payment = Payment.objects.get(metadata__bank_line_id=row.pk)
    assert payment.is_deleted
    assert BankLineAllocation.objects.get(line_id=row.pk).undone_at is not None
    books["first"].refresh_from_db()
    assert books["first"].total_due == Decimal("100.00")
    assert any("payments it recorded are deleted" in m for m in messages_of(response))


def test_the_queue_lists_open_lines_across_statements(client, office, imported, manual):
    _, rows = imported
    later = statement_import_parsed(
        entity=manual,
        actor=SYSTEM,
        parsed=statement(line(9, "12.00", "Café", "", "Coffee", "BREF-9"), statement_id="S2"),
        digest="d2",
    ).statement
    submit(client, action_url(rows["BREF-3"], "ignore"), {"reason": "Donation"})

    response = client.get(reverse("admin:banking_bankstatement_queue"))

    listed = [r.line.bank_reference for r in response.context["rows"]]
    assert listed == ["BREF-1", "BREF-2", "BREF-9"]
    assert review_url(later) in response.content.decode()


def test_without_the_record_permission_nothing_can_be_done(client, entity, imported):
    _, rows = imported
    client.force_login(staff(entity, grant=[]))

    response = submit(client, action_url(rows["BREF-1"], "confirm"), {})

    assert response.status_code == 403
    assert status_of(rows["BREF-1"]) == LineStatus.SUGGESTED
    assert client.get(reverse("admin:banking_bankstatement_changelist")).status_code == 403
    assert client.get(reverse("admin:banking_bankstatement_import")).status_code == 403


def test_undoing_a_match_needs_the_delete_permission(client, entity, imported, manual):
    _, rows = imported
    bank_line_confirm(entity=manual, actor=SYSTEM, line_id=rows["BREF-1"].pk)
    client.force_login(staff(entity, without=["payments.remove_payment"]))

    response = submit(client, action_url(rows["BREF-1"], "undo"), {"reason": "Wrong"})

    assert response.status_code == 403
    assert status_of(rows["BREF-1"]) == LineStatus.MATCHED


def test_another_entitys_statement_and_lines_are_not_found(client, imported):
    statement_, rows = imported
    client.force_login(staff(EntityFactory()))

    assert client.get(review_url(statement_)).status_code == 404
    assert submit(client, action_url(rows["BREF-1"], "confirm"), {}).status_code == 404
    listed = client.get(reverse("admin:banking_bankstatement_changelist"))
    assert "november.xml" not in listed.content.decode()
    queue = client.get(reverse("admin:banking_bankstatement_queue"))
    assert queue.context["rows"] == []


def test_a_get_on_an_action_is_not_allowed(client, office, imported):
    _, rows = imported

    assert client.get(action_url(rows["BREF-1"], "confirm")).status_code == 405


def test_the_entity_settings_page_turns_automatic_confirming_off_and_on(client, office, entity):
    from tests.admin_support import permissions
    from tests.backoffice.test_admin_entity_settings import settings_form, settings_url

    office.user_permissions.add(*permissions("billing.change_entity", "billing.view_entity"))
    page = client.get(settings_url(entity)).content.decode()
    assert "Confirm certain bank matches automatically" in page

    client.post(settings_url(entity), settings_form(entity))  # the tick left empty
    entity.refresh_from_db()
    assert entity.bank_auto_confirm is False

    client.post(settings_url(entity), settings_form(entity, bank_auto_confirm="on"))
    entity.refresh_from_db()
    assert entity.bank_auto_confirm is True


# --- importing (the sample files of tests/banking/samples) -------------------------------

IMPORT_URL = "/admin/banking/bankstatement/import/"
GERMAN_CSV = {
    "account_iban": "DE89 3704 0044 0532 0130 00",
    "csv_date": "Buchungstag",
    "csv_value_date": "Valuta",
    "csv_amount": "Betrag",
    "csv_currency": "Währung",
    "csv_name": "Name",
    "csv_iban": "IBAN",
    "csv_remittance": "Verwendungszweck",
    "csv_reference": "Referenz",
    "csv_delimiter": ";",
    "csv_date_format": "%d.%m.%Y",
    "csv_decimal_comma": "on",
}


@pytest.fixture
def sample_book(entity):
    """INV-2026-00001 (120.00) and INV-2026-00002 (250.00): what statement A's first two
    lines name, by number and by RF reference."""
    acme = CustomerFactory(entity=entity, name="Acme Coworking GmbH")
    beta = CustomerFactory(entity=entity, name="Beta Studio")
    return [issued_invoice(acme, "120.00"), issued_invoice(beta, "250.00")]


def upload(client, name="statement_a.xml", content=None, **data):
    content = sample_bytes(name) if content is None else content
    return submit(
        client,
        IMPORT_URL,
        {"file": SimpleUploadedFile(name, content), "format": "", "bank_account": "", **data},
    )


def test_the_import_page_offers_accounts_formats_and_csv_columns(client, office, manual):
    account = BankAccount.objects.create(
        entity=manual,
        name="Main account",
        iban="DE89370400440532013000",
        currency="EUR",
        csv_mapping={"date": "Buchungstag", "amount": "Betrag", "delimiter": ";"},
    )

    page = client.get(f"{IMPORT_URL}?account={account.pk}").content.decode()

    for text in [
        "New, from the file&#x27;s IBAN",
        "Main account · DE89 3704 0044 0532 0130 00",
        "Detect from the file",
        "CAMT.053 (ISO 20022 XML)",
        "MT940",
        "Date column",
        'value="Buchungstag"',
        "Amounts use a decimal comma",
        'id="bank-saved-mappings"',
    ]:
        assert text in page, text


@pytest.mark.parametrize(
    ("name", "fields"),
    [("statement_a.xml", {}), ("statement_a.sta", {}), ("statement_a.csv", GERMAN_CSV)],
)
def test_each_format_imports_and_opens_the_statement(
    client, office, entity, sample_book, name, fields
):
    response = upload(client, name, **fields)

    statement_ = BankStatement.objects.get(entity=entity)
    assert response.status_code == 302
    assert response["Location"] == review_url(statement_)
    assert (statement_.filename, statement_.lines.count()) == (name, 7)
    page = client.get(response["Location"])
    assert "7 lines: 2 matched automatically, 0 suggested, 5 to review." in messages_of(page)
    for invoice in sample_book:
        invoice.refresh_from_db()
        assert invoice.status == "paid"
    balances = page.content.decode()
    if name != "statement_a.csv":  # a CSV export gives no balances
        assert "the file is whole" in balances


def test_lines_wait_for_review_when_automatic_confirming_is_off(
    client, office, manual, sample_book
):
    response = upload(client, "statement_a.xml", format="camt053")

    page = client.get(response["Location"])
    assert "7 lines: 0 matched automatically, 2 suggested, 5 to review." in messages_of(page)
    assert not Payment.objects.exists()


def test_the_same_file_twice_is_one_statement_and_an_overlap_adds_only_new_lines(
    client, office, entity, sample_book
):
    upload(client, "statement_a.xml")

    again = upload(client, "statement_a.xml")
    page = client.get(again["Location"])
    assert any("This file was imported before" in m for m in messages_of(page))
    assert BankStatement.objects.filter(entity=entity).count() == 1

    overlapping = upload(client, "statement_b.xml")
    page = client.get(overlapping["Location"])
    assert (
        "1 line: 0 matched automatically, 0 suggested, 1 to review. "
        "2 more lines were imported before."
    ) in messages_of(page)
    assert BankStatementLine.objects.filter(entity=entity).count() == 8
    assert Payment.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b'<?xml version="1.0"?><Document xmlns="urn:x"><a>', None),
        (b"no;columns;here\n1;2;3\n", None),
    ],
)
def test_an_unreadable_file_is_an_error_on_the_form(client, office, manual, content, message):
    response = upload(client, "broken.xml", content=content)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "file" in errors or "csv_date" in errors or "__all__" in errors
    if message:
        assert errors["file"] == [message]
    assert not BankStatement.objects.exists()


def test_a_csv_mapping_typed_on_the_form_is_saved_on_the_account(
    client, office, entity, sample_book
):
    upload(client, "statement_a.csv", **GERMAN_CSV)

    account = BankAccount.objects.get(entity=entity)
    assert account.csv_mapping["date"] == "Buchungstag"
    assert account.csv_mapping["decimal_comma"] is True
    assert account.iban == "DE89370400440532013000"
    # The next file of this bank needs no mapping: the account remembers it.
    upload(client, "statement_b.csv", bank_account=account.pk)
    assert BankStatementLine.objects.filter(entity=entity).count() == 8
    page = client.get(f"{IMPORT_URL}?account={account.pk}").content.decode()
    assert 'value="Verwendungszweck"' in page


def test_a_csv_file_without_an_account_asks_for_one(client, office, manual):
    fields = {**GERMAN_CSV, "account_iban": ""}

    response = upload(client, "statement_a.csv", **fields)

    assert response.status_code == 200
    assert response.context["form"].errors["bank_account"] == [
        "This statement does not name its account: choose the bank account it belongs to, "
        "or give the IBAN of a new one."
    ]
    assert not BankStatement.objects.exists()


def test_a_csv_mapping_needs_both_date_and_amount(client, office, manual):
    response = upload(client, "statement_a.csv", csv_date="Buchungstag")

    assert response.status_code == 200
    assert "csv_amount" in response.context["form"].errors
    assert not BankStatement.objects.exists()


def test_a_file_of_another_account_is_refused_on_the_account_field(client, office, manual):
    other = BankAccount.objects.create(
        entity=manual, name="Savings", iban="FR1420041010050500013M02606", currency="EUR"
    )

    response = upload(client, "statement_a.xml", bank_account=other.pk)

    assert response.status_code == 200
    assert "not FR1420041010050500013M02606" in response.context["form"].errors["bank_account"][0]


def test_a_member_of_two_entities_says_which_one_a_new_account_is_for(client, manual):
    other = EntityFactory(name="Second Space")
    client.force_login(staff(manual, other))

    refused = upload(client)
    assert "entity" in refused.context["form"].errors

    upload(client, entity=manual.pk)
    assert BankStatement.objects.get().entity == manual


def test_money_out_is_matched_to_the_refund_chosen(client, office, manual, books):
    cash = record_payment(books["beta_invoice"], "120.00")
    refund = refund_create(payment=cash, actor=SYSTEM, reason="Paid twice", amount=Decimal("40"))
    parsed = statement(line(6, "-40.00", "Beta Studio", "", "Refund", "OUT-1"))
    row = statement_import_parsed(
        entity=manual, actor=SYSTEM, parsed=parsed, digest="out"
    ).statement.lines.get()
    page = client.get(review_url(row.statement)).content.decode()
    assert "Choose the refund" in page
    assert "€40.00 to Beta Studio" in page

    submit(client, action_url(row, "split"), {"refund": refund.pk})

    assert status_of(row) == LineStatus.MATCHED
    assert BankLineAllocation.objects.get(line=row).refund_id == refund.pk


def test_undoing_a_line_whose_rest_went_to_the_balance_is_refused_on_the_line(
    client, office, imported, books
):
    _, rows = imported
    row = rows["BREF-2"]
    submit(
        client,
        action_url(row, "split"),
        {"invoice_0": books["first"].pk, "amount_0": "100.00", "remainder_to_balance": "on"},
    )

    response = submit(client, action_url(row, "undo"), {"reason": "Wrong customer"})

    assert response.status_code == 200
    (refused,) = [r for r in response.context["rows"] if r.line.pk == row.pk]
    assert refused.open_form == "undo"
    assert refused.error == [
        "This match cannot be undone: part of the line went to the customer's balance as a "
        "refund of its payment, and a payment with refunds cannot be deleted."
    ]
    assert status_of(row) == LineStatus.MATCHED
    assert not Payment.objects.get(metadata__bank_line_id=row.pk).is_deleted


def test_a_viewer_sees_the_lines_without_the_buttons(client, entity, imported):
    statement_, _ = imported
    client.force_login(staff(entity, grant=["banking.view_bankstatement"]))

    response = client.get(review_url(statement_))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Acme Coworking GmbH" in page
    assert 'data-action="confirm"' not in page
    assert 'data-action="ignore"' not in page


@pytest.mark.parametrize("chosen", ["", "camt053", "mt940", "csv"])
@pytest.mark.parametrize(
    "content",
    [
        bytes(range(256)) * 4,
        b":20:X\n:25:Y\n:61:not a line\n",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"Buchungstag;Betrag\n31.02.2026;12,00\n",
    ],
)
def test_no_file_is_a_server_error(client, office, manual, chosen, content):
    response = upload(
        client, "odd.bin", content=content, format=chosen, csv_date="Buchungstag",
        csv_amount="Betrag", csv_date_format="%d.%m.%Y", account_iban="DE89370400440532013000",
    )  # fmt: skip

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors


def test_certain_matches_left_to_the_worker_are_announced(manual, imported):
    statement_, _ = imported
    result = ImportResult(statement_, created=True, confirming_later=2)

    assert import_message(result) == (
        "3 lines: 0 matched automatically, 2 suggested, 1 to review. 2 certain matches are "
        "being confirmed in the background: reload the page in a moment."
    )
