"""The customer statement as CSV: an opening row, a row per movement, a closing row.

Amounts are plain decimals (`-12.50`): `effect` is the signed change of the balance owed,
`debit` and `credit` the same split in two columns; `money_balance` is the money balance
after the rows that moved it. Free text is neutralised against spreadsheet formulas.
"""

import csv

from billing.money import round_money
from payments.customer_statement.statement import CustomerStatement
from payments.exports import _Echo, _safe

COLUMNS = [
    "date",
    "kind",
    "description",
    "document",
    "reference",
    "amount",
    "effect",
    "debit",
    "credit",
    "balance",
    "money_balance_change",
    "money_balance",
    "currency",
    "id",
]


def _amounts(currency: str):
    def amount(value) -> str:
        return "" if value is None else str(round_money(value, currency))

    return amount


def statement_csv_lines(statement: CustomerStatement):
    """The CSV of `statement`, line by line, header first."""
    writer = csv.writer(_Echo())
    currency = statement.currency
    amount = _amounts(currency)
    yield writer.writerow(COLUMNS)
    yield writer.writerow(
        [
            statement.start.isoformat(),
            "opening_balance",
            "Opening balance",
            *[""] * 6,
            amount(statement.opening_balance),
            "",
            amount(statement.opening_money_balance),
            currency,
            "",
        ]
    )
    for row in statement.rows:
        yield writer.writerow(
            [
                row.date.isoformat(),
                row.balance_kind or row.kind,
                _safe(row.description),
                _safe(row.number),
                _safe(row.reference),
                amount(row.amount),
                amount(row.effect),
                amount(row.debit),
                amount(row.credit),
                amount(row.balance),
                amount(row.money_change),
                amount(row.money_balance),
                currency,
                row.source_id,
            ]
        )
    yield writer.writerow(
        [
            statement.end.isoformat(),
            "closing_balance",
            "Closing balance",
            "",
            "",
            "",
            "",
            amount(statement.total_debits),
            amount(statement.total_credits),
            amount(statement.closing_balance),
            "",
            amount(statement.closing_money_balance),
            currency,
            "",
        ]
    )
