"""Per-field query parameters for payment lists (the JSON `query` covers the rest)."""

import django_filters

from payments.models import Payment, PaymentStatus, PaymentType


class PaymentFilter(django_filters.FilterSet):
    invoice_id = django_filters.CharFilter(field_name="invoice_id")
    credit_note_id = django_filters.CharFilter(field_name="credit_note_id")
    advance_invoice_id = django_filters.CharFilter(field_name="advance_invoice_id")
    customer_id = django_filters.CharFilter(field_name="customer_id")
    type = django_filters.MultipleChoiceFilter(choices=PaymentType.choices)
    status = django_filters.MultipleChoiceFilter(choices=PaymentStatus.choices)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields = []
