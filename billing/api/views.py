"""`/api/v1/customers`: customers, their money balance, its ledger and adjustments."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from billing.api.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView, list_response
from billing.api.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from billing.api.idempotency import idempotent
from billing.api.listing import Field, ListSpec, list_page
from billing.api.serializers import (
    BalanceAdjustmentSerializer,
    BalanceTransactionSerializer,
    CustomerCreateSerializer,
    CustomerSerializer,
)
from billing.models import BalanceTransaction, Customer
from billing.services import balance_adjust, customer_create

CUSTOMER_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("name", "name", "string"),
        Field("email", "email", "string"),
        Field("currency", "currency", "enum"),
        Field("balance", "balance", "number"),
        Field("metadata", "metadata", "metadata", orderable=False),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("name", "email", "id"),
    metadata_path="metadata",
    default_order="-created_at",
)

BALANCE_TRANSACTION_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("kind", "kind", "enum"),
        Field("amount", "amount", "number"),
        Field("invoice_id", "invoice_id", "string"),
        Field("payment_id", "payment_id", "string"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("reason", "id"),
    metadata_path=None,
    default_order="-created_at",
)


class CustomerListView(SettleAPIView):
    @extend_schema(
        operation_id="list_customers",
        summary="List customers",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(CustomerSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        page = list_page(
            Customer.objects.filter(entity_id=self.entity.pk),
            request.query_params,
            CUSTOMER_LIST_SPEC,
        )
        return list_response(page, lambda row: CustomerSerializer(row).data)

    @extend_schema(
        operation_id="create_customer",
        summary="Create a customer",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=CustomerCreateSerializer,
        responses={201: CustomerSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request):
        serializer = CustomerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_create(entity=self.entity, **serializer.validated_data)
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(SettleAPIView):
    @extend_schema(
        operation_id="get_customer",
        summary="Get customer by ID",
        parameters=[ENTITY_HEADER],
        responses={200: CustomerSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(CustomerSerializer(self.find(Customer.objects, pk, "customer")).data)


class BalanceTransactionListView(SettleAPIView):
    @extend_schema(
        operation_id="list_balance_transactions",
        summary="List a customer's balance ledger",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(BalanceTransactionSerializer), **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        customer = self.find(Customer.objects, pk, "customer")
        page = list_page(
            BalanceTransaction.objects.filter(customer=customer),
            request.query_params,
            BALANCE_TRANSACTION_LIST_SPEC,
        )
        return list_response(page, lambda row: BalanceTransactionSerializer(row).data)


class BalanceAdjustmentView(SettleAPIView):
    @extend_schema(
        operation_id="adjust_customer_balance",
        summary="Add to or deduct from a money balance",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=BalanceAdjustmentSerializer,
        responses={201: BalanceTransactionSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request, pk):
        customer = self.find(Customer.objects, pk, "customer")
        serializer = BalanceAdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        row = balance_adjust(customer=customer, actor=self.actor, **serializer.validated_data)
        return Response(BalanceTransactionSerializer(row).data, status=status.HTTP_201_CREATED)
