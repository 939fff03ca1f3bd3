from decimal import Decimal

from payments.services import payment_record
from tests.factories import issued_invoice


def test_partial_external_payment_marks_invoice_partially_paid(db, actor):
    invoice = issued_invoice(total="1000.00")

    payment_record(
        entity=invoice.entity,
        actor=actor,
        amount=Decimal("400.00"),
        type="cash",
        invoice_id=invoice.pk,
    )

    invoice.refresh_from_db()
    assert invoice.status == "partially_paid"
    assert invoice.total_paid == Decimal("400.00")
    assert invoice.total_due == Decimal("600.00")
