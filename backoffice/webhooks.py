"""Webhooks in the back office: each entity's endpoints, their delivery log, and the
actions (add, enable, disable, roll the secret, delete, resend) through the same services
as the API, once per form token.

Needs `webhooks.manage_webhooks` (superusers have it). The signing secret is shown once,
on the page the add or the roll lands on, from the session; it is never rendered again.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from backoffice.flows import OneTimeForm, Outcome, run_once
from backoffice.scoping import ENTITY_FILTER, EntityScopedAdmin, member_entity_ids
from billing.actors import Actor
from billing.models import Entity
from webhooks.event_types import ALL_EVENTS, EVENT_TYPES
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    MAX_GRACE_HOURS,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_roll_secret,
    webhook_endpoint_update,
)

MANAGE_PERMISSION = "webhooks.manage_webhooks"
SECRET_SESSION_KEY = "settle_webhook_secret_once"
LOG_ROWS = 50


class EndpointAddForm(OneTimeForm):
    entity = forms.ModelChoiceField(queryset=Entity.objects.none())
    url = forms.CharField(
        label="URL", max_length=2048, help_text="Public HTTPS URL that receives the events."
    )
    all_events = forms.BooleanField(
        required=False, label="All events", help_text="Also the types added later."
    )
    enabled_events = forms.MultipleChoiceField(
        required=False,
        choices=[(name, name) for name in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        label="Events",
    )
    description = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        entities = Entity.objects.order_by("name")
        if not user.is_superuser:
            entities = entities.filter(pk__in=member_entity_ids(user))
        self.fields["entity"].queryset = entities

    def events(self) -> list[str]:
        if self.cleaned_data.get("all_events"):
            return [ALL_EVENTS]
        return list(self.cleaned_data.get("enabled_events") or [])


class EndpointActionForm(OneTimeForm):
    ACTIONS = [("enable", "Enable"), ("disable", "Disable"), ("roll", "Roll secret")]
    ACTIONS += [("delete", "Delete")]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    grace_period_hours = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_GRACE_HOURS, initial=24
    )


class WebhookEndpointAdmin(EntityScopedAdmin):
    """Endpoints per entity: the list, an add form and a page with the delivery log."""

    list_display = ["url", "entity", "events_shown", "enabled", "notice", "created_at"]
    list_filter = [ENTITY_FILTER, "enabled"]
    search_fields = ["url", "description", "id"]
    actions = None

    def _may(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(MANAGE_PERMISSION)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return False  # changes go through the page's actions, never a model form

    def has_delete_permission(self, request, obj=None):
        return False  # deleting goes through the service (audited), on the page

    @admin.display(description="Events")
    def events_shown(self, endpoint):
        if ALL_EVENTS in endpoint.enabled_events:
            return "All events"
        shown = ", ".join(endpoint.enabled_events[:3])
        more = len(endpoint.enabled_events) - 3
        return f"{shown} (+{more})" if more > 0 else shown

    @admin.display(description="Notice")
    def notice(self, endpoint):
        return endpoint.disabled_reason

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/", view(self.act_view), name="webhooks_endpoint_act"),
            path(
                "<path:object_id>/deliveries/<str:delivery_id>/resend/",
                view(self.resend_view),
                name="webhooks_delivery_resend",
            ),
            *super().get_urls(),
        ]

    def _endpoint(self, request, object_id) -> WebhookEndpoint:
        if not self._may(request):
            raise PermissionDenied
        endpoint = self.get_object(request, unquote(object_id))
        if endpoint is None:
            raise Http404("No such webhook endpoint.")
        return endpoint

    def _page_url(self, endpoint) -> str:
        return reverse("admin:webhooks_webhookendpoint_change", args=[quote(endpoint.pk)])

    def add_view(self, request, form_url="", extra_context=None):
        if not self._may(request):
            raise PermissionDenied
        form = EndpointAddForm(request.POST or None, user=request.user)
        list_url = reverse("admin:webhooks_webhookendpoint_changelist")
        if request.method == "POST" and form.is_valid():

            def action():
                endpoint = webhook_endpoint_create(
                    entity=form.cleaned_data["entity"],
                    url=form.cleaned_data["url"],
                    enabled_events=form.events(),
                    description=form.cleaned_data["description"],
                    actor=Actor.admin(request.user),
                )
                request.session[SECRET_SESSION_KEY] = [endpoint.pk, endpoint.secret]
                return Outcome(self._page_url(endpoint), f"Webhook endpoint {endpoint.url} added.")

            done = run_once(
                request,
                form,
                purpose="webhook_endpoint_add",
                action=action,
                back_url=list_url,
                params={"enabled_events": "enabled_events", "url": "url"},
            )
            if done is not None:
                return done
        context = {
            **self.admin_site.each_context(request),
            "opts": WebhookEndpoint._meta,
            "title": "Add webhook endpoint",
            "form": form,
            "cancel_url": list_url,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(
            request, "admin/settle/webhook_endpoint_add.html", context, status=status
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        endpoint = self._endpoint(request, object_id)
        return self._page(request, endpoint, EndpointActionForm())

    def _page(self, request, endpoint, action_form, status=200):
        secret = None
        shown = request.session.get(SECRET_SESSION_KEY)
        if shown and shown[0] == endpoint.pk:
            secret = shown[1]
            del request.session[SECRET_SESSION_KEY]
        deliveries = (
            WebhookDelivery.objects.filter(endpoint=endpoint)
            .select_related("event")
            .order_by("-created_at")[:LOG_ROWS]
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": WebhookEndpoint._meta,
            "title": f"Webhook endpoint {endpoint.url}",
            "endpoint": endpoint,
            "secret": secret,
            "deliveries": [(row, OneTimeForm()) for row in deliveries],
            "action_form": action_form,
            "token": OneTimeForm,
        }
        return TemplateResponse(
            request, "admin/settle/webhook_endpoint_page.html", context, status=status
        )

    def act_view(self, request, object_id):
        endpoint = self._endpoint(request, object_id)
        if request.method != "POST":
            return redirect(self._page_url(endpoint))
        form = EndpointActionForm(request.POST)
        if form.is_valid():
            actor = Actor.admin(request.user)
            choice = form.cleaned_data["action"]

            def action():
                if choice == "delete":
                    webhook_endpoint_delete(endpoint=endpoint, actor=actor)
                    return Outcome(
                        reverse("admin:webhooks_webhookendpoint_changelist"),
                        f"Webhook endpoint {endpoint.url} deleted.",
                    )
                if choice == "roll":
                    hours = form.cleaned_data["grace_period_hours"] or 0
                    rolled = webhook_endpoint_roll_secret(
                        endpoint=endpoint, actor=actor, grace_period_hours=hours
                    )
                    request.session[SECRET_SESSION_KEY] = [rolled.pk, rolled.secret]
                    return Outcome(
                        self._page_url(endpoint),
                        f"Secret rolled; the old one signs too for {hours} h.",
                    )
                enabled = choice == "enable"
                webhook_endpoint_update(endpoint=endpoint, actor=actor, enabled=enabled)
                return Outcome(
                    self._page_url(endpoint), "Enabled." if enabled else "Disabled: no more sends."
                )

            done = run_once(
                request,
                form,
                purpose=f"webhook_endpoint_{choice}:{endpoint.pk}",
                action=action,
                back_url=self._page_url(endpoint),
            )
            if done is not None:
                return done
        return self._page(request, endpoint, form, status=400)

    def resend_view(self, request, object_id, delivery_id):
        endpoint = self._endpoint(request, object_id)
        delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
        if delivery is None:
            raise Http404("No such delivery.")
        form = OneTimeForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return redirect(self._page_url(endpoint))

        def action():
            webhook_delivery_resend(delivery=delivery, actor=Actor.admin(request.user))
            return Outcome(
                self._page_url(endpoint), f"Delivery of {delivery.event.type} queued again."
            )

        done = run_once(
            request,
            form,
            purpose=f"webhook_resend:{delivery.pk}",
            action=action,
            back_url=self._page_url(endpoint),
        )
        if done is not None:
            return done
        messages.error(request, " ".join(form.non_field_errors()) or "Could not resend.")
        return redirect(self._page_url(endpoint))
