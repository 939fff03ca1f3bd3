"""Security of the pages: CSRF on every admin and portal POST, and an audit trail (and
balance ledger) that no admin page can add to, change or delete, not even by deleting a user.

The model-level refusals of the audit trail are `tests/billing/test_append_only.py`.
"""

from decimal import Decimal

import pytest
from django.contrib.admin.utils import quote
from django.core import mail
from django.test import Client
from django.urls import reverse

from backoffice.flows import form_token_new
from billing.models import ApiKey, AuditEvent, BalanceTransaction
from billing.services import api_key_create
from payments.models import Payment
from tests.admin_support import books, customer_url, invoice_url, staff
from tests.asserts import unchanged
from tests.factories import (
    SYSTEM,
    SavedCardFactory,
    UserFactory,
    charge_card,
    issued_advance,
    issued_invoice,
)
from tests.reliability.routes import concrete_urls

# --- CSRF on every admin and portal form ---------------------------------------------------------

# Anything a money form could carry: without a CSRF token none of it may be acted on.
FORM_DATA = {
    "amount": "10.00",
    "method": "external",
    "external_type": "cash",
    "date": "2026-03-02",
    "reason": "Forged",
    "note": "Forged",
    "reference": "FORGED",
    "destination": "customer_balance",
    "form_token": "forged-token",
    "post": "yes",
    "confirm": "yes",
    "decision": "approve",
    "number": "4242 4242 4242 4242",
    "expiry": "12/34",
    "cvc": "123",
    "username": "lena",
    "password": "correct horse battery",
    "email": "lena@example.com",
    "new_password1": "Forged-Passw0rd!",
    "new_password2": "Forged-Passw0rd!",
}


@pytest.fixture
def office_books(entity):
    """The back office's documents in every state its flows act on, and a ledger row."""
    from billing.services import balance_adjust

    office = books(entity)
    advance = issued_advance(office.customer, total="90.00")
    balance_adjust(customer=office.customer, amount=Decimal("5.00"), reason="Gift", actor=SYSTEM)
    key, _raw = api_key_create(name="Accounting sync", entities=[entity])
    return office, {
        "apikey": key.pk,
        "invoice": office.invoice.pk,
        "advanceinvoice": advance.pk,
        "creditnote": "1",
        "customer": office.customer.pk,
        "payment": office.cash.pk,
        "refund": "1",
        "entity": office.entity.pk,
        "auditevent": AuditEvent.objects.order_by("pk").first().pk,
        "balancetransaction": BalanceTransaction.objects.order_by("pk").first().pk,
    }


def _admin_value(office_books, route: str, arg: str) -> str:
    office, objects = office_books
    if arg == "payment_id":
        return office.failed.pk if "/retry/" in route else office.cash.pk
    if arg == "app_label":
        return "billing"
    if arg == "content_type_id":
        return "1"
    model = route.split("/")[2] if route.count("/") > 2 else ""
    return quote(str(objects.get(model, "1")))


def objects_of(office_books) -> dict:
    return office_books[1]


def test_every_admin_post_without_a_csrf_token_is_403_and_changes_nothing(office_books):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    urls = concrete_urls("admin/", lambda route, arg: _admin_value(office_books, route, arg))
    flows = [url for url in urls if "/invoice/" in url and url.count("/") > 5]

    with unchanged():
        answers = {url: client.post(url, FORM_DATA).status_code for url in urls}

    assert len(flows) >= 10  # every money flow of the invoice page is in the sweep
    assert {url for url, status in answers.items() if status != 403} == set()
    assert Payment.objects.filter(reference="FORGED").count() == 0
    assert f"/admin/billing/apikey/{quote(objects_of(office_books)['apikey'])}/revoke/" in answers
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()


def _portal_value(member_books, route: str, arg: str) -> str:
    return {
        "invoice_id": member_books["invoice"].pk,
        "payment_id": member_books["payment"].pk,
        "refund_id": member_books["refund"].pk,
        # CSRF answers before any lookup: an id of the right shape is enough.
        "credit_note_id": "cn_00000000000000000000000000",
        "method_id": member_books["card"].pk,
        "reference": "sbx_setup_forged",
        "uidb64": "MQ",
        "token": "set-password",
    }[arg]


@pytest.fixture
def member_books(customer):
    from payments.services import refund_create

    member = UserFactory(username="lena", email="lena@example.com")
    customer.user = member
    customer.save(update_fields=["user"])
    card = SavedCardFactory(customer=customer, is_default=True)
    invoice = issued_invoice(customer, total="120.00")
    paid = issued_invoice(customer, total="50.00")
    payment = charge_card(paid, card=card)
    refund = refund_create(payment=payment, actor=SYSTEM, reason="Desk closed", amount="5.00")
    return {
        "member": member,
        "invoice": invoice,
        "payment": payment,
        "refund": refund,
        "card": card,
    }


def test_every_portal_post_without_a_csrf_token_is_403_and_changes_nothing(member_books):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_books["member"])
    urls = concrete_urls("portal/", lambda route, arg: _portal_value(member_books, route, arg))
    anonymous = Client(enforce_csrf_checks=True)

    with unchanged():
        answers = {url: client.post(url, FORM_DATA).status_code for url in urls}
        signed_out = {url: anonymous.post(url, FORM_DATA).status_code for url in urls}

    assert len(urls) >= 20
    assert {url for url, status in answers.items() if status != 403} == set()
    assert {url for url, status in signed_out.items() if status != 403} == set()
    assert mail.outbox == []  # no password reset was sent
    member_books["card"].refresh_from_db()
    assert member_books["card"].detached_at is None


def _csrf_token(client: Client, url: str) -> str:
    assert client.get(url).status_code == 200
    return client.cookies["csrftoken"].value


def test_with_the_csrf_token_the_same_forms_act(member_books, entity):
    """The control: the 403s above are the CSRF check, not a permission or a bad form."""
    office = staff(entity)
    admin = Client(enforce_csrf_checks=True)
    admin.force_login(office)
    invoice = member_books["invoice"]
    form_url = invoice_url(invoice, "payment_create")
    token = _csrf_token(admin, form_url)
    form = admin.get(form_url).context["form"]

    recorded = admin.post(
        form_url,
        {
            **FORM_DATA,
            "csrfmiddlewaretoken": token,
            "form_token": form["form_token"].value(),
            "seen_due": form["seen_due"].value(),
        },
    )
    adjusted = admin.post(
        customer_url(invoice.customer, "adjust_balance"),
        {
            "csrfmiddlewaretoken": token,
            "form_token": form_token_new(),
            "direction": "add",
            "amount": "5.00",
            "note": "Goodwill",
        },
    )

    assert recorded.status_code == 302, recorded.content
    assert Payment.objects.filter(invoice=invoice, reference="FORGED").count() == 1
    assert adjusted.status_code == 302, adjusted.content
    invoice.customer.refresh_from_db()
    assert invoice.customer.balance == Decimal("5.00")
    member = Client(enforce_csrf_checks=True)
    member.force_login(member_books["member"])
    page = f"/portal/invoices/{invoice.pk}/"
    paid = member.post(
        f"{page}pay",
        {
            "amount": "110.00",
            "method": member_books["card"].pk,
            "form_token": "tok-1",
            "csrfmiddlewaretoken": _csrf_token(member, page),
        },
    )
    assert paid.status_code == 302
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.status) == (Decimal("120.00"), "paid")


# --- the audit trail ------------------------------------------------------------------------


def test_the_admin_cannot_add_change_or_delete_audit_events_or_ledger_rows(office_books):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    token = _csrf_token(client, reverse("admin:billing_auditevent_changelist"))
    rows = {
        "auditevent": AuditEvent.objects.order_by("pk").first(),
        "balancetransaction": BalanceTransaction.objects.order_by("pk").first(),
    }

    with unchanged():
        for model, row in rows.items():
            base = f"admin:billing_{model}"
            pk = quote(str(row.pk))
            data = {"csrfmiddlewaretoken": token, "reason": "rewritten", "amount": "999"}
            assert client.get(reverse(f"{base}_add")).status_code == 403
            assert client.post(reverse(f"{base}_add"), data).status_code == 403
            assert client.post(reverse(f"{base}_change", args=[pk]), data).status_code == 403
            assert client.get(reverse(f"{base}_delete", args=[pk])).status_code == 403
            deleted = client.post(reverse(f"{base}_delete", args=[pk]), {**data, "post": "yes"})
            assert deleted.status_code == 403
            bulk = client.post(
                reverse(f"{base}_changelist"),
                {**data, "action": "delete_selected", "_selected_action": [row.pk], "post": "yes"},
            )
            assert bulk.status_code in (200, 302)
            page = client.get(reverse(f"{base}_change", args=[pk])).content.decode()
            assert 'name="_save"' not in page and "deletelink" not in page


def test_deleting_a_staff_user_who_acted_is_refused_and_the_trail_keeps_them(office_books):
    from billing.actors import Actor
    from billing.services import balance_adjust

    office, _objects = office_books
    clerk = staff(office.entity)
    balance_adjust(
        customer=office.customer,
        amount=Decimal("5.00"),
        reason="Goodwill",
        actor=Actor.admin(clerk),
    )
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)

    with unchanged():
        response = client.post(f"/admin/auth/user/{clerk.pk}/delete/", {"post": "yes"})

    assert response.status_code == 200  # the page explains what protects the user
    assert "Cannot delete user" in response.content.decode()
    assert AuditEvent.objects.filter(actor_user=clerk).count() == 1
    assert BalanceTransaction.objects.filter(created_by=clerk).count() == 1
