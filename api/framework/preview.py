"""`?preview=true` on every POST that moves money: the same view, rolled back.

The handler runs whole (input checks, the service, its answer) inside a transaction that
is rolled back (`payments.services.previewing`), so a preview refuses what the real call
refuses, with the same 4xx, and otherwise answers 200 with what the real call would
answer, the rows it would create and the figures it would move. It claims no
Idempotency-Key (`idempotent` steps aside), writes, sends and numbers nothing and calls no
gateway.
"""

import functools

from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from billing.errors import ValidationError
from payments.services.previewing import preview_run

PARAM = "preview"
PREVIEW_PARAMETER = OpenApiParameter(
    PARAM,
    bool,
    OpenApiParameter.QUERY,
    required=False,
    description="true: change nothing and answer 200 with `{preview: true, status, result, "
    "creates, changes}`: what the call would answer, the rows it would create and each "
    "affected document's and balance's figures before → after. Runs the same checks (the "
    "same 4xx), claims no Idempotency-Key, calls no gateway.",
)
# Request fields that name a document or a customer whose figures the action may move.
NAMING_FIELDS = ("invoice_id", "advance_invoice_id", "credit_note_id", "customer_id", "payment_id")


class PreviewChangeSerializer(serializers.Serializer):
    object = serializers.ChoiceField(
        choices=["invoice", "advance_invoice", "credit_note", "customer_balance"]
    )
    id = serializers.CharField()
    before = serializers.DictField(
        allow_null=True, help_text="null for a document the call would create."
    )
    after = serializers.DictField(
        help_text="total, total_paid, total_credited, total_due, total_reserved and status "
        "of an invoice; total, total_applied, total_remaining and status of a credit note; "
        "balance of a customer."
    )


class PreviewCreatedRowSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["payment", "refund", "credit_note", "balance_transaction"]
    )
    object = serializers.DictField(help_text="The row as the API represents it.")


class MoneyActionPreviewSerializer(serializers.Serializer):
    preview = serializers.BooleanField()
    status = serializers.IntegerField(help_text="The status the real call would answer.")
    result = serializers.JSONField(
        help_text="The body the real call would answer. A card charge or refund shows the "
        "gateway accepting it, and `preview_gateway_calls` the call a real one makes."
    )
    creates = PreviewCreatedRowSerializer(many=True)
    changes = PreviewChangeSerializer(many=True)


def preview_requested(request) -> bool:
    raw = request.query_params.get(PARAM)
    if raw is None or raw.strip().lower() == "false":
        return False
    if raw.strip().lower() == "true":
        return True
    raise ValidationError("preview must be true or false.", code="invalid_preview", param=PARAM)


def _named(request, kwargs) -> set[str]:
    named = {str(value) for value in kwargs.values()}
    data = request.data if isinstance(request.data, dict) else {}
    named.update(str(data[name]) for name in NAMING_FIELDS if isinstance(data.get(name), str))
    return named


def _present_row(kind: str, row) -> dict:
    # Imported here: the resources import the framework, not the other way round.
    from api.resources.credit_notes import CreditNoteSerializer
    from api.resources.customers import BalanceTransactionSerializer
    from api.resources.payments import serialize_payment
    from api.resources.refunds import RefundSerializer

    if kind == "payment":
        return serialize_payment(row)
    if kind == "refund":
        return RefundSerializer(row).data
    if kind == "balance_transaction":
        return BalanceTransactionSerializer(row).data
    row = type(row).objects.prefetch_related("lines").get(pk=row.pk)
    return CreditNoteSerializer(row).data


def previewable(handler):
    """Decorate a money POST handler (outermost, above its `extend_schema`) so that it can
    be previewed; the operation's documentation gains the parameter and the 200 answer."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        if not preview_requested(request):
            return handler(view, request, *args, **kwargs)

        def present(response):
            return response.status_code, response.data

        preview = preview_run(
            lambda: handler(view, request, *args, **kwargs),
            named=_named(request, kwargs),
            present=present,
            present_row=_present_row,
        )
        status_code, result = preview.result
        if preview.gateway_calls and isinstance(result, dict):
            result = {
                **result,
                "preview_gateway_calls": [
                    f"A real call sends the {call}; shown here as the gateway accepting it."
                    for call in preview.gateway_calls
                ],
            }
        return Response(
            {
                "preview": True,
                "status": status_code,
                "result": result,
                "creates": [{"type": kind, "object": row} for kind, row in preview.created],
                "changes": preview.changes,
            }
        )

    wrapper = extend_schema(parameters=[PREVIEW_PARAMETER])(wrapper)
    wrapper.kwargs["schema"] = _with_preview_answer(wrapper.kwargs["schema"])
    return wrapper


def _with_preview_answer(base):
    """The operation's schema, its 200 answer also (or only) the preview's."""

    class PreviewableSchema(base):
        def get_response_serializers(self):
            responses = super().get_response_serializers()
            if not isinstance(responses, dict):
                return responses
            ok = next((key for key in responses if key in (200, "200")), None)
            if ok is None:
                return {**responses, 200: MoneyActionPreviewSerializer}
            name = f"{self.get_operation_id().title().replace('_', '')}"
            return {
                **responses,
                ok: PolymorphicProxySerializer(
                    component_name=f"{name}OrPreview",
                    serializers=[responses[ok], MoneyActionPreviewSerializer],
                    resource_type_field_name=None,
                ),
            }

    return PreviewableSchema
