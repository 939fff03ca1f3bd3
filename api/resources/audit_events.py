"""`/api/v1/audit-events`: the entity's audit trail, read-only (list with the list language,
retrieve). Events are written by the services, never through the API."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, SettleAPIView, list_response
from api.framework.csv_export import PERIOD_PARAMETERS, parse_period
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import TimestampField
from api.framework.filtering import apply_filterset
from api.framework.ids import shown_id
from api.framework.listing import Field, ListSpec, list_page
from billing.csv_export import in_period
from billing.errors import NotFound
from billing.exports import actor_id, actor_kind
from billing.models import AuditEvent

MAX_EVENT_ID_DIGITS = 18  # a bigint


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = TimestampField()
    action = serializers.CharField(help_text="e.g. payment.recorded, refund.created.")
    source = serializers.ChoiceField(choices=AuditEvent.Source.choices)
    actor_kind = serializers.SerializerMethodField(help_text="user, api_key or system.")
    actor_id = serializers.SerializerMethodField(help_text="The user's or the API key's id.")
    actor_name = serializers.CharField(source="actor_label", help_text="As recorded then.")
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    invoice_id = serializers.CharField(allow_blank=True)
    customer_id = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    entity_id = serializers.CharField()

    def get_actor_kind(self, event) -> str:
        return actor_kind(event)

    def get_actor_id(self, event) -> str:
        return actor_id(event)


AUDIT_EVENT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "number"),
        Field("created_at", "created_at", "datetime"),
        Field("action", "action", "string"),
        Field("source", "source", "enum", choices=tuple(AuditEvent.Source.values)),
        Field("object_type", "object_type", "string"),
        Field("object_id", "object_id", "string", orderable=False),
        Field("invoice_id", "invoice_id", "string", orderable=False),
        Field("customer_id", "customer_id", "string", orderable=False),
        Field("actor_name", "actor_label", "string", orderable=False),
        Field("reason", "reason", "string", orderable=False),
    ),
    search_paths=("action", "object_id", "actor_label", "reason"),
    metadata_path=None,
    default_order="-created_at",
)


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action")
    source = django_filters.MultipleChoiceFilter(choices=AuditEvent.Source.choices)
    object_type = django_filters.CharFilter(field_name="object_type")
    object_id = django_filters.CharFilter(field_name="object_id")
    invoice_id = django_filters.CharFilter(field_name="invoice_id")
    customer_id = django_filters.CharFilter(field_name="customer_id")
    actor_kind = django_filters.ChoiceFilter(
        choices=[("user", "user"), ("api_key", "api_key"), ("system", "system")],
        method="filter_actor_kind",
    )
    actor_id = django_filters.CharFilter(max_length=40, method="filter_actor_id")

    class Meta:
        model = AuditEvent
        fields = []

    def filter_actor_kind(self, queryset, name, value):
        if value == "user":
            return queryset.filter(actor_user__isnull=False)
        if value == "api_key":
            return queryset.filter(actor_user__isnull=True).exclude(actor_api_key_id="")
        return queryset.filter(actor_user__isnull=True, actor_api_key_id="")

    def filter_actor_id(self, queryset, name, value):
        condition = Q(actor_api_key_id=value)
        if value.isdigit() and len(value) <= MAX_EVENT_ID_DIGITS:
            condition |= Q(actor_user_id=int(value))
        return queryset.filter(condition)


AUDIT_EVENT_FILTER_PARAMETERS = [
    OpenApiParameter(name, str, description=text)
    for name, text in (
        ("action", "Only this action (e.g. refund.created)."),
        ("source", "Only these sources: admin, api, portal, webhook, task, system (repeatable)."),
        ("object_type", "Only events about this kind of object (payment, refund, invoice…)."),
        ("object_id", "Only events about this object."),
        ("invoice_id", "Only events about this invoice or its payments."),
        ("customer_id", "Only events about this customer."),
        ("actor_kind", "user, api_key or system."),
        ("actor_id", "Only what this user (id) or API key (key_…) did."),
    )
]


def audit_events_of(entity_id: str):
    return AuditEvent.objects.filter(entity_id=entity_id)


class AuditEventListView(SettleAPIView):
    @extend_schema(
        operation_id="list_audit_events",
        summary="List the audit trail",
        description="Who did what to money, from where, newest first; `from`/`to` bound the "
        "day of the event.",
        parameters=[
            ENTITY_HEADER,
            *LIST_PARAMETERS,
            *PERIOD_PARAMETERS,
            *AUDIT_EVENT_FILTER_PARAMETERS,
        ],
        responses={200: list_envelope(AuditEventSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        start, end = parse_period(request.query_params)
        queryset = apply_filterset(
            AuditEventFilter, audit_events_of(self.entity.pk), request.query_params
        )
        queryset = in_period(queryset, "created_at", start, end)
        page = list_page(queryset, request.query_params, AUDIT_EVENT_LIST_SPEC)
        return list_response(page, lambda event: AuditEventSerializer(event).data)


class AuditEventDetailView(SettleAPIView):
    @extend_schema(
        operation_id="get_audit_event",
        summary="Get audit event by ID",
        parameters=[ENTITY_HEADER],
        responses={200: AuditEventSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        pk = str(pk)
        event = None
        if pk.isascii() and pk.isdigit() and len(pk) <= MAX_EVENT_ID_DIGITS:
            event = audit_events_of(self.entity.pk).filter(pk=int(pk)).first()
        if event is None:
            raise NotFound(f"No such audit event: {shown_id(pk)}", param="id")
        return Response(AuditEventSerializer(event).data)
