"""Reviewing a bank statement in Chromium, from the keyboard: j moves to a line, c confirms
its proposed match, s opens the split form of the next; at desktop and phone width."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from banking.models import BankStatementLine, LineStatus
from banking.services.importing import statement_import_parsed
from payments.models import Payment
from tests.banking.samples import sample_path
from tests.banking.statements import line, statement
from tests.browser.conftest import screenshot
from tests.factories import SYSTEM, CustomerFactory, issued_invoice

pytestmark = pytest.mark.browser


@pytest.fixture
def books(office, customer):
    _user, entity = office
    entity.bank_auto_confirm = False
    entity.save()
    other = CustomerFactory(entity=entity, name="Harbour Design Collective")
    return {
        "entity": entity,
        "named": issued_invoice(customer, "240.00"),
        "first": issued_invoice(other, "100.00"),
        "second": issued_invoice(other, "50.00"),
    }


@pytest.fixture
def seeded(books):
    parsed = statement(
        line(2, "15.00", "Unknown Sender", "NL91ABNA0417164300", "Donation", "REF-1"),
        line(3, "240.00", "Northwind Studio", "DE02120300000000202051",
             f"Payment for {books['named'].number} thank you", "REF-2"),
        line(4, "175.00", "Harbour Design Collective", "DE75512108001245126199",
             "Desks October and November", "REF-3"),
        line(5, "-12.50", "Bank fees", "", "Account maintenance November", "REF-4"),
    )  # fmt: skip
    return statement_import_parsed(
        entity=books["entity"], actor=SYSTEM, parsed=parsed, digest="b1", filename="nov.xml"
    ).statement


@pytest.mark.parametrize("width,height,name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_a_statement_is_reviewed_from_the_keyboard(
    page, live_server, books, seeded, width, height, name
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{reverse('admin:index')}")
    page.get_by_role("link", name="Bank statements").first.click()
    expect(page.locator("#result_list")).to_contain_text("nov.xml")
    expect(page.locator("#result_list .field-suggested")).to_have_text("2")
    screenshot(page, f"bank_statements_list_{name}")
    page.get_by_role("link", name="nov.xml").click()

    rows = page.locator("[data-line]")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_be_focused()
    expect(rows.nth(3).get_by_test_id("line-amount")).to_have_class(
        "num bank-amount settle-negative"
    )
    expect(page.get_by_test_id("shortcuts")).to_contain_text("confirm the proposed match")
    screenshot(page, f"bank_review_{name}")

    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    expect(rows.nth(1).get_by_test_id("suggestions")).to_contain_text(books["named"].number)
    page.keyboard.press("c")

    expect(page.locator(".messagelist")).to_contain_text(
        f"Matched €240.00 from Northwind Studio to {books['named'].number}."
    )
    expect(rows.nth(1).get_by_test_id("line-status")).to_have_text("Matched")
    expect(rows.nth(1).get_by_test_id("line-payments")).to_contain_text("€240.00")
    expect(rows.nth(2)).to_be_focused()  # the next line, ready for the next key
    books["named"].refresh_from_db()
    assert books["named"].status == "paid"

    page.keyboard.press("s")
    split = rows.nth(2).locator("details[data-form=split]")
    expect(split).to_have_attribute("open", "")
    first_invoice = split.locator("select").first
    expect(first_invoice).to_be_focused()
    first_invoice.select_option(books["first"].pk)
    split.locator("input[name=amount_0]").fill("100.00")
    split.locator("input[name=number_1]").fill(books["second"].number)
    split.locator("input[name=amount_1]").fill("50.00")
    split.get_by_label("Send the rest to the customer's balance").check()
    screenshot(page, f"bank_review_split_{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    split.locator("input[name=amount_1]").press("Enter")

    expect(page.locator(".messagelist")).to_contain_text("€25.00 went to the customer's balance")
    expect(rows.nth(2).get_by_test_id("line-status")).to_have_text("Matched")
    paid = Payment.objects.filter(metadata__bank_line_id=rows.nth(2).get_attribute("data-line-id"))
    assert sorted(p.amount for p in paid) == [Decimal("75.00"), Decimal("100.00")]

    page.keyboard.press("i")
    reason = rows.nth(3).locator("details[data-form=ignore] input[type=text]")
    expect(reason).to_be_focused()
    reason.fill("Bank fee")
    reason.press("Enter")
    expect(rows.nth(3).get_by_test_id("line-status")).to_have_text("Ignored")
    screenshot(page, f"bank_review_done_{name}")
    assert BankStatementLine.objects.filter(status=LineStatus.MATCHED).count() == 2

    # k goes back up; u undoes the focused line's ignore, with a reason.
    page.keyboard.press("k")
    expect(rows.nth(2)).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("u")
    reason = rows.nth(3).locator("details[data-form=undo] input[type=text]")
    expect(reason).to_be_focused()
    reason.fill("A refund after all")
    reason.press("Enter")
    expect(rows.nth(3).get_by_test_id("line-status")).to_have_text("Unmatched")
    expect(rows.nth(3)).to_be_focused()


def test_the_review_queue_and_a_refusal_on_the_line(page, live_server, books, seeded):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}{reverse('admin:banking_bankstatement_queue')}")
    rows = page.locator("[data-line]")
    expect(rows).to_have_count(4)
    # Enter on a focused line confirms its proposed match, as c does.
    page.keyboard.press("ArrowDown")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Matched €240.00 from Northwind Studio")
    expect(rows).to_have_count(3)
    first_row = rows.nth(0)
    first_row.get_by_text("Split / choose").click()
    first_row.locator("input[name=number_0]").fill(books["first"].number)
    first_row.locator("input[name=amount_0]").fill("99.00")
    first_row.get_by_role("button", name="Confirm split").click()

    expect(page.get_by_test_id("line-error")).to_contain_text("add up to more than the line")
    expect(page.locator("[data-line].has-error details[data-form=split]")).to_have_attribute(
        "open", ""
    )
    screenshot(page, "bank_queue_refusal_phone")
    # On a phone each line is a card of its own: nothing widens the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("width,height,name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_a_csv_statement_is_imported_from_the_page(page, live_server, office, width, height, name):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}{reverse('admin:banking_bankstatement_changelist')}")
    page.get_by_test_id("import-statement").click()
    expect(page.locator("h1")).to_have_text("Import statement")
    page.set_input_files("#id_file", str(sample_path("statement_a.csv")))
    page.fill("#id_account_iban", "DE89 3704 0044 0532 0130 00")
    page.select_option("#id_format", "csv")
    for field, value in [
        ("csv_date", "Buchungstag"),
        ("csv_amount", "Betrag"),
        ("csv_name", "Name"),
        ("csv_iban", "IBAN"),
        ("csv_remittance", "Verwendungszweck"),
        ("csv_reference", "Referenz"),
        ("csv_date_format", "%d.%m.%Y"),
    ]:
        page.fill(f"#id_{field}", value)
    page.check("#id_csv_decimal_comma")
    screenshot(page, f"bank_import_{name}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.get_by_role("button", name="Import statement").click()

    expect(page.locator(".messagelist")).to_contain_text(
        "7 lines: 0 matched automatically, 0 suggested, 7 to review."
    )
    expect(page.locator("[data-line]")).to_have_count(7)
    expect(page.locator("h1")).to_have_text("statement_a.csv")
    screenshot(page, f"bank_imported_{name}")
