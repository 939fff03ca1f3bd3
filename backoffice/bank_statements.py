"""Banking → Bank statements: the imported statements, each opening on its review page,
the review queue across statements, and the import page.

Statements are records of files: nothing is added, changed or deleted here but through
the services (import; confirm, ignore, undo a line). Whoever may record payments works
here; an entity's statements are seen only by its members.
"""

from functools import partial, update_wrapper

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path

from backoffice.bank_import import statement_import_view
from backoffice.bank_line_actions import LINE_VIEWS
from backoffice.bank_review import FORMAT_NAMES, RECORD_PERMISSION, account_label, review_page
from backoffice.display import short_date
from backoffice.scoping import ENTITY_FILTER, EntityScopedAdmin, ReadOnlyAdminMixin
from banking.selectors import statements_with_counts


class FormatFilter(admin.SimpleListFilter):
    """The formats Settle reads, by their names."""

    title = "format"
    parameter_name = "format__exact"

    def lookups(self, request, model_admin):
        return list(FORMAT_NAMES.items())

    def queryset(self, request, queryset):
        return queryset.filter(format=self.value()) if self.value() else queryset


class BankStatementAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    change_list_template = "admin/settle/bank_statement_change_list.html"
    list_display = [
        "imported",
        "account",
        "file",
        "file_format",
        "period",
        "matched",
        "suggested",
        "unmatched",
        "ignored",
    ]
    list_display_links = ["imported", "file"]
    list_filter = [FormatFilter, ENTITY_FILTER]
    search_fields = ["filename", "statement_ref", "bank_account__name", "bank_account__iban"]
    list_per_page = 50

    def get_queryset(self, request):
        return statements_with_counts(super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(RECORD_PERMISSION) or super().has_view_permission(request, obj)

    def has_module_permission(self, request):
        return self.has_view_permission(request) or super().has_module_permission(request)

    @admin.display(description="Imported", ordering="created_at")
    def imported(self, statement) -> str:
        return short_date(statement.created_at.date())

    @admin.display(description="Account", ordering="bank_account__name")
    def account(self, statement) -> str:
        return account_label(statement.bank_account)

    @admin.display(description="File", ordering="filename")
    def file(self, statement) -> str:
        return statement.filename or statement.statement_ref or statement.pk

    @admin.display(description="Format", ordering="format")
    def file_format(self, statement) -> str:
        return FORMAT_NAMES.get(statement.format, statement.format)

    @admin.display(description="Period", ordering="first_date")
    def period(self, statement) -> str:
        if not statement.first_date:
            return "—"
        if statement.first_date == statement.last_date:
            return short_date(statement.first_date)
        return f"{short_date(statement.first_date)} – {short_date(statement.last_date)}"

    @admin.display(description="Matched", ordering="n_matched")
    def matched(self, statement) -> int:
        return statement.n_matched

    @admin.display(description="Suggested", ordering="n_suggested")
    def suggested(self, statement) -> int:
        return statement.n_suggested

    @admin.display(description="Unmatched", ordering="n_unmatched")
    def unmatched(self, statement) -> int:
        return statement.n_unmatched

    @admin.display(description="Ignored", ordering="n_ignored")
    def ignored(self, statement) -> int:
        return statement.n_ignored

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(
            request, {"title": "Bank statements", **(extra_context or {})}
        )

    def get_urls(self):
        def bound(view):
            return self.admin_site.admin_view(update_wrapper(partial(view, self), view))

        lines = [
            path(
                f"lines/<str:line_id>/{name}/",
                bound(view),
                name=f"banking_bankstatement_line_{name}",
            )
            for name, view in LINE_VIEWS
        ]
        return [
            path("import/", bound(statement_import_view), name="banking_bankstatement_import"),
            path("queue/", bound(queue_view), name="banking_bankstatement_queue"),
            *lines,
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A statement opens on its review page."""
        statement = self.get_object(request, unquote(object_id))
        if statement is None:
            raise Http404("No such bank statement.")
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        return review_page(self, request, statement=statement)


def queue_view(model_admin, request):
    """Every line of the user's entities still waiting for a person."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    return review_page(model_admin, request, statement=None)
