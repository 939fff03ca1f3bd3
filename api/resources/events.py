"""`/api/v1/events`: what happened, as the webhooks carried it (kept 30 days). Read-only:
events are written by the services, in the transaction of the change they report."""

import django_filters
import simplejson
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView, list_response
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.filtering import apply_filterset
from api.framework.listing import Field, ListSpec, list_page
from api.framework.scopes import require_read_scopes
from billing.api_key_scopes import READ, scopes_allow
from webhooks.event_types import ALL_EVENTS, EVENT_TYPES, event_resource
from webhooks.models import Event


def readable_event_types(request) -> list[str]:
    """The event types whose objects the request's key may read (all for a key without
    scopes)."""
    scopes = getattr(request.auth, "scopes", None)
    return [name for name in EVENT_TYPES if scopes_allow(scopes, event_resource(name), READ)]


def require_readable_event_types(request, event_types, *, param: str) -> None:
    """403 `insufficient_scope` when a key would subscribe to (or read) events whose
    objects it may not read: an endpoint receives each object whole."""
    wanted = EVENT_TYPES if ALL_EVENTS in event_types else event_types
    require_read_scopes(
        request,
        [event_resource(name) for name in wanted if name in EVENT_TYPES],  # others: a 400
        needed_for="for events about those objects: a restricted key subscribes to and "
        "reads only the events whose objects it may read",
        param=param,
    )


class EventDataSerializer(serializers.Serializer):
    object = serializers.JSONField(help_text="The object as the API showed it then.")
    previous_attributes = serializers.JSONField(
        required=False,
        help_text="On *.updated events: the fields the change altered, as they were.",
    )


class EventSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="evt_…: receivers deduplicate deliveries by it.")
    type = serializers.ChoiceField(choices=[(name, name) for name in EVENT_TYPES])
    created_at = serializers.CharField()
    entity_id = serializers.CharField()
    data = EventDataSerializer()


def event_data(event: Event) -> dict:
    """The event exactly as delivered (amounts stay exact numbers)."""
    return simplejson.loads(event.body, use_decimal=True)


EVENT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("type", "type", "enum", choices=EVENT_TYPES),
        Field("object_id", "object_id", "id"),
        Field("created_at", "created_at", "datetime"),
    ),
    search_paths=("type", "object_id"),
    metadata_path=None,
    default_order="-created_at",
)


class EventFilter(django_filters.FilterSet):
    """The plain filters a Stripe integrator reaches for first (`?type=invoice.paid`)."""

    type = django_filters.MultipleChoiceFilter(choices=[(name, name) for name in EVENT_TYPES])
    object_id = django_filters.CharFilter(field_name="object_id")

    class Meta:
        model = Event
        fields = []


FILTER_PARAMETERS = [
    OpenApiParameter("type", str, description="Only these types (repeat for several)."),
    OpenApiParameter("object_id", str, description="Only events about this object."),
]


class EventListView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="list_events",
        summary="List events",
        description="The entity's events of the last 30 days, newest first; `type` and "
        "`object_id` filter, and `query` reaches type, object_id, created_at. A restricted "
        "key sees the events whose objects it may read (payment.* needs payments:read, "
        "invoice.* and advance_invoice.* invoices:read, and so on).",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS, *FILTER_PARAMETERS],
        responses={200: list_envelope(EventSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        readable = Event.objects.filter(
            entity_id=self.entity.pk, type__in=readable_event_types(request)
        )
        queryset = apply_filterset(EventFilter, readable, request.query_params)
        page = list_page(queryset, request.query_params, EVENT_LIST_SPEC)
        return list_response(page, event_data)


class EventDetailView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="get_event",
        summary="Get event by ID",
        parameters=[ENTITY_HEADER],
        responses={200: EventSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        event = self.find(Event.objects, pk, "event")
        require_readable_event_types(request, [event.type], param="id")
        return Response(event_data(event))
