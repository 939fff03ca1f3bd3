"""`/api/v1/customers/{id}/payment-methods`: the customer's saved cards."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from billing.api.base import ENTITY_HEADER, SettleAPIView
from billing.api.docs import ERROR_RESPONSES, list_envelope
from billing.models import Customer
from payments.api.serializers import SavedPaymentMethodSerializer
from payments.models import SavedPaymentMethod


class SavedPaymentMethodListView(SettleAPIView):
    @extend_schema(
        operation_id="list_customer_payment_methods",
        summary="List a customer's saved cards",
        parameters=[ENTITY_HEADER],
        responses={200: list_envelope(SavedPaymentMethodSerializer), **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        customer = self.find(Customer.objects, pk, "customer")
        methods = SavedPaymentMethod.objects.filter(customer=customer, detached_at__isnull=True)
        data = SavedPaymentMethodSerializer(methods, many=True).data
        return Response(
            {
                "data": data,
                "pagination": {
                    "total": len(data),
                    "next_cursor": None,
                    "prev_cursor": None,
                    "has_more": False,
                },
            }
        )
