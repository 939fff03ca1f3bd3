"""Entities (the tenants): their settings page, and who may work in each."""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from backoffice.api_keys import ApiKeyAdmin  # noqa: F401 (registers the admin)
from backoffice.entity_form import EntitySettingsForm
from backoffice.scoping import EntityScopedAdmin
from billing.actors import Actor
from billing.entity_settings import entity_settings_update
from billing.errors import SettleError
from billing.formats import format_iban
from billing.models import Entity, EntityMembership

# Shown only when there is a logo to see or to remove.
WITH_A_LOGO = ("logo_preview", "remove_logo")


class EntityMembershipInline(admin.TabularInline):
    model = EntityMembership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


class EntityAdmin(EntityScopedAdmin):
    """The settings page of an entity, for staff with `billing.change_entity` who belong to
    it; it saves through `entity_settings_update`, which checks and audits every change."""

    entity_lookup = "pk"
    form = EntitySettingsForm
    list_display = ["name", "id", "default_currency", "printed_iban", "created_at"]
    list_filter = ["default_currency"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at", "logo_preview"]
    fieldsets = [
        (None, {"fields": ["id", "name", "default_currency", "language", "created_at"]}),
        ("On documents", {"fields": ["legal_name", "address", "vat_id", "invoice_footer"]}),
        ("Bank details", {"fields": ["iban", "bic"]}),
        ("Logo", {"fields": ["logo_preview", "logo_file", "remove_logo"]}),
        (
            "Collection",
            {
                "fields": [
                    "payment_terms_days",
                    "reminder_days",
                    "sender_email",
                    "require_change_reason",
                ]
            },
        ),
        ("Bank statements", {"fields": ["bank_auto_confirm"]}),
    ]
    inlines = [EntityMembershipInline]

    def get_inlines(self, request, obj):
        # Who works in an entity decides what they see: a superuser's matter.
        return self.inlines if request.user.is_superuser else []

    def get_fieldsets(self, request, obj=None):
        fieldsets = self.fieldsets
        if obj is None or not obj.logo:
            fieldsets = [
                (name, {"fields": [f for f in options["fields"] if f not in WITH_A_LOGO]})
                for name, options in fieldsets
            ]
        return fieldsets

    def has_add_permission(self, request):
        # A new tenant is created by a superuser (or `manage.py create_entity`).
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="IBAN")
    def printed_iban(self, entity: Entity) -> str:
        return format_iban(entity.iban) or "—"

    @admin.display(description="Current logo")
    def logo_preview(self, entity: Entity) -> str:
        if not entity.logo:
            return "—"
        url = reverse("admin:billing_entity_logo", args=[quote(entity.pk)])
        return format_html(
            '<img src="{}" alt="{} logo" class="settle-logo-preview" data-testid="logo-preview">',
            f"{url}?v={len(bytes(entity.logo))}-{entity.logo_content_type}",
            entity.name,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/logo/",
                self.admin_site.admin_view(self.logo_view),
                name="billing_entity_logo",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _private(response: HttpResponse) -> HttpResponse:
        response["Cache-Control"] = "private, no-cache"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def logo_view(self, request, object_id):
        """The stored logo, for the preview: only to staff who may see the entity."""
        return require_GET(self._logo)(request, object_id)

    def _logo(self, request, object_id):
        entity = self.get_object(request, unquote(object_id))
        if entity is None or not entity.logo or not self.has_view_or_change_permission(request):
            raise Http404("No logo.")
        response = HttpResponse(bytes(entity.logo), content_type=entity.logo_content_type)
        response["Content-Disposition"] = "inline"
        return self._private(response)

    def save_model(self, request, obj, form, change):
        """Through `entity_settings_update`, with the fields that changed."""
        if not change:  # a superuser's new tenant: created, then given its settings
            obj.save()
        saved = entity_settings_update(
            entity=obj,
            actor=Actor.admin(request.user),
            changes=form.settings_changes(),
            logo=form.cleaned_data.get("logo_file"),
            remove_logo=form.cleaned_data.get("remove_logo", False),
        )
        for field in Entity._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SettleError as error:
            messages.error(request, f"Nothing was saved: {error.message}")
            return HttpResponseRedirect(request.get_full_path())
