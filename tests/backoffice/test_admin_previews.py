"""The Preview button of the Refund, Credit note, Move excess and Adjust balance forms: it
shows the figures before → after and the rows to be created, and writes nothing; only the
final button writes, once per form token."""

from decimal import Decimal

import pytest

from billing.models import BalanceTransaction
from invoices.models import CreditNote
from payments.models import Refund
from tests.admin_support import customer_url, invoice_url, submit
from tests.asserts import nothing_changes
from tests.factories import charge_card, give_balance, issued_invoice, record_payment
from tests.payments.fake_gateway import FakeGateway, using_gateway


def _refund(customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = record_payment(invoice, "100.00")
    url = invoice_url(invoice, "payment_refund", payment.pk)
    fields = {"amount": "40.00", "destination": "original", "reason": "Desk unused"}
    return url, fields, invoice, lambda: Refund.objects.count()


def _credit_note(customer):
    invoice = issued_invoice(customer, total="100.00")
    url = invoice_url(invoice, "credit_note_create")
    fields = {"reason": "Discount", "date": "2026-03-01", "fixed_amount": "30.00"}
    return url, fields, invoice, lambda: CreditNote.objects.count()


def _move_excess(customer):
    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "125.00")
    url = invoice_url(invoice, "move_excess")
    return url, {"amount": "25.00"}, invoice, lambda: Refund.objects.count()


def _adjust_balance(customer):
    give_balance(customer, "10.00")
    url = customer_url(customer, "adjust_balance")
    fields = {"direction": "add", "amount": "15.00", "note": "Goodwill"}
    return url, fields, None, lambda: BalanceTransaction.objects.count()


FORMS = {
    "refund": (_refund, "Amount due", "€40.00"),
    "credit_note": (_credit_note, "Amount due", "€70.00"),
    "move_excess": (_move_excess, "Money balance", "€25.00"),
    "adjust_balance": (_adjust_balance, "Money balance", "€25.00"),
}


@pytest.mark.parametrize("name", FORMS)
def test_preview_shows_the_figures_and_only_the_final_click_writes(
    client, office, customer, name, django_capture_on_commit_callbacks
):
    build, figure, after = FORMS[name]
    url, fields, _invoice, count = build(customer)
    token = "t" * 32
    rows = count()

    with nothing_changes(), django_capture_on_commit_callbacks() as sent:
        shown = submit(client, url, {**fields, "preview": "Preview"}, token=token)
    assert sent == []

    html = shown.content.decode()
    assert shown.status_code == 200
    assert 'data-testid="money-preview"' in html
    assert "Preview: nothing has changed yet" in html
    assert figure in html and after in html
    assert shown.context["preview"].creates
    final = submit(client, url, fields, token=token)
    again = submit(client, url, fields, token=token)

    assert final.status_code == again.status_code == 302
    assert count() == rows + 1


def test_a_refused_preview_shows_the_services_error_and_writes_nothing(client, office, customer):
    url, fields, _invoice, _count = _refund(customer)

    with nothing_changes():
        shown = submit(client, url, {**fields, "amount": "400.00", "preview": "Preview"})

    assert shown.status_code == 200
    assert shown.context["preview"] is None
    assert shown.context["form"].errors


def test_a_card_refund_preview_calls_no_gateway_and_assumes_it_accepts(client, office, customer):
    invoice = issued_invoice(customer, total="100.00")
    payment = charge_card(invoice, "60.00")
    url = invoice_url(invoice, "payment_refund", payment.pk)
    gateway = FakeGateway()

    with using_gateway(gateway), nothing_changes():
        shown = submit(
            client,
            url,
            {"amount": "20.00", "destination": "original", "reason": "x", "preview": "Preview"},
        )

    assert gateway.refunds == []
    preview = shown.context["preview"]
    assert preview.gateway_calls
    [figures] = [change for change in preview.changes if change["label"].startswith("Invoice")]
    paid = next(row for row in figures["rows"] if row["label"] == "Paid")
    assert (paid["before"], paid["after"]) == ("€60.00", "€40.00")
    assert "these figures assume the gateway accepts it" in shown.content.decode()
    invoice.refresh_from_db()
    assert invoice.total_paid == Decimal("60.00")
