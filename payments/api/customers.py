"""`/api/v1/customers/{id}/payment-methods`: the customer's saved cards."""

from drf_spectacular.utils import extend_schema

from billing.api.base import ENTITY_HEADER, SettleAPIView, list_response
from billing.api.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from billing.api.listing import list_page
from billing.models import Customer
from payments.api.serializers import SavedPaymentMethodSerializer
from payments.api.specs import SAVED_PAYMENT_METHOD_LIST_SPEC
from payments.models import SavedPaymentMethod


class SavedPaymentMethodListView(SettleAPIView):
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
