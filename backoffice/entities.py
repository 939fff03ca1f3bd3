"""Entities (the tenants) and who may work in each."""

from django.contrib import admin

from backoffice.api_keys import ApiKeyAdmin  # noqa: F401 (registers the admin)
from backoffice.scoping import (
    EntityScopedAdmin,
)
from billing.models import (
    EntityMembership,
)


class EntityMembershipInline(admin.TabularInline):
    model = EntityMembership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


class EntityAdmin(EntityScopedAdmin):
    entity_lookup = "pk"
    list_display = ["name", "id", "default_currency", "created_at"]
    list_filter = ["default_currency"]
    search_fields = ["name", "id"]
    readonly_fields = ["id", "created_at"]
    fields = ["id", "name", "default_currency", "created_at"]
    inlines = [EntityMembershipInline]

    def has_add_permission(self, request):
        # A new tenant is created by a superuser (or `manage.py create_entity`).
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False
