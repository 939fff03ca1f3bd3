"""Random sequences of money operations keep every cached total equal to its rows.

A hypothesis state machine drives the services the way admins and the API do:
payments, credit notes (open or allocated), refunds, edits, deletions and the
customer's balance. The domain may refuse an operation (a `SettleError`), and
then nothing may have changed; any other exception is a bug. After every step
the totals invariant of the design must hold.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from billing.errors import SettleError
from billing.models import AuditEvent, BalanceTransaction, Customer
from billing.services import balance_adjust, balance_sum
from invoices.models import CreditNote, Invoice
from payments.models import Payment, Refund
from payments.services import (
    balance_apply,
    credit_note_issue,
    overpayment_move_to_balance,
    payment_delete,
    payment_record,
    payment_update,
    refund_create,
)
from payments.services.drift import find_drift
from tests.factories import SYSTEM, CustomerFactory, EntityFactory, issued_invoice

ZERO = Decimal("0.00")
EXTERNAL = ["cash", "bank_transfer", "check", "card", "paypal", "other"]

amounts = st.one_of(
    st.sampled_from([Decimal("0.01"), Decimal("25.00"), Decimal("50.00"), Decimal("100.00")]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250.00"), places=2),
)
optional_amounts = st.one_of(st.none(), amounts)
invoice_totals = st.sampled_from(["100.00", "250.00", "99.99", "40.00"])


class SettlementMachine(RuleBasedStateMachine):
    """One customer's invoices, credit notes, payments and balance, in a rolled-back transaction."""

    invoices = Bundle("invoices")
    credit_notes = Bundle("credit_notes")
    payments = Bundle("payments")

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    # --- helpers ---------------------------------------------------------------------------

    def fingerprint(self):
        """Everything a refused operation must leave untouched."""
        entity = self.customer.entity_id
        return (
            Payment.objects.filter(entity_id=entity).count(),
            Refund.objects.filter(entity_id=entity).count(),
            CreditNote.objects.filter(entity_id=entity).count(),
            BalanceTransaction.objects.filter(customer_id=self.customer.pk).count(),
            AuditEvent.objects.filter(entity_id=entity).count(),
            Customer.objects.get(pk=self.customer.pk).balance,
            sorted(
                Invoice.objects.filter(entity_id=entity).values_list(
                    "pk", "status", "total_paid", "total_due"
                )
            ),
            sorted(
                Payment.objects.filter(entity_id=entity).values_list(
                    "pk", "amount", "amount_refunded", "is_deleted"
                )
            ),
            sorted(CreditNote.objects.filter(entity_id=entity).values_list("pk", "total_applied")),
        )

    def attempt(self, operation, **kwargs):
        """Run a service; a refusal must leave everything as it was and yields None."""
        before = self.fingerprint()
        try:
            return operation(**kwargs)
        except SettleError:
            assert self.fingerprint() == before, f"{operation.__name__} refused but wrote"
            return None

    def payment(self, payment_id) -> Payment:
        return Payment.objects.get(pk=payment_id)

    # --- set-up ----------------------------------------------------------------------------

    @initialize(target=invoices, totals=st.lists(invoice_totals, min_size=1, max_size=3))
    def start(self, totals):
        self.entity = EntityFactory()
        self.customer = CustomerFactory(entity=self.entity)
        return multiple(*[issued_invoice(self.customer, total=total).pk for total in totals])

    # --- operations ------------------------------------------------------------------------

    @rule(target=invoices, total=invoice_totals, apply_balance=st.booleans())
    def issue_invoice(self, total, apply_balance):
        invoice = issued_invoice(self.customer, total=total, apply_balance=apply_balance)
        return invoice.pk

    @rule(target=payments, invoice=invoices, amount=amounts, type_=st.sampled_from(EXTERNAL))
    def record_external_payment(self, invoice, amount, type_):
        payment = self.attempt(
            payment_record,
            entity=self.entity,
            actor=SYSTEM,
            amount=amount,
            type=type_,
            invoice_id=invoice,
        )
        return payment.pk if payment else multiple()

    @rule(target=payments, credit_note=credit_notes, invoice=invoices, amount=amounts)
    def apply_credit_note(self, credit_note, invoice, amount):
        payment = self.attempt(
            payment_record,
            entity=self.entity,
            actor=SYSTEM,
            amount=amount,
            type="credit_note",
            invoice_id=invoice,
            credit_note_id=credit_note,
        )
        return payment.pk if payment else multiple()

    @rule(target=payments, credit_note=credit_notes, amount=amounts)
    def credit_note_to_balance(self, credit_note, amount):
        payment = self.attempt(
            payment_record,
            entity=self.entity,
            actor=SYSTEM,
            amount=amount,
            type="customer_balance",
            credit_note_id=credit_note,
        )
        return payment.pk if payment else multiple()

    @rule(
        target=credit_notes,
        invoice=invoices,
        amount=amounts,
        allocation=st.sampled_from(
            ["open", "invoice", "customer_balance", "outside", "split", "refund"]
        ),
        data=st.data(),
    )
    def issue_credit_note(self, invoice, amount, allocation, data):
        allocations = None
        if allocation in ("invoice", "customer_balance", "outside"):
            allocations = [{"type": allocation, "amount": amount}]
        elif allocation == "split" and amount >= Decimal("0.02"):
            first = (amount / 2).quantize(Decimal("0.01"))
            allocations = [
                {"type": "invoice", "amount": first},
                {"type": "customer_balance", "amount": amount - first},
            ]
        elif allocation == "refund":
            on_invoice = sorted(
                Payment.objects.filter(invoice_id=invoice).values_list("pk", flat=True)
            )
            if on_invoice:
                payment_id = data.draw(st.sampled_from(on_invoice), label="refunded payment")
                allocations = [{"type": "refund", "amount": amount, "payment_id": payment_id}]
        credit_note = self.attempt(
            credit_note_issue,
            entity=self.entity,
            invoice_id=invoice,
            actor=SYSTEM,
            reason="Service credit",
            amount=amount,
            allocations=allocations,
        )
        return credit_note.pk if credit_note else multiple()

    @rule(
        payment=payments,
        amount=optional_amounts,
        destination=st.sampled_from(["original", "customer_balance"]),
    )
    def refund(self, payment, amount, destination):
        self.attempt(
            refund_create,
            payment=self.payment(payment),
            actor=SYSTEM,
            reason="Customer asked",
            amount=amount,
            destination=destination,
        )

    @rule(payment=payments, amount=amounts)
    def update_amount(self, payment, amount):
        self.attempt(payment_update, payment=self.payment(payment), actor=SYSTEM, amount=amount)

    @rule(payment=payments)
    def delete(self, payment):
        self.attempt(
            payment_delete, payment=self.payment(payment), actor=SYSTEM, reason="Recorded twice"
        )

    @rule(amount=amounts, deduct=st.booleans())
    def adjust_balance(self, amount, deduct):
        self.attempt(
            balance_adjust,
            customer=self.customer,
            amount=-amount if deduct else amount,
            reason="Correction" if deduct else "Goodwill",
            actor=SYSTEM,
        )

    @rule(target=payments, invoice=invoices, amount=optional_amounts)
    def apply_balance(self, invoice, amount):
        payment = self.attempt(
            balance_apply, entity=self.entity, invoice_id=invoice, actor=SYSTEM, amount=amount
        )
        return payment.pk if payment else multiple()

    @rule(invoice=invoices, amount=optional_amounts)
    def move_overpayment(self, invoice, amount):
        self.attempt(
            overpayment_move_to_balance,
            invoice=Invoice.objects.get(pk=invoice),
            actor=SYSTEM,
            amount=amount,
        )

    # --- the invariant ---------------------------------------------------------------------

    @invariant()
    def every_total_matches_its_rows(self):
        assert find_drift() == []
        for invoice in Invoice.objects.filter(entity=self.entity):
            assert invoice.total_due == invoice.total - invoice.total_paid, invoice.pk
            assert invoice.total_paid >= ZERO
            assert invoice.paid_in_full == (invoice.total_due <= 0)
        for credit_note in CreditNote.objects.filter(entity=self.entity):
            assert ZERO <= credit_note.total_applied <= credit_note.total, credit_note.pk
            assert credit_note.total_remaining == credit_note.total - credit_note.total_applied
        for payment in Payment.objects.filter(entity=self.entity):
            assert ZERO <= payment.amount_refunded <= payment.amount, payment.pk
        customer = Customer.objects.get(pk=self.customer.pk)
        assert customer.balance >= ZERO
        assert customer.balance == balance_sum(customer.pk)
        assert customer.balance == self.balance_from_payments()

    def balance_from_payments(self) -> Decimal:
        """The balance derived from payment rows alone, independently of the ledger."""
        adjusted = BalanceTransaction.objects.filter(
            customer_id=self.customer.pk, kind=BalanceTransaction.Kind.ADJUSTMENT
        ).aggregate(s=Sum("amount"))["s"]
        settled = Payment.objects.filter(
            customer_id=self.customer.pk,
            type="customer_balance",
            status="succeeded",
            is_deleted=False,
        )
        credited = sum((p.net_amount for p in settled.filter(invoice__isnull=True)), ZERO)
        used = sum((p.net_amount for p in settled.filter(invoice__isnull=False)), ZERO)
        refunded_to_balance = (
            Refund.objects.filter(
                payment__customer_id=self.customer.pk,
                status="succeeded",
                destination="customer_balance",
            )
            .exclude(payment__type="customer_balance")
            .aggregate(s=Sum("amount"))["s"]
        )
        return (adjusted or ZERO) + credited - used + (refunded_to_balance or ZERO)


def test_random_operations_keep_every_total_exact(db):
    run_state_machine_as_test(
        SettlementMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )


def test_balance_movements_that_cancel_out_leave_an_exact_balance(db):
    """Sums are exact on every engine (SQLite adds decimals as floats: 0.10 + 100.10 - 100.10
    is 0.0999999999999943 there), so the last cent can always be used."""
    customer = CustomerFactory()
    for amount in ("0.10", "100.10", "-100.10"):
        balance_adjust(customer=customer, amount=Decimal(amount), reason="Correction", actor=SYSTEM)

    assert balance_sum(customer.pk) == Decimal("0.10")
    balance_adjust(customer=customer, amount=Decimal("-0.10"), reason="Correction", actor=SYSTEM)

    customer.refresh_from_db()
    assert customer.balance == Decimal("0.00")
    assert find_drift() == []
