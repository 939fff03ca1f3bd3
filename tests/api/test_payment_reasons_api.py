"""A reason on `DELETE /payments/{id}` and on a PATCH that changes an amount: kept in the audit
trail and its export, and required when the entity says so."""

from decimal import Decimal

import pytest

from billing.models import AuditEvent
from payments.models import Payment
from tests.asserts import unchanged
from tests.factories import issued_invoice, record_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def payment(customer):
    return record_payment(issued_invoice(customer, total="100.00"), "40.00")


@pytest.fixture
def strict(entity):
    entity.require_change_reason = True
    entity.save()
    return entity


def test_without_the_entity_asking_a_reason_is_optional(api, payment):
    assert api.patch(f"payments/{payment.pk}", {"amount": Decimal("30.00")}).status == 200
    assert api.delete(f"payments/{payment.pk}").status == 204


def test_a_reason_is_kept_with_the_change_and_in_the_audit_export(api, payment):
    api.patch(f"payments/{payment.pk}", {"amount": Decimal("35.00"), "reason": "Typo: 35 not 40"})
    deleted = api.request("delete", f"payments/{payment.pk}", {"reason": "Bounced cheque"})

    assert deleted.status == 204
    assert Payment.objects.get(pk=payment.pk).delete_reason == "Bounced cheque"
    reasons = dict(AuditEvent.objects.filter(object_id=payment.pk).values_list("action", "reason"))
    assert reasons["payment.updated"] == "Typo: 35 not 40"
    assert reasons["payment.deleted"] == "Bounced cheque"
    streamed = api.client.get("/api/v1/audit-events/export", headers=api._headers())
    export = b"".join(streamed.streaming_content).decode()
    assert "Typo: 35 not 40" in export and "Bounced cheque" in export


def test_when_the_entity_requires_one_a_change_of_amount_or_a_delete_without_is_refused(
    api, strict, payment
):
    with unchanged():
        patched = api.patch(f"payments/{payment.pk}", {"amount": Decimal("30.00")})
        deleted = api.delete(f"payments/{payment.pk}")

    assert (patched.status, patched.error["code"], patched.error["param"]) == (
        400, "reason_required", "reason",
    )  # fmt: skip
    assert (deleted.status, deleted.error["code"]) == (400, "reason_required")
    # A note needs no reason; the query parameter carries one for a DELETE.
    assert api.patch(f"payments/{payment.pk}", {"note": "Checked"}).status == 200
    assert api.delete(f"payments/{payment.pk}?reason=Entered+twice").status == 204
    assert Payment.objects.get(pk=payment.pk).delete_reason == "Entered twice"
