"""Random sequences of money operations (those of `test_properties`, and advances paid and
applied) always leave a statement whose closing balance is the stored balance, whose money
balance is the customer's, and whose rows sum to it."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, invariant, multiple, rule, run_state_machine_as_test

from billing.models import Customer
from payments.customer_statement import customer_statement
from payments.services import payment_record
from tests.factories import SYSTEM, issued_advance
from tests.payments.test_properties import EXTERNAL, SettlementMachine, amounts


class StatementMachine(SettlementMachine):
    advances = Bundle("advances")

    @rule(target=advances, total=st.sampled_from(["60.00", "120.00"]))
    def issue_advance(self, total):
        return issued_advance(self.customer, total=total).pk

    @rule(target=SettlementMachine.payments, advance=advances, amount=amounts)
    def pay_advance(self, advance, amount):
        payment = self.attempt(
            payment_record,
            entity=self.entity,
            actor=SYSTEM,
            amount=amount,
            type=EXTERNAL[1],
            advance_invoice_id=advance,
        )
        return payment.pk if payment else multiple()

    @rule(
        target=SettlementMachine.payments,
        advance=advances,
        invoice=SettlementMachine.invoices,
        amount=amounts,
    )
    def apply_advance(self, advance, invoice, amount):
        payment = self.attempt(
            payment_record,
            entity=self.entity,
            actor=SYSTEM,
            amount=amount,
            type="advance",
            invoice_id=invoice,
            advance_invoice_id=advance,
        )
        return payment.pk if payment else multiple()

    @invariant()
    def the_statement_closes_at_the_stored_balance(self):
        statement = customer_statement(self.customer, date(2000, 1, 1), timezone.localdate())
        customer = Customer.objects.get(pk=self.customer.pk)
        assert statement.reconciliation.matches, statement.reconciliation
        assert statement.later_effect == Decimal("0")
        assert statement.closing_balance == statement.position.balance
        assert statement.closing_money_balance == customer.balance
        assert (
            statement.opening_balance + sum((row.effect for row in statement.rows), Decimal("0"))
            == statement.closing_balance
        )


def test_random_operations_keep_the_statement_reconciled(db):
    run_state_machine_as_test(
        StatementMachine,
        settings=settings(
            max_examples=12,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
