"""`/api/v1/bank-statements` and `/api/v1/bank-statement-lines`: import a statement file, read
it with its lines and their suggestions, and confirm, ignore or undo what a line pays."""

import json

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from api.framework.base import (
    ENTITY_HEADER,
    IDEMPOTENCY_HEADER,
    SettleAPIView,
    list_response,
)
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import MoneyField, TimestampField
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from banking.formats import FORMATS, MAX_STATEMENT_BYTES
from banking.models import BankStatement, BankStatementLine, LineStatus
from banking.services.importing import statement_import
from banking.services.reconciling import bank_line_confirm, bank_line_ignore, bank_line_undo
from billing.entity_settings import clean_iban
from billing.errors import ValidationError


class BankStatementLineSerializer(serializers.Serializer):
    id = serializers.CharField()
    statement_id = serializers.CharField()
    date = serializers.DateField(source="booking_date")
    value_date = serializers.DateField(allow_null=True)
    amount = MoneyField(help_text="Negative for money out.")
    currency = serializers.CharField()
    counterparty_name = serializers.CharField()
    counterparty_iban = serializers.CharField()
    remittance_info = serializers.CharField()
    creditor_reference = serializers.CharField()
    bank_reference = serializers.CharField()
    status = serializers.ChoiceField(choices=LineStatus.choices)
    suggestions = serializers.ListField(
        child=serializers.DictField(),
        help_text="Ranked matches: kind (invoice or refund), invoice_id, invoice_number, "
        "customer_id, customer_name, due, amount (what a confirm would allocate), excess, "
        "score, evidence (number, rf, iban, amount, name) and proposed (what a plain "
        "confirm does).",
    )
    payment_ids = serializers.SerializerMethodField()
    ignore_reason = serializers.CharField()

    def get_payment_ids(self, line) -> list[str]:
        return [
            allocation.payment_id
            for allocation in line.allocations.all()
            if allocation.payment_id and allocation.undone_at is None
        ]


class BankStatementSerializer(serializers.Serializer):
    id = serializers.CharField()
    object = serializers.CharField(default="bank_statement")
    bank_account_id = serializers.CharField()
    account_iban = serializers.CharField(source="bank_account.iban")
    format = serializers.CharField()
    statement_ref = serializers.CharField()
    filename = serializers.CharField()
    opening_balance = MoneyField(allow_null=True)
    closing_balance = MoneyField(allow_null=True)
    movements = MoneyField(help_text="The sum of the file's lines (money out negative).")
    balances_agree = serializers.BooleanField(
        allow_null=True,
        help_text="opening_balance + movements = closing_balance: no line of the file is "
        "missing. Null when the file gives no balances (CSV).",
    )
    first_date = serializers.DateField(allow_null=True)
    last_date = serializers.DateField(allow_null=True)
    lines_in_file = serializers.IntegerField()
    lines_repeated = serializers.IntegerField(
        help_text="Lines of the file an earlier statement had brought already (not stored again)."
    )
    created_at = TimestampField()


def statement_data(statement: BankStatement, *, with_lines: bool = True) -> dict:
    data = BankStatementSerializer(statement).data
    if with_lines:
        lines = statement.lines.prefetch_related("allocations").order_by("position")
        data["lines"] = [BankStatementLineSerializer(line).data for line in lines]
    return data


STATEMENT_WITH_LINES = inline_serializer(
    "BankStatementWithLines",
    {
        **BankStatementSerializer().fields,
        "lines": BankStatementLineSerializer(many=True),
    },
)

STATEMENT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("format", "format", "enum", choices=FORMATS),
        Field("filename", "filename", "string", orderable=False),
        Field("first_date", "first_date", "date"),
        Field("last_date", "last_date", "date"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("filename", "statement_ref"),
    metadata_path=None,
    default_order="-created_at",
)

LINE_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("statement_id", "statement_id", "id"),
        Field("date", "booking_date", "date"),
        Field("amount", "amount", "number"),
        Field("status", "status", "enum", choices=tuple(LineStatus.values)),
        Field("counterparty_iban", "counterparty_iban", "string"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("counterparty_name", "remittance_info", "bank_reference"),
    metadata_path=None,
    default_order="created_at",
)


class BankStatementListView(SettleAPIView):
    scope_resource = "bank_statements"
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="list_bank_statements",
        summary="List imported bank statements",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(BankStatementSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(
            BankStatement.objects.filter(entity_id=self.entity.pk).select_related("bank_account"),
            request.query_params,
            STATEMENT_LIST_SPEC,
        )
        return list_response(page, lambda row: statement_data(row, with_lines=False))

    @extend_schema(
        operation_id="import_bank_statement",
        summary="Import a bank statement (CAMT.053, MT940 or CSV)",
        description="Multipart upload, field `file`. The format is detected, or given as "
        "`format`. A CSV needs `csv_mapping` (a JSON object naming the header of each column: "
        "date, amount, counterparty_name, counterparty_iban, remittance_info, bank_reference; "
        "delimiter, date_format, decimal_comma) unless the bank account has one saved, and, when it names no account, `bank_account_id` or "
        "`new_account_iban` (the account is created with the statement). "
        "Each line is stored once per account: the same file again answers 200 with the "
        "statement imported before; an overlapping statement stores only its new lines. "
        "Lines whose remittance names exactly one open invoice, for no more than its due, "
        "are confirmed at once (an entity setting); the rest come back with suggestions.",
        parameters=[ENTITY_HEADER],
        request={
            "multipart/form-data": inline_serializer(
                "BankStatementUpload",
                {
                    "file": serializers.FileField(),
                    "format": serializers.ChoiceField(choices=FORMATS, required=False),
                    "bank_account_id": serializers.CharField(required=False),
                    "new_account_iban": serializers.CharField(required=False),
                    "csv_mapping": serializers.CharField(required=False),
                },
            )
        },
        responses={201: STATEMENT_WITH_LINES, 200: STATEMENT_WITH_LINES, **ERROR_RESPONSES},
    )
    def post(self, request):
        entity = self.entity  # an entity the key may not use is a 404 before the body is read
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError("Send the statement as the multipart field `file`.", param="file")
        if upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(
                f"The file is larger than {MAX_STATEMENT_BYTES // 1_000_000} MB.",
                code="statement_too_large",
                param="file",
            )
        result = statement_import(
            entity=entity,
            actor=self.actor,
            data=upload.read(),
            filename=upload.name or "",
            format=request.data.get("format") or None,
            bank_account_id=request.data.get("bank_account_id") or None,
            csv_mapping=_mapping(request.data.get("csv_mapping")),
            new_account_iban=_iban(request.data.get("new_account_iban")),
        )
        return Response(
            statement_data(result.statement),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


def _iban(raw) -> str:
    if not raw:
        return ""
    try:
        return clean_iban(raw)
    except ValidationError as error:
        raise ValidationError(error.message, code=error.code, param="new_account_iban") from None


def _mapping(raw) -> dict | None:
    if not raw:
        return None
    try:
        mapping = json.loads(raw)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict):
        raise ValidationError(
            "csv_mapping must be a JSON object.", code="csv_mapping_invalid", param="csv_mapping"
        )
    return mapping


class BankStatementDetailView(SettleAPIView):
    scope_resource = "bank_statements"

    @extend_schema(
        operation_id="get_bank_statement",
        summary="Get a bank statement with its lines",
        parameters=[ENTITY_HEADER],
        responses={200: STATEMENT_WITH_LINES, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(statement_data(self.find(BankStatement.objects, pk, "bank statement")))


class BankStatementLineListView(SettleAPIView):
    scope_resource = "bank_statements"

    @extend_schema(
        operation_id="list_bank_statement_lines",
        summary="List bank statement lines (the review queue)",
        description='`query={"status": {"in": ["unmatched", "suggested"]}}` is the queue.',
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(BankStatementLineSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(
            BankStatementLine.objects.filter(entity_id=self.entity.pk).prefetch_related(
                "allocations"
            ),
            request.query_params,
            LINE_LIST_SPEC,
        )
        return list_response(page, lambda line: BankStatementLineSerializer(line).data)


class BankStatementLineDetailView(SettleAPIView):
    scope_resource = "bank_statements"

    @extend_schema(
        operation_id="get_bank_statement_line",
        summary="Get a bank statement line",
        parameters=[ENTITY_HEADER],
        responses={200: BankStatementLineSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        line = self.find(BankStatementLine.objects, pk, "bank statement line")
        return Response(BankStatementLineSerializer(line).data)


class LineAllocationSerializer(StrictInputSerializer):
    invoice_id = serializers.CharField(required=False)
    refund_id = serializers.CharField(required=False)
    amount = serializers.CharField(required=False, help_text="For an invoice: what it gets.")


class ConfirmSerializer(StrictInputSerializer):
    allocations = LineAllocationSerializer(
        many=True,
        required=False,
        help_text="Default: the line's proposed suggestions. Money in: invoice_id and amount "
        "each (one line may pay several invoices); money out: refund_id each.",
    )
    remainder_to_balance = serializers.BooleanField(
        default=False,
        help_text="Money in left over after the allocations goes to the customer's balance.",
    )


class LineReasonSerializer(StrictInputSerializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True)


class LineActionView(SettleAPIView):
    scope_resource = "bank_statements"

    def line(self, pk) -> BankStatementLine:
        return self.find(BankStatementLine.objects, pk, "bank statement line")

    def answer(self, line) -> Response:
        line = BankStatementLine.objects.prefetch_related("allocations").get(pk=line.pk)
        return Response(BankStatementLineSerializer(line).data)

    def with_reason(self, service, request, pk) -> Response:
        """Ignore and undo: the line, an optional reason, the service, the line as it is now."""
        line = self.line(pk)
        serializer = LineReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reason = serializer.validated_data.get("reason", "")
        return self.answer(
            service(entity=self.entity, actor=self.actor, line_id=line.pk, reason=reason)
        )


LINE_ID = OpenApiParameter("id", str, OpenApiParameter.PATH)


class BankLineConfirmView(LineActionView):
    @previewable
    @extend_schema(
        operation_id="confirm_bank_statement_line",
        summary="Confirm what a line pays",
        description="Money in becomes bank_transfer payments (the bank's reference as "
        "`reference`, dated on the booking day), recorded by the same service as every "
        "payment. 409 `line_already_matched` when someone confirmed it first.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER, LINE_ID],
        request=ConfirmSerializer,
        responses={200: BankStatementLineSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        line = self.line(pk)
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        allocations = data.get("allocations")
        line = bank_line_confirm(
            entity=self.entity,
            actor=self.actor,
            line_id=line.pk,
            allocations=[dict(a) for a in allocations] if allocations is not None else None,
            remainder_to_balance=data["remainder_to_balance"],
        )
        return self.answer(line)


class BankLineIgnoreView(LineActionView):
    @extend_schema(
        operation_id="ignore_bank_statement_line",
        summary="Ignore a line (a transfer between own accounts, a fee…)",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER, LINE_ID],
        request=LineReasonSerializer,
        responses={200: BankStatementLineSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        return self.with_reason(bank_line_ignore, request, pk)


class BankLineUndoView(LineActionView):
    @extend_schema(
        operation_id="undo_bank_statement_line",
        summary="Undo a line's match or ignore",
        description="Deletes the payments the match recorded (kept, with the reason) and "
        "returns the line to the queue.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER, LINE_ID],
        request=LineReasonSerializer,
        responses={200: BankStatementLineSerializer, **ERROR_RESPONSES},
    )
    @idempotent(atomic=False)
    def post(self, request, pk):
        return self.with_reason(bank_line_undo, request, pk)
