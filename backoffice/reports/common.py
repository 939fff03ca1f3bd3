"""What the report pages share: the admin's frame, the permission each needs, and the entity
chosen among the user's own (all entities for a superuser)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from backoffice.scoping import member_entity_ids
from billing.models import Entity

# A view permission the reports need: aging reads invoices, collections read payments.
AGED_RECEIVABLES_PERMISSION = "invoices.view_invoice"
COLLECTIONS_PERMISSION = "payments.view_payment"


def user_entities(user):
    """The entities `user` may report on, by name."""
    entities = Entity.objects.order_by("name", "id")
    return entities if user.is_superuser else entities.filter(pk__in=member_entity_ids(user))


def require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


class ReportForm(forms.Form):
    """The entity field every report has; a form sent by GET, so a page is a link."""

    entity = forms.ModelChoiceField(queryset=Entity.objects.none(), empty_label=None)

    def __init__(self, data, *, user, **kwargs):
        entities = user_entities(user)
        super().__init__(data, **kwargs)
        self.fields["entity"].queryset = entities
        self.fields["entity"].initial = entities.first()
        self.show_entity = entities.count() > 1


def bound_with_defaults(form_class, request, defaults: dict):
    """The form bound to the query string, the defaults filling what it leaves out: a page
    opened from the menu shows a report at once."""
    data = {**defaults, **{key: value for key, value in request.GET.items() if value}}
    form = form_class(data, user=request.user)
    if "entity" not in data and form.fields["entity"].initial is not None:
        data["entity"] = form.fields["entity"].initial.pk
        form = form_class(data, user=request.user)
    return form


def report_page(request, template: str, title: str, context: dict) -> TemplateResponse:
    """A report inside the admin's frame (header, breadcrumbs, side navigation)."""
    return TemplateResponse(
        request,
        template,
        {**admin.site.each_context(request), "title": title, **context},
    )
