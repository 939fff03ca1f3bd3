"""Editing or deleting a draft while someone issues it: one wins, the other is refused, and
the issued invoice is exactly the lines it was issued with."""

from decimal import Decimal

import pytest

from billing.errors import InvalidState, NotFound
from invoices.models import Invoice, InvoiceLine
from invoices.services import invoice_delete_draft, invoice_update
from payments.services import invoice_issue
from tests.factories import SYSTEM, CustomerFactory, EntityFactory, draft_invoice
from tests.threads import run_together, split

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NEW_ITEMS = [{"name": "Meeting room", "quantity": "2", "price": "40.00"}]


def lines_total(invoice_id: str) -> Decimal:
    return sum(
        (line.total for line in InvoiceLine.objects.filter(invoice_id=invoice_id)), Decimal("0")
    )


@pytest.mark.parametrize("round_", range(3))
def test_an_edit_racing_an_issue_never_changes_an_issued_invoice(round_):
    customer = CustomerFactory(entity=EntityFactory())
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")

    def edit():
        return invoice_update(
            invoice=draft, actor=SYSTEM, customer=customer, items=NEW_ITEMS, date="2026-03-01"
        )

    def issue():
        return invoice_issue(invoice=Invoice.objects.get(pk=draft.pk), actor=SYSTEM)

    outcomes = run_together([edit, issue])

    _done, errors = split(outcomes)
    issued = Invoice.objects.get(pk=draft.pk)
    assert issued.status == "issued"
    assert issued.total == lines_total(draft.pk)
    if errors:
        assert [type(error) for error in errors] == [InvalidState]
        assert errors[0].code == "invoice_not_draft"
        assert issued.total == Decimal("30.00")
    else:
        assert issued.total == Decimal("80.00")  # edited first, then issued as edited


def test_a_delete_racing_an_issue_leaves_either_an_issued_invoice_or_nothing():
    customer = CustomerFactory(entity=EntityFactory())
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")

    outcomes = run_together(
        [
            lambda: invoice_delete_draft(invoice=draft, actor=SYSTEM),
            lambda: invoice_issue(invoice=Invoice.objects.get(pk=draft.pk), actor=SYSTEM),
        ]
    )

    _done, errors = split(outcomes)
    assert len(errors) == 1
    # The loser is told in words: the draft is gone, or it is no longer a draft.
    assert isinstance(errors[0], InvalidState | NotFound | Invoice.DoesNotExist), errors[0]
    survivor = Invoice.objects.filter(pk=draft.pk).first()
    if survivor is None:
        assert InvoiceLine.objects.filter(invoice_id=draft.pk).count() == 0
    else:
        assert (survivor.status, survivor.total) == ("issued", Decimal("30.00"))
        assert InvoiceLine.objects.filter(invoice_id=draft.pk).count() == 1
