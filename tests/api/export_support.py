"""A small book of documents dated across three months, and reading a streamed CSV back."""

import csv
import io
from datetime import date

import time_machine

from billing.services import balance_adjust
from payments.services import refund_create
from tests.factories import (
    SYSTEM,
    CustomerFactory,
    issued_advance,
    issued_credit_note,
    issued_invoice,
    record_payment,
)


def export(api, path, params=None):
    return api.client.get(
        f"/api/v1/{path}/export", params or {}, headers={"Authorization": f"Bearer {api.key}"}
    )


def csv_rows(response, header=None) -> list[dict]:
    """The rows of a streamed CSV response as dicts; the header checked when given."""
    assert response.status_code == 200, response.content
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.reader(io.StringIO(text))
    first = next(reader)
    if header is not None:
        assert first == header
    return [dict(zip(first, row, strict=True)) for row in reader]


def at(day: str, hour: int = 12):
    """Write as if it were `hour` o'clock UTC on `day`."""
    return time_machine.travel(f"{day}T{hour:02d}:00:00Z", tick=False)


def make_book(entity, name="Ada Lovelace", reason="Desk was double-booked"):
    """January: an invoice, paid 60.00, 12.50 refunded, 10.00 credited, 20.00 of balance;
    February: an advance invoice; March: a second invoice and 5.00 of balance used."""
    customer = CustomerFactory(entity=entity, name=name)
    with at("2024-01-10"):
        january = issued_invoice(customer, total="100.00", date=date(2024, 1, 10))
        payment = record_payment(january, "60.00", date="2024-01-10")
    with at("2024-01-15"):
        refund = refund_create(payment=payment, actor=SYSTEM, reason=reason, amount="12.50")
    with at("2024-01-20", hour=9):
        credit_note = issued_credit_note(
            january, "10.00", reason=reason, date=date(2024, 1, 20), to="customer_balance"
        )
    with at("2024-01-20", hour=15):
        top_up = balance_adjust(customer=customer, amount="20.00", reason=reason, actor=SYSTEM)
    with at("2024-02-01"):
        advance = issued_advance(customer, total="90.00", date=date(2024, 2, 1))
    with at("2024-03-05"):
        march = issued_invoice(customer, total="250.50", date=date(2024, 3, 5), apply_balance=False)
        used = balance_adjust(customer=customer, amount="-5.00", reason="Used", actor=SYSTEM)
    return {
        "customer": customer,
        "january": january,
        "payment": payment,
        "refund": refund,
        "credit_note": credit_note,
        "top_up": top_up,
        "advance": advance,
        "march": march,
        "used": used,
    }
