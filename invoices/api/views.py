"""`/api/v1/invoices` and `/api/v1/advance-invoices`: drafts and reads.

Issuing, voiding, charging and credit notes move money, so their views live
with the payment services (`payments.api.documents`).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from billing.api.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView, list_response
from billing.api.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from billing.api.idempotency import idempotent
from billing.api.listing import list_page
from billing.errors import NotFound
from billing.models import Customer
from invoices.api.serializers import (
    AdvanceInvoiceSerializer,
    InvoiceCreateSerializer,
    InvoiceSerializer,
)
from invoices.api.specs import INVOICE_LIST_SPEC
from invoices.models import Invoice, InvoiceKind
from invoices.services import invoice_create


class InvoiceKindMixin:
    kind = InvoiceKind.INVOICE
    serializer_class = InvoiceSerializer
    noun = "invoice"

    def documents(self):
        return Invoice.objects.filter(entity_id=self.entity.pk, kind=self.kind).prefetch_related(
            "lines"
        )


class InvoiceListView(InvoiceKindMixin, SettleAPIView):
    @extend_schema(
        operation_id="list_invoices",
        summary="List invoices",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(InvoiceSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(self.documents(), request.query_params, INVOICE_LIST_SPEC)
        return list_response(page, lambda row: self.serializer_class(row).data)

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
    @extend_schema(
        operation_id="get_invoice",
        summary="Get invoice by ID",
        parameters=[ENTITY_HEADER],
        responses={200: InvoiceSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(self.serializer_class(self.find(self.documents(), pk, self.noun)).data)


class AdvanceKindMixin(InvoiceKindMixin):
    kind = InvoiceKind.ADVANCE
    serializer_class = AdvanceInvoiceSerializer
    noun = "advance invoice"


class AdvanceInvoiceListView(AdvanceKindMixin, InvoiceListView):
    @extend_schema(
        operation_id="list_advance_invoices",
        summary="List advance invoices",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(AdvanceInvoiceSerializer), **ERROR_RESPONSES},
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
        parameters=[ENTITY_HEADER],
        responses={200: AdvanceInvoiceSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return super().get(request, pk)
