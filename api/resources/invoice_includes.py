"""`include=Customer,Payments,CreditNotes` on invoices: the related rows embedded in each invoice,
read with a constant number of queries whatever the page size."""

from django.db.models import Prefetch

from api.resources.credit_notes import CreditNoteSerializer
from api.resources.customers import CustomerSerializer
from api.resources.payments import PaymentSerializer
from invoices.models import CreditNoteLine
from payments.models import Payment

INVOICE_INCLUDES = {
    "Customer": "customer",
    "Payments": "payments",
    "CreditNotes": "credit_notes",
}


def invoices_with_includes(queryset, includes: dict[str, str]):
    if "Customer" in includes:
        queryset = queryset.select_related("customer")
    if "Payments" in includes:
        queryset = queryset.prefetch_related(
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(is_deleted=False).order_by("created_at", "id"),
            )
        )
    if "CreditNotes" in includes:
        queryset = queryset.prefetch_related(
            "credit_notes",
            Prefetch(
                "credit_notes__lines", queryset=CreditNoteLine.objects.order_by("position", "id")
            ),
        )
    return queryset


def embed_includes(data: dict, invoice, includes: dict[str, str]) -> dict:
    if "Customer" in includes:
        data["Customer"] = CustomerSerializer(invoice.customer).data
    if "Payments" in includes:
        data["Payments"] = [PaymentSerializer(p).data for p in invoice.payments.all()]
    if "CreditNotes" in includes:
        data["CreditNotes"] = [CreditNoteSerializer(c).data for c in invoice.credit_notes.all()]
    return data
