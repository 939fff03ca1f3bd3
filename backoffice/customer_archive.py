"""Archive instead of delete: the customer page's Archive / Restore, the list's actions,
and the list filter that hides archived customers unless asked.

Each calls `customer_archive` or `customer_restore` (audited, idempotent), so a second
click or a replayed POST changes nothing.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.filters import HiddenByDefaultFilter
from billing.actors import Actor
from billing.models import Customer
from billing.services import customer_archive, customer_restore


class ArchivedFilter(HiddenByDefaultFilter):
    """Active customers by default; archived ones, or all, when chosen."""

    title = "status"
    parameter_name = "archived"
    default_label = "Active"

    def lookups(self, request, model_admin):
        return [("yes", "Archived"), ("all", "All")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(archived_at__isnull=True)


@admin.action(permissions=["change"], description="Archive selected customers")
def archive_selected(model_admin, request, queryset):
    _apply(request, queryset.filter(archived_at__isnull=True), customer_archive, "Archived")


@admin.action(permissions=["change"], description="Restore selected customers")
def restore_selected(model_admin, request, queryset):
    _apply(request, queryset.filter(archived_at__isnull=False), customer_restore, "Restored")


def _apply(request, queryset, service, verb: str) -> None:
    actor = Actor.admin(request.user)
    names = [service(customer=customer, actor=actor).name for customer in queryset.order_by("pk")]
    if names:
        messages.success(
            request, f"{verb} {len(names)} customer{'s' * (len(names) > 1)}: {', '.join(names)}."
        )
    else:
        messages.info(request, f"Nothing to do: no selected customer could be {verb.lower()}.")


def archive_toggle_view(model_admin, request, object_id, *, archive: bool):
    """The page's Archive / Restore: GET asks for confirmation, POST does it."""
    customer = model_admin.get_object(request, unquote(object_id))
    if customer is None:
        raise Http404("No such customer.")
    if not model_admin.has_change_permission(request, customer):
        raise PermissionDenied
    page_url = reverse("admin:billing_customer_change", args=[quote(customer.pk)])
    if request.method == "POST":
        service = customer_archive if archive else customer_restore
        service(customer=customer, actor=Actor.admin(request.user))
        if archive:
            messages.success(
                request,
                f"Archived {customer.name}: hidden from the customer list and refused for "
                "new invoices. Its documents stay.",
            )
        else:
            messages.success(request, f"Restored {customer.name}: it can be invoiced again.")
        return HttpResponseRedirect(page_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Customer._meta,
        "title": f"{'Archive' if archive else 'Restore'} {customer.name}",
        "customer": customer,
        "archive": archive,
        "already": (customer.archived_at is not None) == archive,
        "page_url": page_url,
    }
    return TemplateResponse(request, "admin/settle/customer_archive.html", context)
