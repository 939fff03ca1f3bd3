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
from webhooks.event_types import EVENT_TYPES
from webhooks.models import Event


class EventDataSerializer(serializers.Serializer):
    object = serializers.JSONField(help_text="The object as the API showed it then.")


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
        "`object_id` filter, and `query` reaches type, object_id, created_at.",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS, *FILTER_PARAMETERS],
        responses={200: list_envelope(EventSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        queryset = apply_filterset(
            EventFilter, Event.objects.filter(entity_id=self.entity.pk), request.query_params
        )
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
        return Response(event_data(self.find(Event.objects, pk, "event")))
