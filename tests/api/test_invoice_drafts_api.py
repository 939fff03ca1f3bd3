"""`PATCH` and `DELETE` of draft invoices, and `include` on invoices, through HTTP."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from invoices.models import Invoice
from tests.asserts import unchanged
from tests.factories import CustomerFactory, draft_invoice, issued_invoice, record_payment

pytestmark = pytest.mark.django_db


def test_patching_a_draft_changes_what_is_sent_and_keeps_the_rest(api, customer):
    draft = draft_invoice(customer, total="100.00", note="Desk", payment_terms_days=30)

    response = api.patch(
        f"invoices/{draft.pk}",
        {
            "note": "Desk, November",
            "items": [{"name": "Desk", "quantity": 2, "price": Decimal("60.00")}],
        },
    )

    assert response.status == 200, response.body
    body = response.body
    assert (body["note"], body["payment_terms_days"], body["total"]) == (
        "Desk, November", 30, Decimal("120.00"),
    )  # fmt: skip
    assert [item["name"] for item in body["items"]] == ["Desk"]
    assert AuditEvent.objects.filter(action="invoice.updated", object_id=draft.pk).exists()


def test_patching_only_the_note_keeps_every_line(api, customer):
    draft = draft_invoice(customer, total="75.50")

    body = api.patch(f"invoices/{draft.pk}", {"note": "Thanks"}).body

    assert (body["total"], len(body["items"]), body["note"]) == (Decimal("75.50"), 1, "Thanks")


def test_an_issued_invoice_cannot_be_patched_or_deleted(api, customer):
    invoice = issued_invoice(customer, total="100.00")

    with unchanged():
        patched = api.patch(f"invoices/{invoice.pk}", {"note": "x"})
        deleted = api.delete(f"invoices/{invoice.pk}")

    assert (patched.status, patched.error["code"]) == (409, "invoice_not_draft")
    assert (deleted.status, deleted.error["code"]) == (409, "invoice_not_draft")


def test_deleting_a_draft_removes_it_and_the_trail_keeps_it(api, customer):
    draft = draft_invoice(customer, total="10.00")

    response = api.delete(f"invoices/{draft.pk}")

    assert response.body == {"id": draft.pk, "object": "invoice", "deleted": True}
    assert api.get(f"invoices/{draft.pk}").status == 404
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(action="invoice.deleted", object_id=draft.pk).exists()


def test_patching_to_another_entitys_customer_is_404(api, customer):
    draft = draft_invoice(customer, total="10.00")
    stranger = CustomerFactory()

    response = api.patch(f"invoices/{draft.pk}", {"customer_id": stranger.pk})

    assert (response.status, response.error["param"]) == (404, "customer_id")


def test_include_embeds_the_customer_payments_and_credit_notes(api, customer):
    from tests.factories import issued_credit_note

    invoice = issued_invoice(customer, total="100.00")
    record_payment(invoice, "30.00")
    issued_credit_note(invoice, "20.00", to="invoice")

    one = api.get(f"invoices/{invoice.pk}", {"include": "Customer,Payments,CreditNotes"}).body
    listed = api.get("invoices", {"include": "Payments"}).body["data"][0]
    bad = api.get("invoices", {"include": "Lines"})

    assert one["Customer"]["id"] == customer.pk
    assert sorted(p["amount"] for p in one["Payments"]) == [Decimal("20.00"), Decimal("30.00")]
    assert [c["total"] for c in one["CreditNotes"]] == [Decimal("20.00")]
    assert len(listed["Payments"]) == 2 and "Customer" not in listed
    assert (bad.status, bad.error["code"]) == (400, "invalid_include")
