"""Sending documents by e-mail: `POST /invoices/{id}/send`, `/advance-invoices/{id}/send` and
`/credit-notes/{id}/send`. The same e-mail as the back office's Send button (`payments.emails`),
kept in the document's history; the answer is that record."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView
from api.framework.docs import ERROR_RESPONSES
from api.framework.idempotency import idempotent
from billing.errors import SettleError
from billing.formats import format_timestamp
from billing.models import SentEmail
from invoices.models import CreditNote, Invoice, InvoiceKind
from payments.emails import credit_note_send, invoice_send


class EmailDeliveryFailed(SettleError):
    """The mail server refused the message; it is kept in the history as failed."""

    status = 502
    type = "api_error"
    default_code = "email_failed"


class SentEmailSerializer(serializers.Serializer):
    id = serializers.CharField()
    object = serializers.CharField(default="email")
    kind = serializers.CharField()
    to = serializers.ListField(child=serializers.EmailField())
    subject = serializers.CharField()
    language = serializers.CharField()
    attachments = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=SentEmail.Status.choices)
    invoice_id = serializers.CharField(allow_null=True)
    credit_note_id = serializers.CharField(allow_null=True)
    created_at = serializers.CharField()


def serialize_email(email: SentEmail) -> dict:
    return {
        "id": email.pk,
        "object": "email",
        "kind": email.kind,
        "to": email.to,
        "subject": email.subject,
        "language": email.language,
        "attachments": email.attachments,
        "status": email.status,
        "invoice_id": email.invoice_id or None,
        "credit_note_id": email.credit_note_id or None,
        "created_at": format_timestamp(email.created_at),
    }


def _answer(email: SentEmail) -> Response:
    if email.status == SentEmail.Status.FAILED:
        raise EmailDeliveryFailed(
            f"The mail server refused the e-mail ({email.pk}); it is kept as failed. "
            "Try again later.",
            param=None,
        )
    return Response(serialize_email(email), status=status.HTTP_201_CREATED)


def _schema(name: str, summary: str):
    return extend_schema(
        operation_id=name,
        summary=summary,
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=None,
        responses={201: SentEmailSerializer, **ERROR_RESPONSES},
    )


class DocumentSendView(SettleAPIView):
    scope_resource = "invoices"
    kind = InvoiceKind.INVOICE

    def send_invoice(self, pk) -> Response:
        noun = "invoice" if self.kind == InvoiceKind.INVOICE else "advance invoice"
        invoice = self.find(Invoice.objects.filter(kind=self.kind), pk, noun)
        return _answer(invoice_send(invoice=invoice, actor_label=self.actor.describe()))


class InvoiceSendView(DocumentSendView):
    @_schema("send_invoice", "E-mail an issued invoice with its PDF and a link to pay")
    @idempotent(atomic=False)
    def post(self, request, pk):
        return self.send_invoice(pk)


class AdvanceSendView(DocumentSendView):
    kind = InvoiceKind.ADVANCE

    @_schema("send_advance_invoice", "E-mail an issued advance invoice with its PDF")
    @idempotent(atomic=False)
    def post(self, request, pk):
        return self.send_invoice(pk)


class CreditNoteSendView(SettleAPIView):
    scope_resource = "credit_notes"

    @_schema("send_credit_note", "E-mail a credit note with its PDF")
    @idempotent(atomic=False)
    def post(self, request, pk):
        credit_note = self.find(CreditNote.objects.all(), pk, "credit note")
        return _answer(credit_note_send(credit_note=credit_note, actor_label=self.actor.describe()))
