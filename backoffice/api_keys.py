"""API keys in the back office: create, roll and revoke; never edited in place.

Creating (`billing.add_apikey`) asks for a name, the entities, the scopes (full
access, or none / read / write per resource) and an optional last day; the secret
is shown once, on the page that answers the form, and never again. Rolling
(`billing.roll_api_key`) issues a new secret, shown once, while the old one keeps
working for the grace period chosen. Revoking keeps the row (with `revoked_at`),
so the key's history stays; the key answers 401 from the next request on. It needs
`billing.revoke_api_key` and asks for confirmation (optionally with a reason).
Each is audited by its service (`billing.api_keys`).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from backoffice.api_key_forms import ApiKeyCreateForm, ApiKeyRollForm
from backoffice.scoping import EntityScopedAdmin, ReadOnlyAdminMixin, member_entity_ids
from billing.actors import Actor
from billing.api_key_scopes import describe_scopes
from billing.errors import SettleError
from billing.models import ApiKey, Entity
from billing.services import api_key_create, api_key_revoke, api_key_roll

ADD_PERMISSION = "billing.add_apikey"
ROLL_PERMISSION = "billing.roll_api_key"
REVOKE_PERMISSION = "billing.revoke_api_key"
MAX_REASON_LENGTH = 2000


class ApiKeyAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    """Keys are created here or with `manage.py create_api_key`; the secret is shown once."""

    entity_lookup = "entities"
    change_form_template = "admin/settle/api_key_change_form.html"
    list_display = [
        "name",
        "prefix",
        "access",
        "state",
        "expires_at",
        "last_used_at",
        "created_at",
    ]
    list_filter = [("entities", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["name", "prefix", "id"]
    fields = [
        "id",
        "name",
        "prefix",
        "entities",
        "access",
        "state",
        "expires_at",
        "previous_prefix",
        "previous_expires_at",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["access", "state"]
    actions = ["revoke_selected"]

    @admin.display(description="Scopes")
    def access(self, key: ApiKey) -> str:
        return ", ".join(key.scopes) if key.scopes else "Unrestricted"

    @admin.display(description="State")
    def state(self, key: ApiKey) -> str:
        now = timezone.now()
        if key.revoked_at is not None:
            return "Revoked"
        if key.expires_at is not None and key.expires_at <= now:
            return "Expired"
        if key.previous_expires_at is not None and key.previous_expires_at > now:
            until = timezone.localtime(key.previous_expires_at).strftime("%Y-%m-%d %H:%M")
            return f"Active; old secret {key.previous_prefix}… works until {until}"
        return "Active"

    def has_add_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(ADD_PERMISSION)

    def has_revoke_api_key_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(REVOKE_PERMISSION)

    def has_roll_api_key_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(ROLL_PERMISSION)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="billing_apikey_revoke",
            ),
            path(
                "<path:object_id>/roll/",
                self.admin_site.admin_view(self.roll_view),
                name="billing_apikey_roll",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        key = self.get_object(request, unquote(object_id))
        usable = key is not None and key.revoked_at is None
        extra = dict(extra_context or {})
        extra["can_revoke"] = usable and self.has_revoke_api_key_permission(request)
        extra["can_roll"] = (
            usable
            and (key.expires_at is None or key.expires_at > timezone.now())
            and self.has_roll_api_key_permission(request)
        )
        return super().change_view(request, object_id, form_url, extra)

    def add_view(self, request, form_url="", extra_context=None):
        """Create a key: the form, then a page that shows its secret, this once."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        entities = Entity.objects.order_by("name", "pk")
        if not request.user.is_superuser:
            entities = entities.filter(pk__in=member_entity_ids(request.user))
        entities = list(entities)
        form = ApiKeyCreateForm(
            request.POST if request.method == "POST" else None,
            entities=Entity.objects.filter(pk__in=[entity.pk for entity in entities]),
        )
        if request.method == "POST" and form.is_valid():
            try:
                key, raw = api_key_create(
                    name=form.cleaned_data["name"],
                    entities=list(form.cleaned_data["entities"]),
                    scopes=form.scopes(),
                    expires_at=form.expires_at(),
                    actor=Actor.admin(request.user),
                )
            except SettleError as error:
                form.add_error(None, error.message)
            else:
                return self._secret_page(request, key, raw, "API key created")
        context = {
            **self._context(request, "Add API key"),
            "form": form,
            "cancel_url": reverse("admin:billing_apikey_changelist"),
        }
        return TemplateResponse(
            request,
            "admin/settle/api_key_create.html",
            context,
            status=400 if form.is_bound else 200,
        )

    def roll_view(self, request, object_id):
        """Issue a new secret, shown once; the old one works for the grace chosen."""
        key = self.get_object(request, unquote(object_id))
        if key is None:
            raise Http404("No such API key.")
        if not self.has_roll_api_key_permission(request):
            raise PermissionDenied
        page_url = reverse("admin:billing_apikey_change", args=[quote(key.pk)])
        form = ApiKeyRollForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                key, raw = api_key_roll(
                    key=key, actor=Actor.admin(request.user), grace=form.grace_period()
                )
            except SettleError as error:
                messages.error(request, error.message)
                return HttpResponseRedirect(page_url)
            return self._secret_page(request, key, raw, "API key rolled")
        context = {
            **self._context(request, "Roll API key"),
            "key": key,
            "previous_active": key.previous_expires_at is not None
            and key.previous_expires_at > timezone.now(),
            "form": form,
            "cancel_url": page_url,
        }
        return TemplateResponse(
            request, "admin/settle/api_key_roll.html", context, status=400 if form.is_bound else 200
        )

    def _context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "opts": ApiKey._meta, "title": title}

    def _secret_page(self, request, key: ApiKey, raw: str, title: str):
        """The one page that ever shows a secret: the answer to the POST (never cached, as
        every admin page), not a redirect that could be reloaded."""
        context = {
            **self._context(request, title),
            "key": key,
            "secret": raw,
            "scopes": describe_scopes(key.scopes),
            "page_url": reverse("admin:billing_apikey_change", args=[quote(key.pk)]),
        }
        return TemplateResponse(request, "admin/settle/api_key_secret.html", context)

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
