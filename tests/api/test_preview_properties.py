"""Preview equals reality: random money requests, each previewed and then sent for real.

Over a small book (a part-paid invoice with a card charge, an overpaid invoice, a
customer balance), a random sequence of payments, card charges, refunds (card ones
through the gateway), credit notes, balance adjustments, apply-balance and
move-overpayment requests goes through the API: first with `?preview=true`, which must change nothing, then for
real. The figures the preview promised are the figures the real call left, and a
preview is refused exactly when the real call is.
"""

from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payments.models import Payment, SavedPaymentMethod
from payments.services.previewing import figures
from tests.asserts import everything_snapshot
from tests.factories import (
    CustomerFactory,
    charge_card,
    give_balance,
    issued_invoice,
    record_payment,
)

amounts = st.sampled_from(["0.01", "5.00", "20.00", "45.50", "120.00", "500.00"]).map(Decimal)
invoice_index = st.integers(min_value=0, max_value=1)

actions = st.one_of(
    st.tuples(st.just("payment"), invoice_index, amounts, st.sampled_from(["cash", "check"])),
    st.tuples(st.just("charge"), invoice_index, amounts),
    st.tuples(st.just("refund"), st.integers(min_value=0, max_value=5), amounts),
    st.tuples(
        st.just("credit_note"),
        invoice_index,
        amounts,
        st.sampled_from([None, "invoice", "customer_balance"]),
    ),
    st.tuples(
        st.just("balance_adjustment"), st.sampled_from(["-15.00", "10.00", "60.00"]).map(Decimal)
    ),
    st.tuples(st.just("apply_balance"), invoice_index, st.one_of(st.none(), amounts)),
    st.tuples(st.just("move_overpayment"), invoice_index),
)


def _request(action, book) -> tuple[str, dict]:
    kind, *args = action
    invoices, customer = book["invoices"], book["customer"]
    if kind == "payment":
        index, amount, method = args
        return "payments", {"invoice_id": invoices[index].pk, "amount": amount, "type": method}
    if kind == "charge":
        index, amount = args
        card = SavedPaymentMethod.objects.get(customer=customer)
        return f"invoices/{invoices[index].pk}/charge", {
            "payment_method_id": card.pk,
            "amount": amount,
        }
    if kind == "refund":
        payments = list(Payment.objects.filter(customer=customer).order_by("created_at", "id"))
        payment = payments[args[0] % len(payments)]
        return f"payments/{payment.pk}/refunds", {"amount": args[1], "reason": "Returned"}
    if kind == "credit_note":
        index, amount, to = args
        body = {"invoice_id": invoices[index].pk, "amount": amount, "reason": "Discount"}
        if to:
            body["allocations"] = [{"type": to, "amount": amount}]
        return "credit-notes", body
    if kind == "balance_adjustment":
        return f"customers/{customer.pk}/balance-adjustments", {"amount": args[0], "reason": "x"}
    if kind == "apply_balance":
        index, amount = args
        return f"invoices/{invoices[index].pk}/apply-balance", (
            {} if amount is None else {"amount": amount}
        )
    return f"invoices/{invoices[args[0]].pk}/move-overpayment", {}


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=5))
def test_preview_figures_equal_the_real_call_and_the_preview_changes_nothing(api, entity, steps):
    with transaction.atomic():
        customer = CustomerFactory(entity=entity)
        give_balance(customer, "40.00")
        invoices = [
            issued_invoice(customer, total="100.00", apply_balance=False),
            issued_invoice(customer, total="60.00", apply_balance=False),
        ]
        record_payment(invoices[0], "30.00")
        charge_card(invoices[0], "25.00")  # refunds of it go through the gateway
        record_payment(invoices[1], "80.00")  # overpaid by 20.00
        book = {"customer": customer, "invoices": invoices}
        for step in steps:
            path, body = _request(step, book)
            before = everything_snapshot()
            preview = api.post(f"{path}?preview=true", body)
            assert everything_snapshot() == before, step
            real = api.post(path, body)

            if real.status >= 400:
                assert (preview.status, preview.body) == (real.status, real.body), step
                continue
            assert preview.status == 200, (step, preview.body)
            assert preview.body["status"] == real.status
            for change in preview.body["changes"]:
                if change["before"] is None:  # created by the call: the real one has another id
                    continue
                key = (change["object"], change["id"])
                assert change["after"] == figures({change["id"]})[key], (step, key)
        transaction.set_rollback(True)


def test_figures_read_money_as_decimals(entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="10.00")
    assert figures({invoice.pk})[("invoice", invoice.pk)]["total"] == Decimal("10.00")
