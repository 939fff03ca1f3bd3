"""The customer profile's sections that live above billing: saved cards and invoices."""

from django.contrib.admin.utils import quote
from django.db.models import Sum
from django.urls import reverse

from billing.admin import CustomerAdmin
from billing.admin_display import badge
from billing.models import Customer
from invoices.admin import STATUS_LABELS
from invoices.models import Invoice, InvoiceStatus
from payments.models import SavedPaymentMethod

PROFILE_INVOICES = 50


def invoice_admin_url(invoice: Invoice) -> str:
    name = "advanceinvoice" if invoice.is_advance else "invoice"
    return reverse(f"admin:invoices_{name}_change", args=[quote(invoice.pk)])


class CustomerProfileAdmin(CustomerAdmin):
    def profile_panels(self, request, customer: Customer) -> list[dict]:
        panels = super().profile_panels(request, customer)
        cards = SavedPaymentMethod.objects.filter(customer=customer).order_by(
            "detached_at", "-is_default", "-created_at"
        )
        invoices = Invoice.objects.filter(customer=customer).order_by("-date", "-id")
        outstanding = invoices.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], total_due__gt=0
        ).aggregate(s=Sum("total_due"))["s"]
        rows = [
            {
                "invoice": invoice,
                "url": invoice_admin_url(invoice),
                "badge": badge(invoice.display_status, STATUS_LABELS[invoice.display_status]),
            }
            for invoice in invoices[:PROFILE_INVOICES]
        ]
        return [
            *panels,
            {"template": "admin/settle/panels/customer_cards.html", "cards": list(cards)},
            {
                "template": "admin/settle/panels/customer_invoices.html",
                "customer": customer,
                "rows": rows,
                "more": invoices.count() > PROFILE_INVOICES,
                "outstanding": outstanding or 0,
                "list_url": reverse("admin:invoices_invoice_changelist")
                + f"?customer__id__exact={customer.pk}",
            },
        ]
