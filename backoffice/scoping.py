"""What every admin page of Settle shares: tenant scoping and the read-only rules for money.

Staff users see only the rows of the entities they belong to (`EntityMembership`);
superusers see everything. Money never changes through a change form: it moves
only through the services, so money fields are read-only and ledgers cannot be
edited at all.
"""

from django.contrib import admin
from django.db.models import DecimalField, QuerySet

from billing.models import Entity, EntityMembership


class EntityFilter(admin.SimpleListFilter):
    """Filter by entity, offering the entities the user belongs to (all, for a superuser).

    They are read from the entity table: asking the listed table for its distinct
    entities would scan every row of it (a million payments) on each page.
    """

    title = "entity"
    parameter_name = "entity__id__exact"

    def lookups(self, request, model_admin):
        entities = Entity.objects.order_by("name")
        if not request.user.is_superuser:
            entities = entities.filter(pk__in=member_entity_ids(request.user))
        return [(entity.pk, entity.name) for entity in entities]

    def queryset(self, request, queryset):
        return queryset.filter(entity_id=self.value()) if self.value() else queryset


ENTITY_FILTER = EntityFilter


def member_entity_ids(user) -> QuerySet:
    """The ids of the entities `user` belongs to, as a subquery."""
    return EntityMembership.objects.filter(user_id=user.pk).values("entity_id")


def scope_to_member_entities(queryset: QuerySet, user, entity_lookup: str) -> QuerySet:
    """Keep the rows whose `entity_lookup` (a path to an Entity) is one of the user's."""
    if user.is_superuser:
        return queryset
    condition = {f"{entity_lookup}__in": member_entity_ids(user)}
    options = queryset.model._meta
    name = entity_lookup.split("__")[0]
    first = options.pk if name == "pk" else options.get_field(name)
    if first.many_to_many or first.one_to_many:
        # Filter through a subquery so that a row reached twice is listed once.
        ids = queryset.model._base_manager.filter(**condition).values("pk")
        return queryset.filter(pk__in=ids)
    return queryset.filter(**condition)


class EntityScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose lists, pages and choices stop at the user's entities.

    `entity_lookup` is the path from the model to its Entity ("pk" for Entity
    itself). Money fields (every DecimalField) are always read-only.
    """

    entity_lookup = "entity"

    def get_queryset(self, request):
        return scope_to_member_entities(
            super().get_queryset(request), request.user, self.entity_lookup
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if not request.user.is_superuser:
            if related is Entity:
                kwargs["queryset"] = Entity.objects.filter(pk__in=member_entity_ids(request.user))
            elif any(field.name == "entity" for field in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(
                    entity__in=member_entity_ids(request.user)
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        money = [field.name for field in self.model._meta.fields if isinstance(field, DecimalField)]
        return list(dict.fromkeys([*super().get_readonly_fields(request, obj), *money]))


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted from the admin (ledgers, the audit trail)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A table of child rows shown on the parent's page, without forms."""

    extra = 0
    can_delete = False
    show_change_link = False
