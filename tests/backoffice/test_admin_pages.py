from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from billing.models import AuditEvent, Entity, EntityMembership
from invoices.models import AdvanceInvoice, Invoice
from payments.management.commands.seed_demo import DEMO_ENTITY_NAME
from payments.models import Payment, PaymentType
from payments.services import payment_record
from tests.factories import CustomerFactory, UserFactory, draft_invoice, issued_invoice

SETTLE_APPS = {"billing", "invoices", "payments"}


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Admin pages link static files; tests render them without a collectstatic manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db, client):
    call_command("seed_demo", stdout=StringIO())
    signed_in = client.post(
        "/admin/login/", {"username": "admin", "password": "admin", "next": "/admin/"}
    )
    assert signed_in["Location"] == "/admin/"
    return client


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def demo_staff_member():
    """A staff user (not a superuser) with every Settle permission, member of the demo."""
    staff = UserFactory(is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label__in=SETTLE_APPS))
    EntityMembership.objects.create(entity=Entity.objects.get(name=DEMO_ENTITY_NAME), user=staff)
    return staff


@pytest.mark.parametrize("as_staff_member", [False, True], ids=["superuser", "staff"])
def test_every_settle_admin_page_renders_with_the_demo_data(demo, as_staff_member):
    if as_staff_member:
        demo.force_login(demo_staff_member())
    models = [model for model in admin.site._registry if model._meta.app_label in SETTLE_APPS]
    assert {model.__name__ for model in models} >= {
        "Entity",
        "Customer",
        "ApiKey",
        "AuditEvent",
        "BalanceTransaction",
        "Invoice",
        "AdvanceInvoice",
        "CreditNote",
        "Payment",
        "Refund",
        "SavedPaymentMethod",
    }

    for model in models:
        assert demo.get(admin_url(model, "changelist")).status_code == 200, model
        for row in model._default_manager.all()[:3]:
            assert demo.get(admin_url(model, "change", row.pk)).status_code == 200, row


@pytest.mark.parametrize("situation", ["due", "overdue", "overpaid"])
def test_invoice_situation_filter(demo, situation):
    page = demo.get(admin_url(Invoice, "changelist"), {"situation": situation})

    assert page.status_code == 200
    shown = page.context["cl"].result_list
    assert shown
    if situation != "due":
        assert {invoice.display_status for invoice in shown} == {situation}


def test_invoice_page_lists_its_lines_and_payments(demo):
    payment = Payment.objects.get(gateway="sandbox", status="succeeded")

    page = demo.get(admin_url(Invoice, "change", payment.invoice_id)).content.decode()

    assert "Coffee bar and printing" in page
    assert "Visa •••• 4242" in page
    assert str(payment.amount) in page


def test_a_draft_page_says_draft_not_issued(demo):
    draft = Invoice.objects.filter(status="draft").first() or draft_invoice(
        CustomerFactory(entity=Entity.objects.get(name=DEMO_ENTITY_NAME))
    )
    page = demo.get(admin_url(Invoice, "change", draft.pk)).content.decode()
    assert "Draft dated" in page
    assert "Issued" not in page.split('class="settle-head__meta"')[1].split("</p>")[0]


def test_payments_cannot_be_added_or_deleted_in_the_admin(demo):
    payment = Payment.objects.filter(type=PaymentType.CASH).first()

    assert demo.get(admin_url(Payment, "add")).status_code == 403
    assert demo.post(admin_url(Payment, "delete", payment.pk), {"post": "yes"}).status_code == 403
    assert Payment.objects.filter(pk=payment.pk, is_deleted=False).exists()


def test_payment_reference_edit_goes_through_the_service_and_is_audited(demo):
    payment = Payment.objects.filter(type=PaymentType.BANK_TRANSFER).first()
    invoice_paid = payment.invoice.total_paid

    response = demo.post(
        admin_url(Payment, "change", payment.pk),
        {
            "reference": "SEPA 9999-01",
            "note": "Matched on the bank statement",
            "amount": "1.00",
            "refunds-TOTAL_FORMS": "0",
            "refunds-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.reference == "SEPA 9999-01"
    assert payment.note == "Matched on the bank statement"
    assert payment.amount != Decimal("1.00")
    assert payment.invoice.total_paid == invoice_paid
    event = AuditEvent.objects.get(object_id=payment.pk, action="payment.updated")
    assert event.source == "admin"
    assert event.actor_label == "admin"
    assert event.after["reference"] == "SEPA 9999-01"


def test_staff_member_sees_only_the_payments_of_their_entity(demo, client, actor):
    outsider = CustomerFactory(name="Outside Tenant Member")
    invoice = issued_invoice(outsider, total="80.00")
    foreign = payment_record(
        entity=outsider.entity, actor=actor, amount="80.00", type="cash", invoice_id=invoice.pk
    )
    demo_entity = Entity.objects.get(name=DEMO_ENTITY_NAME)
    client.force_login(demo_staff_member())

    listed = client.get(admin_url(Payment, "changelist")).context["cl"].result_list

    assert foreign not in listed
    assert {payment.entity_id for payment in listed} == {demo_entity.pk}
    assert client.get(admin_url(Payment, "change", foreign.pk)).status_code == 302


def test_every_money_flow_page_opens_on_the_demo_data(demo):
    """Each button and `…` menu entry of every demo invoice leads to a page that renders."""
    opened = 0
    for model, documents in [
        (Invoice, Invoice.objects.invoices()),
        (AdvanceInvoice, AdvanceInvoice.objects.all()),
    ]:
        for document in documents:
            page = demo.get(admin_url(model, "change", document.pk))
            assert page.status_code == 200, document
            context = page.context
            urls = [url for _label, url, _style in context["actions"]]
            urls += [url for url in (context["create_url"], context["credit_note_url"]) if url]
            urls += [url for row in context["payment_rows"] for _label, url in row["menu"]]
            if document.overpaid_amount > 0:
                urls.append(admin_url(model, "move_excess", document.pk))
            for url in urls:
                assert demo.get(url).status_code == 200, url
                opened += 1
    assert opened > 40


def test_dashboard_renders_on_the_demo_data(demo):
    page = demo.get(reverse("admin:index")).content.decode()

    for text in ["Outstanding receivables", "Collected this month", "Failed charges to retry"]:
        assert text in page
    assert '<svg class="settle-chart"' in page
