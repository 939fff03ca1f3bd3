"""The payment as the API renders it equals what its declared serializer fields would render."""

from rest_framework import serializers

from api.resources.payments import PaymentSerializer
from tests.factories import (
    CustomerFactory,
    SavedCardFactory,
    charge_card,
    issued_invoice,
    record_payment,
)


def declared_rendering(payment) -> dict:
    """DRF's own field-by-field rendering of the declarations (the schema)."""
    data = serializers.Serializer.to_representation(PaymentSerializer(), payment)
    for field in ("gateway", "failure_code", "failure_message", "next_action_url"):
        data[field] = data[field] or None
    return data


def test_external_payment_renders_its_declared_fields(entity):
    invoice = issued_invoice(CustomerFactory(entity=entity), total="100.00")
    payment = record_payment(
        invoice, "12.5", type="check", reference="CHK-1", note="Front desk", metadata={"a": "b"}
    )

    rendered = PaymentSerializer(payment).data

    assert rendered == declared_rendering(payment)
    assert list(rendered) == list(PaymentSerializer().fields)
    assert str(rendered["amount"]) == "12.50"


def test_yen_and_declined_card_payments_render_their_declared_fields(entity):
    customer = CustomerFactory(entity=entity, currency="JPY")
    invoice = issued_invoice(customer, total="5000", currency="JPY")
    paid = record_payment(invoice, "1200", type="cash")
    declined = charge_card(
        invoice,
        "1000",
        card=SavedCardFactory(customer=customer, gateway_reference="pm_card_chargeDeclined"),
    )

    for payment in (paid, declined):
        assert PaymentSerializer(payment).data == declared_rendering(payment)
    assert str(PaymentSerializer(paid).data["amount"]) == "1200"
    assert PaymentSerializer(declined).data["failure_code"]
