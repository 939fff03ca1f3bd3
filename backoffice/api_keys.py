"""API keys in the back office: read-only, except that an operator may revoke them.

Revoking keeps the row (with `revoked_at`), so the key's history stays; the key
answers 401 from the next request on. It needs `billing.revoke_api_key`, asks
for confirmation (optionally with a reason) and is audited by `api_key_revoke`.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from backoffice.scoping import EntityScopedAdmin, ReadOnlyAdminMixin
from billing.actors import Actor
from billing.models import ApiKey
from billing.services import api_key_revoke

REVOKE_PERMISSION = "billing.revoke_api_key"
MAX_REASON_LENGTH = 2000


class ApiKeyAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    """Keys are created with `manage.py create_api_key` (the secret is shown once, there)."""

    entity_lookup = "entities"
    change_form_template = "admin/settle/api_key_change_form.html"
    list_display = ["name", "prefix", "id", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("entities", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "id"]
    fields = ["id", "name", "prefix", "entities", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def has_revoke_api_key_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(REVOKE_PERMISSION)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="billing_apikey_revoke",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        key = self.get_object(request, unquote(object_id))
        extra = dict(extra_context or {})
        extra["can_revoke"] = (
            key is not None
            and key.revoked_at is None
            and self.has_revoke_api_key_permission(request)
        )
        return super().change_view(request, object_id, form_url, extra)

    def revoke_view(self, request, object_id):
        """The Revoke button of a key's page: confirm, then revoke that key."""
        key = self.get_object(request, unquote(object_id))
        if key is None:
            raise Http404("No such API key.")
        if not self.has_revoke_api_key_permission(request):
            raise PermissionDenied
        page_url = reverse("admin:billing_apikey_change", args=[quote(key.pk)])
        return self._confirm_and_revoke(request, [key], done_url=page_url, cancel_url=page_url)

    @admin.action(permissions=["revoke_api_key"], description="Revoke selected API keys")
    def revoke_selected(self, request, queryset):
        """The change list's action: confirm, then revoke every selected key."""
        keys = list(queryset.order_by("name", "pk"))
        list_url = reverse("admin:billing_apikey_changelist")
        return self._confirm_and_revoke(
            request, keys, done_url=list_url, cancel_url=list_url, from_action=True
        )

    def _confirm_and_revoke(self, request, keys, *, done_url, cancel_url, from_action=False):
        reason = request.POST.get("reason", "").strip()
        error = ""
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            if len(reason) > MAX_REASON_LENGTH:
                error = f"Keep the reason under {MAX_REASON_LENGTH} characters."
            else:
                actor = Actor.admin(request.user)
                results = [api_key_revoke(key=key, actor=actor, reason=reason) for key in keys]
                revoked = [key for key, newly in results if newly]
                already = [key for key, newly in results if not newly]
                if revoked:
                    names = ", ".join(f"{key.name} ({key.prefix}…)" for key in revoked)
                    messages.success(
                        request,
                        f"Revoked {len(revoked)} API key{'s' if len(revoked) > 1 else ''}: "
                        f"{names}. It answers 401 from now on.",
                    )
                if already:
                    names = ", ".join(f"{key.name} ({key.prefix}…)" for key in already)
                    messages.info(request, f"Already revoked: {names}.")
                return HttpResponseRedirect(done_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": ApiKey._meta,
            "title": "Revoke API key" if len(keys) == 1 else "Revoke API keys",
            "keys": keys,
            "active": [key for key in keys if key.revoked_at is None],
            "reason": reason,
            "error": error,
            "from_action": from_action,
            "cancel_url": cancel_url,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request,
            "admin/settle/api_key_revoke.html",
            context,
            status=400 if error else 200,
        )
