"""A customer's statement of account over a period: an opening balance, every movement in date
order with a running balance, and a closing balance.

What "balance" means here: what the customer owes us, an accounts-receivable view netted
against every credit they hold. Positive: they owe; negative: we owe them. From the stored
figures (`stored_position`), in one currency:

    balance = Σ total_due of their issued invoices (issued, partially paid, paid, written off;
              an overpaid one counts negative)
            − Σ (total_paid − total_applied) of their issued advance invoices (money paid in
              that no final invoice has used yet)
            − Σ total_remaining of their issued credit notes (credit not yet used)
            − their money balance (in the customer's currency only)

A movement changes that balance only when something passes between the customer and us:
an invoice issued (+ its total) or voided (− its total), a credit note issued (−), money
received on an invoice or an advance (−), money paid back to them (+: a refund to the card
or outside the app, a credit note's credit paid out), a manual adjustment of the money balance
(− what it adds). Everything else moves credit they already hold onto what they owe, so it
is listed with its amount but leaves the balance as it was: a credit note or an advance
applied to an invoice, the money balance used on an invoice, a credit note or an overpayment
moved into the money balance, an application reversed. The money balance's own ledger runs
beside, each of its movements with the money balance after it.

Advance invoices are requests: issuing one is listed but owes nothing until it is paid (the
final invoice is what is owed). A written-off invoice is still owed. The statement is drawn
from the rows as they stand: a deleted payment is left out, an amended one shows its current
amount and date. Movements on the same day keep the order they happened in.

Closing balance of a statement to today (with nothing dated later) equals the stored
balance; in general it equals the stored balance less the movements dated after the period,
which is what `CustomerStatement.reconciliation` checks.

Here: `rows` (the kinds of row and what each says), `movements` (reading them from the
documents, payments, refunds and ledger), `statement` (the period and the stored figures),
`export` (the CSV).
"""

from payments.customer_statement.rows import RowKind, StatementRow
from payments.customer_statement.statement import (
    CustomerStatement,
    StoredPosition,
    customer_statement,
    statement_currencies,
    stored_position,
)

__all__ = [
    "CustomerStatement",
    "RowKind",
    "StatementRow",
    "StoredPosition",
    "customer_statement",
    "statement_currencies",
    "stored_position",
]
