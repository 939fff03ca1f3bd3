from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from billing.models import (
    ApiKey,
    AuditEvent,
    BalanceTransaction,
    Customer,
    DocumentSequence,
    Entity,
    EntityMembership,
)
from billing.services import api_key_digest
from invoices.models import (
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from payments.management.commands.seed_demo import DEMO_ENTITY_NAME
from payments.models import (
    Payment,
    PaymentStatus,
    PaymentType,
    Refund,
    RefundStatus,
    SavedPaymentMethod,
)
from payments.services.drift import find_drift


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table the seed writes to."""
    models = [
        get_user_model(),
        Entity,
        EntityMembership,
        Customer,
        BalanceTransaction,
        AuditEvent,
        ApiKey,
        DocumentSequence,
        Invoice,
        InvoiceLine,
        CreditNote,
        CreditNoteLine,
        SavedPaymentMethod,
        Payment,
        Refund,
    ]
    return {model._meta.label: model._base_manager.count() for model in models}


@pytest.fixture
def seeded(db):
    output = seed()
    return Entity.objects.get(name=DEMO_ENTITY_NAME), output


def test_seed_demo_twice_creates_nothing_new(seeded):
    entity, _ = seeded
    before = row_counts()

    output = seed()

    assert row_counts() == before
    assert "already present" in output
    assert f"create_api_key --entity {entity.pk}" in output
    assert "sk_settle_" in output  # the existing key's prefix, never its secret
    assert ApiKey.objects.count() == 1


def test_seed_demo_leaves_no_drift(seeded):
    assert find_drift() == []


def test_seed_demo_gives_the_entity_and_customers_document_details(seeded):
    entity, _ = seeded

    assert entity.legal_name == "Settle Demo Coworking S.r.l."
    assert "39100 Bolzano" in entity.address
    assert entity.vat_id == "IT02845610217"
    assert (entity.iban, entity.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    assert "REA BZ-218734" in entity.invoice_footer
    assert entity.sender_email == "billing@demo-coworking.example"
    assert entity.payment_terms_days == 14
    assert entity.reminder_days == [3, 10, 20]
    customers = Customer.objects.filter(entity=entity)
    assert all(customer.address for customer in customers)
    assert [c.name for c in customers if c.document_language == "de"] == ["Lena Fischer"]
    # Issued documents carry the details from their issue on.
    issued = Invoice.objects.filter(entity=entity).exclude(status=InvoiceStatus.DRAFT)
    assert issued and all(invoice.issuer["iban"] == entity.iban for invoice in issued)


def test_seed_demo_has_invoices_in_every_state(seeded):
    entity, _ = seeded
    invoices = Invoice.objects.filter(entity=entity, kind=InvoiceKind.INVOICE)

    assert set(invoices.values_list("status", flat=True)) == {
        "draft",
        "issued",
        "partially_paid",
        "paid",
        "void",
        "uncollectible",
    }
    shown = {invoice.display_status for invoice in invoices}
    assert {"overdue", "overpaid"} <= shown
    overpaid = next(invoice for invoice in invoices if invoice.display_status == "overpaid")
    assert overpaid.total_due < 0
    uncollectible = invoices.get(status="uncollectible")
    assert uncollectible.write_off_reason
    assert Decimal("0") < uncollectible.total_paid < uncollectible.total


def test_seed_demo_charges_saved_cards_through_the_sandbox(seeded):
    entity, _ = seeded
    charges = Payment.objects.filter(entity=entity, gateway="sandbox")

    assert set(charges.values_list("status", flat=True)) == {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.FAILED,
        PaymentStatus.REQUIRES_ACTION,
    }
    succeeded = charges.get(status=PaymentStatus.SUCCEEDED)
    assert succeeded.invoice.status == "paid"
    assert succeeded.saved_payment_method.gateway_reference == "pm_card_visa"
    failed = charges.get(status=PaymentStatus.FAILED)
    assert failed.failure_message == "Your card was declined."
    assert failed.invoice.display_status == "overdue"
    refund = Refund.objects.get(payment=succeeded)
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.gateway_reference


def test_seed_demo_has_credit_notes_open_and_applied(seeded):
    entity, _ = seeded
    credit_notes = CreditNote.objects.filter(entity=entity)

    assert any(note.total_applied == 0 and note.total_remaining > 0 for note in credit_notes)
    applied = [note for note in credit_notes if note.total_remaining == 0]
    assert len(applied) == 2
    for note in applied:
        assert note.payments.filter(type=PaymentType.CREDIT_NOTE).exists()


def test_seed_demo_has_a_paid_advance_applied_to_a_final_invoice(seeded):
    entity, _ = seeded
    advance = Invoice.objects.get(entity=entity, kind=InvoiceKind.ADVANCE)

    assert advance.status == "paid"
    assert advance.total_applied == advance.total_paid == advance.total
    application = Payment.objects.get(advance_invoice=advance, type=PaymentType.ADVANCE)
    assert application.invoice.status == "paid"


def test_seed_demo_gives_a_customer_a_money_balance(seeded):
    entity, _ = seeded
    customer = Customer.objects.get(entity=entity, balance__gt=0)

    assert customer.balance == Decimal("50.00")
    adjustment = BalanceTransaction.objects.get(customer=customer)
    assert adjustment.kind == BalanceTransaction.Kind.ADJUSTMENT
    assert adjustment.reason


def test_seed_demo_moves_money_only_through_the_services(seeded):
    entity, _ = seeded
    audited = set(AuditEvent.objects.filter(entity=entity).values_list("object_id", flat=True))

    for payment in Payment.objects.filter(entity=entity):
        assert payment.pk in audited
    for refund in Refund.objects.filter(entity=entity):
        assert refund.pk in audited
    assert set(AuditEvent.objects.values_list("actor_label", flat=True)) == {"seed_demo"}


def test_seed_demo_creates_the_logins_and_prints_them(seeded):
    entity, output = seeded
    users = get_user_model().objects

    admin = users.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert admin.check_password("admin")
    assert entity.memberships.filter(user=admin).exists()
    member = users.get(username="lena")
    assert not member.is_staff
    assert member.check_password("lena-demo")
    assert Customer.objects.get(user=member).entity == entity
    assert "http://127.0.0.1:8000/admin/" in output
    assert "user admin, password admin" in output
    assert "user lena, password lena-demo" in output


def test_seed_demo_prints_a_working_api_key_once(seeded):
    entity, output = seeded
    key = ApiKey.objects.get()

    raw = next(word for word in output.split() if word.startswith("sk_settle_"))
    assert api_key_digest(raw) == key.digest
    assert list(key.entities.all()) == [entity]
    assert raw not in seed()


def test_seed_demo_keeps_an_existing_admin_password(db):
    get_user_model().objects.create_user("admin", password="a much better password")

    output = seed()

    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("a much better password")
    assert "password unchanged" in output
    assert Entity.objects.get(name=DEMO_ENTITY_NAME).memberships.filter(user=admin).exists()


def test_seed_demo_queues_no_receipt_e_mail(db, settings):
    """The demo's history e-mails nobody, so the logins are not buried under receipts."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    seed()

    assert Payment.objects.filter(status=PaymentStatus.SUCCEEDED).count() > 5
    queued = DBTaskResult.objects.values_list("task_path", flat=True)
    assert "payments.tasks.send_payment_receipt" not in set(queued)


def test_seed_demo_prints_the_url_actually_served(db):
    out = StringIO()
    call_command("seed_demo", "--base-url", "http://127.0.0.1:8765", stdout=out)

    assert "  Admin     http://127.0.0.1:8765/admin/" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_receipts_are_queued_again_after_seeding(db, settings, customer):
    from django_tasks_db.models import DBTaskResult

    from tests.factories import issued_invoice, record_payment

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seed()

    payment = record_payment(issued_invoice(customer, total="10.00"), "10.00")

    queued = DBTaskResult.objects.filter(task_path="payments.tasks.send_payment_receipt")
    assert [row.args_kwargs["args"] for row in queued] == [[payment.pk]]
