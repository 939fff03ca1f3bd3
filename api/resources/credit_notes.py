"""`/api/v1/credit-notes`: issue a credit note (and send its credit where it goes), list and read them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView, list_response
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import (
    MetadataField,
    MoneyField,
    TimestampField,
)
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from api.resources.invoices import (
    ItemInputSerializer,
    LineSerializer,
)
from invoices.lines import MAX_LINES
from invoices.models import CreditNote
from payments.models import (
    EXTERNAL_TYPES,
)
from payments.services import credit_note_issue
from payments.services.crediting import ALLOCATION_TYPES


class CreditNoteLineSerializer(LineSerializer):
    invoice_line_id = serializers.IntegerField(allow_null=True)


class CreditNoteSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    status = serializers.CharField()
    invoice_id = serializers.CharField()
    customer_id = serializers.CharField()
    entity_id = serializers.CharField()
    currency = serializers.CharField()
    date = serializers.DateField()
    reason = serializers.CharField()
    metadata = MetadataField()
    items = CreditNoteLineSerializer(source="lines.all", many=True)
    subtotal = MoneyField(source="total_net")
    total_tax = MoneyField()
    total = MoneyField()
    total_applied = MoneyField(help_text="Applied to invoices, the balance or paid out.")
    total_remaining = MoneyField()
    created_at = TimestampField()
    updated_at = TimestampField()


class AllocationSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[(t, t) for t in ALLOCATION_TYPES])
    amount = MoneyField()
    payment_id = serializers.CharField(required=False, help_text="For type refund.")
    payment_type = serializers.ChoiceField(
        choices=[(t, t) for t in EXTERNAL_TYPES], required=False, help_text="For type outside."
    )


class CreditLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    quantity = MoneyField(required=False)
    amount = MoneyField(required=False)


class CreditNoteCreateSerializer(StrictInputSerializer):
    invoice_id = serializers.CharField()
    reason = serializers.CharField(max_length=2000)
    amount = MoneyField(required=False, help_text="A single untaxed credit.")
    items = ItemInputSerializer(
        many=True, required=False, allow_empty=False, max_length=MAX_LINES, help_text="Free lines."
    )
    lines = CreditLineSerializer(many=True, required=False, allow_empty=False, max_length=MAX_LINES)
    date = serializers.DateField(required=False)
    metadata = MetadataField(required=False)
    allocations = AllocationSerializer(many=True, required=False, allow_empty=False)


CREDIT_NOTE_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("number", "number", "string"),
        Field("invoice_id", "invoice_id", "id"),
        Field("customer_id", "customer_id", "id"),
        Field("date", "date", "date"),
        Field("total", "total", "number"),
        Field("total_remaining", "total_remaining", "number"),
        Field("reason", "reason", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("number", "reason", "id"),
    metadata_path="metadata",
    default_order="-created_at",
)


def credit_notes_of(entity_id: str):
    return CreditNote.objects.filter(entity_id=entity_id).prefetch_related("lines")


class CreditNoteListView(SettleAPIView):
    scope_resource = "credit_notes"

    @extend_schema(
        operation_id="list_credit_notes",
        summary="List credit notes",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(CreditNoteSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(
            credit_notes_of(self.entity.pk), request.query_params, CREDIT_NOTE_LIST_SPEC
        )
        return list_response(page, lambda row: CreditNoteSerializer(row).data)

    @previewable
    @extend_schema(
        operation_id="create_credit_note",
        summary="Issue a credit note",
        description="Credit an issued invoice by `amount`, free `items`, or per invoice "
        "`lines`, with a `reason`. Optional `allocations` send the credit at once: to the "
        "invoice, the customer_balance, a refund of one of its payments, or outside the app; "
        "they must add up to the credit note's total. Without them the credit note stays open "
        "(total_remaining = total) until credit_note payments apply it.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=CreditNoteCreateSerializer,
        responses={201: CreditNoteSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request):
        serializer = CreditNoteCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for field in ("items", "lines", "allocations"):
            if field in data:
                data[field] = [dict(entry) for entry in data[field]]
        credit_note = credit_note_issue(entity=self.entity, actor=self.actor, **data)
        credit_note = credit_notes_of(self.entity.pk).get(pk=credit_note.pk)
        return Response(CreditNoteSerializer(credit_note).data, status=status.HTTP_201_CREATED)


class CreditNoteDetailView(SettleAPIView):
    scope_resource = "credit_notes"

    @extend_schema(
        operation_id="get_credit_note",
        summary="Get credit note by ID",
        parameters=[ENTITY_HEADER],
        responses={200: CreditNoteSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        credit_note = self.find(credit_notes_of(self.entity.pk), pk, "credit note")
        return Response(CreditNoteSerializer(credit_note).data)
