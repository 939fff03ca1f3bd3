"""Who may do what on an invoice page: each money flow needs its Django permission, and
another entity's documents do not exist for a staff member. A refused action is a 403 or
a 404 and changes nothing: no payment, refund, ledger row or audit event, same totals."""

import pytest
from django.urls import reverse

from payments.models import Payment
from tests.admin_support import (
    MONEY_PERMISSIONS,
    books,
    customer_url,
    invoice_url,
    messages_of,
    staff,
    submit,
)
from tests.asserts import unchanged
from tests.factories import EntityFactory, UserFactory


def external(amount="10.00", seen_due="60.00"):
    return {
        "amount": amount,
        "method": "external",
        "external_type": "cash",
        "date": "",
        "reference": "",
        "note": "",
        "seen_due": seen_due,
    }


# (flow, the permission it needs, how to call it on an entity's books)
FLOWS = [
    (
        "record external payment",
        "payments.record_payment",
        lambda b: (invoice_url(b.invoice, "payment_create"), external()),
    ),
    (
        "charge a saved card",
        "payments.charge_payment",
        lambda b: (
            invoice_url(b.invoice, "payment_create"),
            {"amount": "10.00", "method": b.card.pk, "seen_due": "60.00"},
        ),
    ),
    (
        "refund",
        "payments.refund_payment",
        lambda b: (
            invoice_url(b.invoice, "payment_refund", b.cash.pk),
            {"amount": "5.00", "destination": "original", "reason": "Why not"},
        ),
    ),
    (
        "edit a payment",
        "payments.change_payment",
        lambda b: (
            invoice_url(b.invoice, "payment_edit", b.cash.pk),
            {"date": "2026-01-01", "reference": "Changed", "note": ""},
        ),
    ),
    (
        "delete a payment",
        "payments.remove_payment",
        lambda b: (invoice_url(b.invoice, "payment_delete", b.cash.pk), {"reason": "Twice"}),
    ),
    (
        "retry a failed charge",
        "payments.charge_payment",
        lambda b: (invoice_url(b.invoice, "payment_retry", b.failed.pk), {"method": b.card.pk}),
    ),
    (
        "move an overpayment to the balance",
        "payments.refund_payment",
        lambda b: (invoice_url(b.overpaid, "move_excess"), {"amount": "10.00"}),
    ),
    (
        "issue a credit note",
        "invoices.issue_credit_note",
        lambda b: (
            invoice_url(b.fresh, "credit_note_create"),
            {"reason": "Goodwill", "date": "2026-01-01", "fixed_amount": "10.00"},
        ),
    ),
    (
        "refund through a credit note",
        "payments.refund_payment",
        lambda b: (
            invoice_url(b.invoice, "credit_note_create"),
            {
                "reason": "Goodwill",
                "date": "2026-01-01",
                "fixed_amount": "10.00",
                "refund_payment": b.cash.pk,
                "refund_amount": "10.00",
            },
        ),
    ),
    (
        "refund an invoice",
        "payments.refund_payment",
        lambda b: (
            invoice_url(b.invoice, "invoice_refund"),
            {
                "amount": "10.00",
                "order": "newest_first",
                "destination": "original",
                "reason": "Overcharged",
                "previewed": "10.00|newest_first|original",
                "refund": "Refund",
            },
        ),
    ),
    ("issue an invoice", "invoices.issue_invoice", lambda b: (invoice_url(b.draft, "issue"), {})),
    (
        "void an invoice",
        "invoices.void_invoice",
        lambda b: (invoice_url(b.fresh, "void"), {"reason": "Wrong customer"}),
    ),
    (
        "write off an invoice",
        "invoices.write_off_invoice",
        lambda b: (invoice_url(b.fresh, "write_off"), {"reason": "Gone"}),
    ),
    (
        "adjust a money balance",
        "billing.adjust_balance",
        lambda b: (
            customer_url(b.customer, "adjust_balance"),
            {"direction": "add", "amount": "10.00", "note": "Gift"},
        ),
    ),
]
FLOW_IDS = [flow for flow, _permission, _call in FLOWS]


@pytest.fixture
def ours(db):
    return books(EntityFactory(name="Harbour Coworking"))


@pytest.fixture
def theirs(db):
    return books(EntityFactory(name="Rival Desks"))


@pytest.mark.parametrize(("flow", "permission", "call"), FLOWS, ids=FLOW_IDS)
def test_a_flow_without_its_permission_is_forbidden_and_changes_nothing(
    client, ours, flow, permission, call
):
    client.force_login(staff(ours.entity, without=[permission]))
    url, data = call(ours)

    with unchanged():
        posted = submit(client, url, data)
        opened = client.get(url)

    assert posted.status_code == 403, flow
    if flow not in (
        "charge a saved card",
        "record external payment",
        "refund through a credit note",
    ):
        assert opened.status_code == 403, flow


@pytest.mark.parametrize(("flow", "permission", "call"), FLOWS, ids=FLOW_IDS)
def test_another_entitys_documents_are_not_found_and_change_nothing(
    client, ours, theirs, flow, permission, call
):
    client.force_login(staff(ours.entity))
    url, data = call(theirs)

    with unchanged():
        posted = submit(client, url, data)
        opened = client.get(url)

    assert (posted.status_code, opened.status_code) == (404, 404), flow


def test_another_entitys_invoice_page_is_not_shown(client, ours, theirs):
    client.force_login(staff(ours.entity))

    response = client.get(invoice_url(theirs.invoice), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert theirs.customer.name not in response.content.decode()
    assert "doesn’t exist" in messages_of(response)[0]


def test_a_payment_is_only_reachable_through_its_own_invoice(client, ours):
    client.force_login(staff(ours.entity))
    other_invoice = ours.overpaid

    with unchanged():
        response = submit(
            client,
            invoice_url(other_invoice, "payment_refund", ours.cash.pk),
            {"amount": "5.00", "destination": "original", "reason": "Sneaky"},
        )

    assert response.status_code == 404


def test_a_clerk_who_records_payments_cannot_refund_them(client, ours):
    clerk = staff(ours.entity, grant=["payments.record_payment"])
    client.force_login(clerk)

    page = client.get(invoice_url(ours.invoice))
    form = client.get(invoice_url(ours.invoice, "payment_create")).context["form"]
    recorded = submit(client, invoice_url(ours.invoice, "payment_create"), external("20.00"))

    assert recorded.status_code == 302
    assert Payment.objects.filter(invoice=ours.invoice, created_by=clerk).count() == 1
    assert [value for value, _label in form.fields["method"].choices] == ["external"]
    assert all(row["menu"] == [] for row in page.context["payment_rows"])
    assert page.context["actions"] == []
    assert page.context["credit_note_url"] == ""
    with unchanged():
        refused = submit(
            client,
            invoice_url(ours.invoice, "payment_refund", ours.cash.pk),
            {"amount": "5.00", "destination": "original", "reason": "No"},
        )
    assert refused.status_code == 403


def test_a_staff_member_without_money_permissions_sees_no_money_buttons(client, ours):
    client.force_login(staff(ours.entity, grant=[]))

    page = client.get(invoice_url(ours.overpaid))

    assert page.status_code == 200
    assert page.context["create_url"] == ""
    assert page.context["actions"] == []
    assert "Move excess to money balance" not in page.content.decode()


def test_a_superuser_acts_on_any_entity(client, theirs):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = submit(client, invoice_url(theirs.invoice, "payment_create"), external("20.00"))

    assert response.status_code == 302


def test_signed_out_visitors_are_sent_to_the_login_page(client, ours):
    with unchanged():
        response = submit(client, invoice_url(ours.invoice, "payment_create"), external())

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_every_money_permission_is_covered():
    assert {permission for _flow, permission, _call in FLOWS} == set(MONEY_PERMISSIONS)
