"""The customer profile: money balance (with Adjust balance) and its ledger, saved cards and
invoices above the form; the form itself saves through the customer services."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.db.models import Sum
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from backoffice.balance import ADJUST_PERMISSION, balance_adjust_view
from backoffice.customer_archive import (
    ArchivedFilter,
    archive_selected,
    archive_toggle_view,
    restore_selected,
)
from backoffice.customer_form import EDITABLE_FIELDS, CustomerForm
from backoffice.customer_statement import customer_statement_view
from backoffice.display import badge, money
from backoffice.labels import STATUS_LABELS
from backoffice.scoping import ENTITY_FILTER, EntityScopedAdmin, member_entity_ids
from billing.actors import Actor
from billing.errors import SettleError
from billing.models import BalanceTransaction, Customer, Entity
from billing.services import customer_create, customer_update
from invoices.models import Invoice, InvoiceStatus
from payments.explain import balance_explanation_tail
from payments.models import SavedPaymentMethod

LEDGER_ROWS = 25
# The explanation shows the newest movements; older ones are brought forward as one sum.
EXPLAINED_ROWS = 200

PROFILE_INVOICES = 50


def invoice_admin_url(invoice: Invoice) -> str:
    name = "advanceinvoice" if invoice.is_advance else "invoice"
    return reverse(f"admin:invoices_{name}_change", args=[quote(invoice.pk)])


class CustomerAdmin(EntityScopedAdmin):
    """The customer profile: panels above the form (`profile_panels`) show the money balance
    with its ledger and Adjust balance, the saved cards and the invoices."""

    change_form_template = "admin/settle/customer_change_form.html"
    form = CustomerForm
    list_display = ["name", "email", "entity", "currency", "money_balance", "user", "created_at"]
    list_filter = [ArchivedFilter, ENTITY_FILTER, "currency"]
    search_fields = ["name", "email", "id"]
    list_select_related = ["entity", "user"]
    raw_id_fields = ["user"]
    actions = [archive_selected, restore_selected]
    # The gateway id is written by Settle alone (`customer_ensure_gateway`): a typed one
    # could name another entity's Stripe customer and route its cards here.
    readonly_fields = [
        "id",
        "money_balance",
        "gateway_customer_id",
        "archived_at",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["entity", "name", "email", "cc_emails", "address", "tax_id"]}),
        (
            "Invoicing",
            {"fields": ["currency", "payment_terms_days", "language", "reminders_paused"]},
        ),
        ("Portal and integrations", {"fields": ["user", "metadata"]}),
        (
            "Record",
            {
                "fields": [
                    "id",
                    "money_balance",
                    "gateway_customer_id",
                    "archived_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # nothing to show yet but the profile
            return self.fieldsets[:3]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        fixed = ["entity"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *fixed]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        entity = obj.entity if obj is not None else self.only_entity(request)

        class HintedForm(form_class):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, **form_kwargs)
                self.entity_hint(entity)
                if obj is None and entity is not None and "entity" in self.fields:
                    self.fields["entity"].initial = entity.pk

        return HintedForm

    def only_entity(self, request) -> Entity | None:
        """The entity a new customer will belong to when the user has just one."""
        entities = Entity.objects.all()
        if not request.user.is_superuser:
            entities = entities.filter(pk__in=member_entity_ids(request.user))
        found = list(entities[:2])
        return found[0] if len(found) == 1 else None

    def save_model(self, request, obj, form, change):
        """The same services as the API: `customer_create`, or `customer_update` with the
        fields that changed."""
        actor = Actor.admin(request.user)
        if change:
            saved = customer_update(customer=obj, actor=actor, **form.changed_profile())
        else:
            profile = {name: form.cleaned_data[name] for name in EDITABLE_FIELDS}
            saved = customer_create(entity=form.cleaned_data["entity"], actor=actor, **profile)
        for field in Customer._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SettleError as error:
            # The form checked the same rules; this is a change made meanwhile (say, a
            # first invoice fixing the currency). Nothing was saved.
            messages.error(request, f"Nothing was saved: {error.message}")
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False  # archived instead: documents keep their customer

    @admin.display(description="money balance", ordering="balance")
    def money_balance(self, customer: Customer) -> str:
        return money(customer.balance, customer.currency)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/adjust-balance/",
                self.admin_site.admin_view(self.adjust_balance_view),
                name="billing_customer_adjust_balance",
            ),
            path(
                "<path:object_id>/archive/",
                self.admin_site.admin_view(self.archive_view),
                name="billing_customer_archive",
            ),
            path(
                "<path:object_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="billing_customer_restore",
            ),
            path(
                "<path:object_id>/statement/",
                self.admin_site.admin_view(self.statement_view),
                name="billing_customer_statement",
            ),
            path(
                "<path:object_id>/statement/csv",
                self.admin_site.admin_view(self.statement_csv_view),
                name="billing_customer_statement_csv",
            ),
            path(
                "<path:object_id>/statement/pdf",
                self.admin_site.admin_view(self.statement_pdf_view),
                name="billing_customer_statement_pdf",
            ),
            *super().get_urls(),
        ]

    def statement_view(self, request, object_id):
        return customer_statement_view(self, request, object_id)

    def statement_csv_view(self, request, object_id):
        return customer_statement_view(self, request, object_id, "csv")

    def statement_pdf_view(self, request, object_id):
        return customer_statement_view(self, request, object_id, "pdf")

    def adjust_balance_view(self, request, object_id):
        return balance_adjust_view(self, request, object_id)

    def archive_view(self, request, object_id):
        return archive_toggle_view(self, request, object_id, archive=True)

    def restore_view(self, request, object_id):
        return archive_toggle_view(self, request, object_id, archive=False)

    def profile_panels(self, request, customer: Customer) -> list[dict]:
        return [
            self.balance_panel(request, customer),
            self.cards_panel(customer),
            self.invoices_panel(customer),
        ]

    def balance_panel(self, request, customer: Customer) -> dict:
        ledger = list(
            BalanceTransaction.objects.filter(customer=customer)
            .select_related("created_by")
            .order_by("-created_at", "-id")[: LEDGER_ROWS + 1]
        )
        return {
            "template": "admin/settle/panels/customer_balance.html",
            "customer": customer,
            "ledger": ledger[:LEDGER_ROWS],
            "ledger_more": len(ledger) > LEDGER_ROWS,
            "can_adjust": request.user.has_perm(ADJUST_PERMISSION),
            "explanation": self.balance_explanation(customer),
        }

    def balance_explanation(self, customer: Customer) -> dict:
        """The ledger behind the money balance, shown in its panel (newest rows)."""
        tail = balance_explanation_tail(customer, EXPLAINED_ROWS)
        return {
            "currency": customer.currency,
            "rows": tail.rows,
            "earlier": tail.earlier,
            "brought_forward": tail.brought_forward,
            "figure": tail.figure,
        }

    def cards_panel(self, customer: Customer) -> dict:
        cards = SavedPaymentMethod.objects.filter(customer=customer).order_by(
            "detached_at", "-is_default", "-created_at"
        )
        return {"template": "admin/settle/panels/customer_cards.html", "cards": list(cards)}

    def invoices_panel(self, customer: Customer) -> dict:
        invoices = Invoice.objects.filter(customer=customer).order_by("-date", "-id")
        outstanding = invoices.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID], total_due__gt=0
        ).aggregate(s=Sum("total_due"))["s"]
        rows = [
            {
                "invoice": invoice,
                "url": invoice_admin_url(invoice),
                "badge": badge(invoice.badge_status, STATUS_LABELS[invoice.badge_status]),
            }
            for invoice in invoices[:PROFILE_INVOICES]
        ]
        return {
            "template": "admin/settle/panels/customer_invoices.html",
            "customer": customer,
            "rows": rows,
            "more": invoices.count() > PROFILE_INVOICES,
            "outstanding": outstanding or 0,
            "list_url": reverse("admin:invoices_invoice_changelist")
            + f"?customer__id__exact={customer.pk}",
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        customer = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        if customer is not None:
            extra["profile_panels"] = self.profile_panels(request, customer)
        return super().change_view(request, object_id, form_url, extra)
