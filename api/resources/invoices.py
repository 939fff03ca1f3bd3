"""`/api/v1/invoices` and `/api/v1/advance-invoices`: create, list and read invoices; change or
delete drafts."""

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import (
    ENTITY_HEADER,
    IDEMPOTENCY_HEADER,
    SettleAPIView,
    list_response,
    parse_includes,
)
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import (
    CurrencyField,
    DecimalNumberField,
    MetadataField,
    MoneyField,
    TimestampField,
)
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.serializers import StrictInputSerializer
from billing.errors import NotFound
from billing.models import Customer
from invoices.lines import MAX_LINES
from invoices.models import Invoice, InvoiceKind, InvoiceStatus
from invoices.services import invoice_create
from invoices.services.authoring import MAX_TERMS_DAYS, invoice_delete_draft, invoice_update


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    quantity = DecimalNumberField()
    price = DecimalNumberField(source="unit_price")
    tax_rate = DecimalNumberField()
    discount_percent = DecimalNumberField(help_text="Percent taken off quantity × price.")
    amount = MoneyField(help_text="quantity × price, less the discount, rounded to the currency.")
    tax_amount = MoneyField()
    total = MoneyField()


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField(allow_null=True, help_text="Assigned when issued.")
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    display_status = serializers.CharField(help_text="status, or overdue / overpaid.")
    customer_id = serializers.CharField()
    entity_id = serializers.CharField()
    currency = serializers.CharField()
    date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True)
    payment_terms_days = serializers.IntegerField(
        allow_null=True,
        help_text="Days after date that give the due date at issue; null: the customer's "
        "terms, else the entity's.",
    )
    note = serializers.CharField(allow_blank=True)
    footer = serializers.CharField(allow_blank=True)
    metadata = MetadataField()
    items = LineSerializer(source="lines.all", many=True)
    subtotal = MoneyField(source="total_net")
    total_tax = MoneyField()
    total = MoneyField()
    total_paid = MoneyField(help_text="Succeeded payments and applications, net of refunds.")
    total_credited = MoneyField(help_text="The part of total_paid applied from credit notes.")
    total_due = MoneyField(help_text="total − total_paid; negative when overpaid.")
    total_reserved = MoneyField(
        help_text="Held by card charges in progress or awaiting the card holder's "
        "authentication (3-D Secure); total_due − total_reserved is what can still be charged "
        "or applied."
    )
    paid_in_full = serializers.BooleanField()
    issued_at = TimestampField(allow_null=True, help_text="null while a draft.")
    voided_at = TimestampField(allow_null=True, help_text="null unless void.")
    created_at = TimestampField()
    updated_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["number"] = data["number"] or None
        return data


class AdvanceInvoiceSerializer(InvoiceSerializer):
    total_applied = MoneyField(help_text="Applied to final invoices by advance payments.")


def _schema_ref(component: str, *, many: bool = False) -> dict:
    ref = {"$ref": f"#/components/schemas/{component}"}
    return {"type": "array", "items": ref} if many else ref


# What `include` embeds, for the schema only: `invoice_includes.embed_includes` renders it
# (the payments' and credit notes' serializers import this module, so they are named here).
@extend_schema_field(_schema_ref("Customer"))
class _IncludedCustomer(serializers.JSONField):
    pass


@extend_schema_field(_schema_ref("Payment", many=True))
class _IncludedPayments(serializers.JSONField):
    pass


@extend_schema_field(_schema_ref("CreditNote", many=True))
class _IncludedCreditNotes(serializers.JSONField):
    pass


class InvoiceWithIncludesSerializer(InvoiceSerializer):
    """An invoice with the related rows asked for by `include`."""

    Customer = _IncludedCustomer(required=False, help_text="With include=Customer.")
    Payments = _IncludedPayments(required=False, help_text="With include=Payments.")
    CreditNotes = _IncludedCreditNotes(required=False, help_text="With include=CreditNotes.")


class AdvanceInvoiceWithIncludesSerializer(InvoiceWithIncludesSerializer, AdvanceInvoiceSerializer):
    """An advance invoice with the related rows asked for by `include`."""


class ItemInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=300)
    quantity = MoneyField(required=False, default=1)
    price = MoneyField()
    tax_rate = MoneyField(required=False, default=0)
    discount_percent = MoneyField(
        required=False, default=0, help_text="Percent taken off quantity × price, 0 to 100."
    )


class InvoiceCreateSerializer(StrictInputSerializer):
    customer_id = serializers.CharField()
    currency = CurrencyField(required=False, help_text="Default: the customer's currency.")
    date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    payment_terms_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_TERMS_DAYS,
        help_text="Days after date for the due date at issue (when no due_date is given). "
        "Default: the customer's terms, else the entity's.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    footer = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="Printed at the bottom of the invoice.",
    )
    metadata = MetadataField(required=False)


class InvoiceUpdateSerializer(StrictInputSerializer):
    """A draft's fields to change; those left out keep their values, `items` replaces all."""

    customer_id = serializers.CharField(required=False)
    currency = CurrencyField(required=False)
    date = serializers.DateField(required=False)
    due_date = serializers.DateField(required=False, allow_null=True)
    items = ItemInputSerializer(many=True, required=False, allow_empty=False, max_length=MAX_LINES)
    payment_terms_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_TERMS_DAYS
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    footer = serializers.CharField(required=False, allow_blank=True, max_length=5000)


DELETED = inline_serializer(
    "DeletedInvoice",
    {
        "id": serializers.CharField(),
        "object": serializers.CharField(),
        "deleted": serializers.BooleanField(),
    },
)

INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    str,
    description=(
        "Comma-separated relations to embed. Allowed: Customer, Payments, CreditNotes. "
        "A restricted key needs customers:read, payments:read or credit_notes:read to "
        "include them: 403 insufficient_scope otherwise."
    ),
)


def _current_items(invoice) -> list[dict]:
    return [
        {
            "name": line.name,
            "quantity": line.quantity,
            "price": line.unit_price,
            "tax_rate": line.tax_rate,
            "discount_percent": line.discount_percent,
        }
        for line in invoice.lines.all()
    ]


INVOICE_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("number", "number", "string"),
        Field("customer_id", "customer_id", "id"),
        Field("status", "status", "enum"),
        Field("currency", "currency", "enum"),
        Field("date", "date", "date"),
        Field("due_date", "due_date", "date", orderable=False),
        Field("total", "total", "number"),
        Field("total_paid", "total_paid", "number"),
        Field("total_due", "total_due", "number"),
        Field("total_reserved", "total_reserved", "number"),
        Field("note", "note", "string", orderable=False),
        Field("customer.name", "customer__name", "string", orderable=False),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("number", "note", "customer__name", "customer__email", "id"),
    metadata_path="metadata",
    default_order="-created_at",
)


class InvoiceKindMixin:
    kind = InvoiceKind.INVOICE
    serializer_class = InvoiceSerializer
    noun = "invoice"

    def documents(self):
        return Invoice.objects.filter(entity_id=self.entity.pk, kind=self.kind).prefetch_related(
            "lines"
        )

    def included(self, request):
        """The documents with what `include` asks for, and a function that renders one."""
        # Payments embed invoices: their serializers are imported when asked, not at load.
        from api.resources.invoice_includes import (
            INVOICE_INCLUDES,
            embed_includes,
            invoices_with_includes,
        )

        includes = parse_includes(request, INVOICE_INCLUDES)
        documents = invoices_with_includes(self.documents(), includes)
        return documents, lambda row: embed_includes(self.serializer_class(row).data, row, includes)


class InvoiceListView(InvoiceKindMixin, SettleAPIView):
    scope_resource = "invoices"

    @extend_schema(
        operation_id="list_invoices",
        summary="List invoices",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS, INCLUDE_PARAMETER],
        responses={200: list_envelope(InvoiceWithIncludesSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        documents, render = self.included(request)
        page = list_page(documents, request.query_params, INVOICE_LIST_SPEC)
        return list_response(page, render)

    @extend_schema(
        operation_id="create_invoice",
        summary="Create a draft invoice",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=InvoiceCreateSerializer,
        responses={201: InvoiceSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request):
        serializer = InvoiceCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = Customer.objects.filter(
            entity_id=self.entity.pk, pk=data.pop("customer_id")
        ).first()
        if customer is None:
            raise NotFound("No such customer.", param="customer_id")
        invoice = invoice_create(
            entity=self.entity, customer=customer, actor=self.actor, kind=self.kind, **data
        )
        invoice = self.documents().get(pk=invoice.pk)
        return Response(self.serializer_class(invoice).data, status=status.HTTP_201_CREATED)


class InvoiceDetailView(InvoiceKindMixin, SettleAPIView):
    scope_resource = "invoices"

    @extend_schema(
        operation_id="get_invoice",
        summary="Get invoice by ID",
        parameters=[ENTITY_HEADER, INCLUDE_PARAMETER],
        responses={200: InvoiceWithIncludesSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        documents, render = self.included(request)
        return Response(render(self.find(documents, pk, self.noun)))

    @extend_schema(
        operation_id="update_invoice",
        summary="Update a draft invoice",
        description="Only a draft (409 `invoice_not_draft` otherwise). Fields left out keep "
        "their values; `items` replaces every line, and the totals follow.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=InvoiceUpdateSerializer,
        responses={200: InvoiceSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def patch(self, request, pk):
        invoice = self.find(self.documents(), pk, self.noun)
        serializer = InvoiceUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        customer = invoice.customer
        if "customer_id" in data:
            customer = Customer.objects.filter(
                entity_id=self.entity.pk, pk=data["customer_id"]
            ).first()
            if customer is None:
                raise NotFound("No such customer.", param="customer_id")
        invoice_update(
            invoice=invoice,
            actor=self.actor,
            customer=customer,
            items=data.get("items") or _current_items(invoice),
            date=data.get("date", invoice.date),
            due_date=data.get("due_date", invoice.due_date),
            payment_terms_days=data.get("payment_terms_days", invoice.payment_terms_days),
            note=data.get("note", invoice.note),
            footer=data.get("footer", invoice.footer),
            currency=data.get("currency"),
        )
        return Response(self.serializer_class(self.documents().get(pk=invoice.pk)).data)

    @extend_schema(
        operation_id="delete_invoice",
        summary="Delete a draft invoice",
        description="Only a draft, which never had a number (409 `invoice_not_draft` "
        "otherwise: an issued invoice is voided or credited). The audit trail keeps it.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        responses={200: DELETED, **ERROR_RESPONSES},
    )
    @idempotent()
    def delete(self, request, pk):
        invoice = self.find(self.documents(), pk, self.noun)
        invoice_delete_draft(invoice=invoice, actor=self.actor)
        return Response({"id": invoice.pk, "object": self.kind, "deleted": True})


class AdvanceKindMixin(InvoiceKindMixin):
    kind = InvoiceKind.ADVANCE
    serializer_class = AdvanceInvoiceSerializer
    noun = "advance invoice"


class AdvanceInvoiceListView(AdvanceKindMixin, InvoiceListView):
    @extend_schema(
        operation_id="list_advance_invoices",
        summary="List advance invoices",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS, INCLUDE_PARAMETER],
        responses={200: list_envelope(AdvanceInvoiceWithIncludesSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        return super().get(request)

    @extend_schema(
        operation_id="create_advance_invoice",
        summary="Create a draft advance invoice",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=InvoiceCreateSerializer,
        responses={201: AdvanceInvoiceSerializer, **ERROR_RESPONSES},
    )
    def post(self, request):
        return super().post(request)


class AdvanceInvoiceDetailView(AdvanceKindMixin, InvoiceDetailView):
    @extend_schema(
        operation_id="get_advance_invoice",
        summary="Get advance invoice by ID",
        parameters=[ENTITY_HEADER, INCLUDE_PARAMETER],
        responses={200: AdvanceInvoiceWithIncludesSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return super().get(request, pk)

    @extend_schema(
        operation_id="update_advance_invoice",
        summary="Update a draft advance invoice",
        description="Only a draft. Fields left out keep their values; `items` replaces every line.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=InvoiceUpdateSerializer,
        responses={200: AdvanceInvoiceSerializer, **ERROR_RESPONSES},
    )
    def patch(self, request, pk):
        return super().patch(request, pk)

    @extend_schema(
        operation_id="delete_advance_invoice",
        summary="Delete a draft advance invoice",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        responses={200: DELETED, **ERROR_RESPONSES},
    )
    def delete(self, request, pk):
        return super().delete(request, pk)
