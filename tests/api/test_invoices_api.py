"""`/api/v1/invoices`, `/advance-invoices`, `/credit-notes` and their actions over HTTP."""

from decimal import Decimal

from invoices.models import CreditNote, Invoice
from payments.models import Payment
from tests.factories import CustomerFactory, SavedCardFactory, issued_invoice


def _draft(api, customer, **overrides):
    body = {
        "customer_id": customer.pk,
        "currency": "EUR",
        "date": "2026-01-15",
        "due_date": "2026-02-14",
        "items": [{"name": "Desk rental", "quantity": 2, "price": 250, "tax_rate": 22}],
        "note": "January",
        "metadata": {},
    }
    return api.post("invoices", {**body, **overrides})


def test_create_issue_and_pay_an_invoice(api, entity):
    customer = CustomerFactory(entity=entity)

    created = _draft(api, customer)

    assert created.status == 201, created.body
    assert created.body["status"] == "draft"
    assert created.body["number"] is None
    assert created.body["total"] == Decimal("610.00")
    assert created.body["items"][0]["amount"] == Decimal("500.00")
    assert created.body["items"][0]["tax_amount"] == Decimal("110.00")
    issued = api.post(f"invoices/{created.body['id']}/issue", {})
    assert issued.status == 200, issued.body
    assert issued.body["status"] == "issued"
    assert issued.body["number"] == "INV-2026-00001"
    assert issued.body["total_due"] == Decimal("610.00")


def test_issue_applies_balance_unless_opted_out(api, entity):
    customer = CustomerFactory(entity=entity)
    api.post(f"customers/{customer.pk}/balance-adjustments", {"amount": 100, "reason": "Promo"})
    first = _draft(api, customer).body
    second = _draft(api, customer).body

    opted_out = api.post(f"invoices/{first['id']}/issue", {"apply_balance": False}).body
    applied = api.post(f"invoices/{second['id']}/issue", {}).body

    assert opted_out["total_paid"] == Decimal("0.00")
    assert applied["total_paid"] == Decimal("100.00")
    assert applied["status"] == "partially_paid"
    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")


def test_unknown_customer_is_404_and_nothing_created(api, entity):
    response = _draft(api, CustomerFactory())  # another entity's customer

    assert response.status == 404
    assert response.error["param"] == "customer_id"
    assert Invoice.objects.count() == 0


def test_body_setting_totals_is_refused(api, entity):
    response = _draft(api, CustomerFactory(entity=entity), total_paid=5)

    assert response.status == 400
    assert response.error["code"] == "unknown_field"
    assert Invoice.objects.count() == 0


def test_void_needs_nothing_settled(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity))
    api.post("payments", {"invoice_id": invoice.pk, "amount": 10, "type": "cash"})

    refused = api.post(f"invoices/{invoice.pk}/void", {"reason": "Duplicate"})

    assert refused.status == 409
    assert refused.error["code"] == "invoice_has_payments"
    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"


def test_charge_saved_card_and_declined_card(api, entity):
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="80.00")
    good = SavedCardFactory(customer=customer)
    bad = SavedCardFactory(
        customer=customer, gateway_reference="pm_card_chargeDeclined", last4="0002"
    )

    declined = api.post(f"invoices/{invoice.pk}/charge", {"payment_method_id": bad.pk})
    charged = api.post(f"invoices/{invoice.pk}/charge", {"payment_method_id": good.pk})

    assert declined.status == 402
    assert declined.error["type"] == "card_error"
    assert declined.error["code"] == "card_declined"
    assert declined.error["message"] == "Your card was declined."
    assert declined.error["payment"]["status"] == "failed"
    assert declined.error["payment"]["failure_message"] == "Your card was declined."
    assert charged.status == 201
    assert charged.body["status"] == "succeeded"
    assert charged.body["amount"] == Decimal("80.00")
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_credit_note_with_allocation_to_invoice(api, entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")

    response = api.post(
        "credit-notes",
        {
            "invoice_id": invoice.pk,
            "amount": 30,
            "reason": "Discount",
            "allocations": [{"type": "invoice", "amount": 30}],
        },
    )

    assert response.status == 201, response.body
    assert response.body["total"] == Decimal("30.00")
    assert response.body["total_applied"] == Decimal("30.00")
    assert response.body["total_remaining"] == Decimal("0.00")
    invoice.refresh_from_db()
    assert invoice.total_due == Decimal("70.00")


def test_open_credit_note_then_credit_note_payment_capped(api, entity):
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="100.00")
    credit_note = api.post(
        "credit-notes", {"invoice_id": invoice.pk, "amount": 30, "reason": "Discount"}
    ).body
    assert credit_note["total_remaining"] == Decimal("30.00")

    over = api.post(
        "payments",
        {
            "invoice_id": invoice.pk,
            "credit_note_id": credit_note["id"],
            "amount": 31,
            "type": "credit_note",
        },
    )
    fits = api.post(
        "payments",
        {
            "invoice_id": invoice.pk,
            "credit_note_id": credit_note["id"],
            "amount": 30,
            "type": "credit_note",
        },
    )

    assert over.status == 409
    assert over.error["code"] == "amount_exceeds_credit_note"
    assert fits.status == 201
    assert CreditNote.objects.get(pk=credit_note["id"]).total_remaining == Decimal("0.00")
    assert Payment.objects.filter(type="credit_note").count() == 1


def test_items_take_a_discount_and_lines_show_it(api, entity):
    customer = CustomerFactory(entity=entity)

    created = _draft(
        api,
        customer,
        due_date=None,
        payment_terms_days=10,
        footer="Bank details on file",
        items=[
            {"name": "Desk", "quantity": 2, "price": 150, "tax_rate": 20, "discount_percent": 10},
            {"name": "Coffee", "quantity": 3, "price": Decimal("2.35"), "tax_rate": 10},
        ],
    )

    assert created.status == 201, created.body
    desk, coffee = created.body["items"]
    assert (desk["discount_percent"], desk["amount"], desk["total"]) == (
        Decimal("10"),
        Decimal("270.00"),
        Decimal("324.00"),
    )
    assert (coffee["discount_percent"], coffee["total"]) == (Decimal("0"), Decimal("7.76"))
    assert created.body["total"] == Decimal("331.76")
    assert created.body["footer"] == "Bank details on file"
    assert created.body["payment_terms_days"] == 10
    issued = api.post(f"invoices/{created.body['id']}/issue", {}).body
    assert issued["due_date"] == "2026-01-25"  # 15 Jan + 10 days


def test_a_discount_above_100_percent_is_refused_and_nothing_created(api, entity):
    customer = CustomerFactory(entity=entity)

    response = _draft(api, customer, items=[{"name": "Desk", "price": 10, "discount_percent": 101}])

    assert response.status == 400
    assert response.error["param"] == "items[0].discount_percent"
    assert Invoice.objects.count() == 0


def test_payment_terms_out_of_range_are_refused(api, entity):
    response = _draft(api, CustomerFactory(entity=entity), payment_terms_days=400)

    assert response.status == 400
    assert response.error["param"] == "payment_terms_days"
    assert Invoice.objects.count() == 0


def test_declined_charge_is_a_402_card_error_carrying_the_recorded_failed_payment(api, entity):
    customer = CustomerFactory(entity=entity)
    invoice = issued_invoice(customer, total="80.00")
    poor = SavedCardFactory(
        customer=customer,
        gateway_reference="pm_card_chargeDeclinedInsufficientFunds",
        last4="9995",
    )

    declined = api.post(
        f"invoices/{invoice.pk}/charge",
        {"payment_method_id": poor.pk, "amount": Decimal("30.00")},
        idempotency_key="decline-1",
    )
    again = api.post(
        f"invoices/{invoice.pk}/charge",
        {"payment_method_id": poor.pk, "amount": Decimal("30.00")},
        idempotency_key="decline-1",
    )

    [failed] = Payment.objects.filter(invoice=invoice)
    assert declined.status == 402
    assert declined.error == {
        "type": "card_error",
        "code": "card_declined",
        "decline_code": "insufficient_funds",
        "message": "Your card has insufficient funds.",
        "param": "payment_method_id",
        "payment": api.get(f"payments/{failed.pk}").body,
    }
    assert (failed.status, failed.amount, failed.failure_code) == (
        "failed",
        Decimal("30.00"),
        "insufficient_funds",
    )
    assert (again.status, again.body) == (402, declined.body)
    assert again.headers.get("Idempotent-Replayed") == "true"
    invoice.refresh_from_db()
    assert (invoice.total_paid, invoice.total_due) == (Decimal("0.00"), Decimal("80.00"))
