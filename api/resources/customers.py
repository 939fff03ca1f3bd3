"""`/api/v1/customers`: customers, their balance ledger and adjustments, their saved payment methods."""

from django.db.models import BooleanField, ExpressionWrapper, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView, list_response
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import (
    CurrencyField,
    MetadataField,
    MoneyField,
    TimestampField,
)
from api.framework.idempotency import idempotent
from api.framework.listing import Field, ListSpec, list_page
from api.framework.preview import previewable
from api.framework.serializers import StrictInputSerializer
from billing.models import BalanceTransaction, Customer
from billing.services import balance_adjust, customer_create, customer_update
from payments.models import (
    SavedPaymentMethod,
)


class CustomerSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    cc_emails = serializers.ListField(
        child=serializers.CharField(), help_text="Further billing addresses, copied on e-mails."
    )
    address = serializers.CharField()
    tax_id = serializers.CharField(help_text="VAT or tax id.")
    payment_terms_days = serializers.IntegerField(
        allow_null=True, help_text="Days to pay an invoice; null: the entity's terms."
    )
    language = serializers.CharField(
        allow_null=True, help_text="en or de; null: the entity's language."
    )
    reminders_paused = serializers.BooleanField()
    archived = serializers.SerializerMethodField(
        help_text="Archived customers get no new invoices."
    )
    currency = serializers.CharField()
    balance = MoneyField(help_text="Money balance: credit the customer holds (never negative).")
    metadata = MetadataField()
    entity_id = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["language"] = data["language"] or None
        return data

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_archived(self, instance) -> bool:
        return instance.archived_at is not None


class CustomerProfileSerializer(StrictInputSerializer):
    """The profile fields a customer is created or changed with; the service checks them."""

    email = serializers.EmailField(required=False, allow_blank=True)
    cc_emails = serializers.ListField(
        child=serializers.CharField(max_length=254), required=False, max_length=10
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    tax_id = serializers.CharField(required=False, allow_blank=True, max_length=32)
    payment_terms_days = serializers.IntegerField(
        required=False, allow_null=True, help_text="0 to 365; null: the entity's terms."
    )
    language = serializers.ChoiceField(
        choices=["en", "de"], required=False, allow_null=True, allow_blank=True
    )
    reminders_paused = serializers.BooleanField(required=False)
    metadata = MetadataField(required=False)

    def validate_language(self, value):
        return value or ""


class CustomerCreateSerializer(CustomerProfileSerializer):
    name = serializers.CharField(max_length=200)
    currency = CurrencyField(required=False, help_text="Default: the entity's currency.")


class CustomerUpdateSerializer(CustomerProfileSerializer):
    name = serializers.CharField(required=False, max_length=200)
    currency = CurrencyField(
        required=False,
        help_text="Only while the customer has no documents, payments or balance movements.",
    )
    archived = serializers.BooleanField(
        required=False, help_text="true archives the customer, false restores it."
    )


class BalanceTransactionSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_id = serializers.CharField()
    kind = serializers.ChoiceField(choices=BalanceTransaction.Kind.choices)
    amount = MoneyField(help_text="Signed: positive adds credit, negative uses it.")
    currency = serializers.CharField()
    balance_after = MoneyField()
    reason = serializers.CharField()
    invoice_id = serializers.CharField(allow_null=True)
    credit_note_id = serializers.CharField(allow_null=True)
    payment_id = serializers.CharField(allow_null=True)
    refund_id = serializers.CharField(allow_null=True)
    created_at = TimestampField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        for field in ("invoice_id", "credit_note_id", "payment_id", "refund_id"):
            data[field] = data[field] or None
        return data


class BalanceAdjustmentSerializer(StrictInputSerializer):
    amount = MoneyField(help_text="Positive adds credit, negative deducts it.")
    reason = serializers.CharField(max_length=2000)


class SavedPaymentMethodSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_id = serializers.CharField()
    gateway = serializers.CharField()
    brand = serializers.CharField()
    last4 = serializers.CharField()
    exp_month = serializers.IntegerField()
    exp_year = serializers.IntegerField()
    is_default = serializers.BooleanField()
    label = serializers.CharField()
    created_at = TimestampField()


SAVED_PAYMENT_METHOD_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("brand", "brand", "string"),
        Field("last4", "last4", "string"),
        Field("exp_month", "exp_month", "number"),
        Field("exp_year", "exp_year", "number"),
        Field("is_default", "is_default", "boolean"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("brand", "last4", "id"),
    metadata_path=None,
    default_order="-is_default",  # the default card first, then the newest
)


CUSTOMER_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("name", "name", "string"),
        Field("email", "email", "string"),
        Field("currency", "currency", "enum"),
        Field("balance", "balance", "number"),
        Field("archived", "archived", "boolean", orderable=False),
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
    scope_resource = "customers"

    @extend_schema(
        operation_id="list_customers",
        summary="List customers",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(CustomerSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        customers = Customer.objects.filter(entity_id=self.entity.pk).annotate(
            archived=ExpressionWrapper(Q(archived_at__isnull=False), output_field=BooleanField())
        )
        page = list_page(customers, request.query_params, CUSTOMER_LIST_SPEC)
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
        customer = customer_create(
            entity=self.entity, actor=self.actor, **serializer.validated_data
        )
        return Response(CustomerSerializer(customer).data, status=status.HTTP_201_CREATED)


class CustomerDetailView(SettleAPIView):
    scope_resource = "customers"

    @extend_schema(
        operation_id="get_customer",
        summary="Get customer by ID",
        parameters=[ENTITY_HEADER],
        responses={200: CustomerSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(CustomerSerializer(self.find(Customer.objects, pk, "customer")).data)

    @extend_schema(
        operation_id="update_customer",
        summary="Update a customer",
        description="Only the provided fields are updated. `archived: true` archives the "
        "customer (no new invoices), `false` restores it. The currency can change only "
        "while the customer has no documents, payments or balance movements "
        "(409 `currency_locked`).",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=CustomerUpdateSerializer,
        responses={200: CustomerSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def patch(self, request, pk):
        customer = self.find(Customer.objects, pk, "customer")
        serializer = CustomerUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = customer_update(customer=customer, actor=self.actor, **serializer.validated_data)
        return Response(CustomerSerializer(customer).data)


class BalanceTransactionListView(SettleAPIView):
    scope_resource = "balance"

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
    scope_resource = "balance"

    @previewable
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


class SavedPaymentMethodListView(SettleAPIView):
    scope_resource = "customers"

    @extend_schema(
        operation_id="list_customer_payment_methods",
        summary="List a customer's saved cards",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(SavedPaymentMethodSerializer), **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        customer = self.find(Customer.objects, pk, "customer")
        page = list_page(
            SavedPaymentMethod.objects.filter(customer=customer, detached_at__isnull=True),
            request.query_params,
            SAVED_PAYMENT_METHOD_LIST_SPEC,
        )
        return list_response(page, lambda method: SavedPaymentMethodSerializer(method).data)
