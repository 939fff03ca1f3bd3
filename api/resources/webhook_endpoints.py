"""`/api/v1/webhook-endpoints`: where the entity's events are sent. Create (the signing
secret is answered once), list, read, change, delete, roll the secret; each endpoint's
deliveries and their resend."""

from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.framework.base import ENTITY_HEADER, IDEMPOTENCY_HEADER, SettleAPIView, list_response
from api.framework.docs import ERROR_RESPONSES, LIST_PARAMETERS, list_envelope
from api.framework.fields import TimestampField
from api.framework.idempotency import idempotent
from api.framework.ids import is_possible_id, shown_id
from api.framework.listing import Field, ListSpec, list_page
from api.framework.serializers import StrictInputSerializer
from api.resources.events import require_readable_event_types
from billing.errors import NotFound
from webhooks.event_types import ALL_EVENTS, EVENT_TYPES
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import (
    MAX_GRACE_HOURS,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_roll_secret,
    webhook_endpoint_update,
)

EVENTS_HELP = f'Event types to send ({", ".join(EVENT_TYPES)}), or ["{ALL_EVENTS}"] for all.'


class WebhookEndpointSerializer(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    enabled_events = serializers.ListField(child=serializers.CharField(), help_text=EVENTS_HELP)
    enabled = serializers.BooleanField()
    disabled_reason = serializers.CharField(
        allow_blank=True, help_text="Why Settle disabled it after failing deliveries."
    )
    previous_secret_expires_at = TimestampField(
        allow_null=True, help_text="Until then, the previous secret signs too (after a roll)."
    )
    entity_id = serializers.CharField()
    created_at = TimestampField()
    updated_at = TimestampField()


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        help_text="The signing secret (whsec_…): shown only in this answer. Verify the "
        "Settle-Signature header of each delivery with it."
    )


class WebhookEndpointCreateSerializer(StrictInputSerializer):
    url = serializers.CharField(max_length=2048, help_text="Public HTTPS URL.")
    enabled_events = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=50, help_text=EVENTS_HELP
    )
    description = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default=""
    )


class WebhookEndpointUpdateSerializer(StrictInputSerializer):
    url = serializers.CharField(max_length=2048, required=False)
    enabled_events = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=50, required=False
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    enabled = serializers.BooleanField(required=False)


class WebhookSecretRollSerializer(StrictInputSerializer):
    grace_period_hours = serializers.IntegerField(
        min_value=0,
        max_value=MAX_GRACE_HOURS,
        required=False,
        default=0,
        help_text="How long the old secret keeps signing too (0: stop at once).",
    )


class WebhookDeliverySerializer(serializers.Serializer):
    id = serializers.CharField()
    event_id = serializers.CharField()
    event_type = serializers.CharField(source="event.type")
    endpoint_id = serializers.CharField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempts = serializers.IntegerField()
    next_attempt_at = TimestampField(allow_null=True)
    last_attempt_at = TimestampField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_latency_ms = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    attempts_log = serializers.JSONField(
        help_text="The latest attempts: attempt, at, status_code, latency_ms, error."
    )
    created_at = TimestampField()


ENDPOINT_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("url", "url", "string", orderable=False),
        Field("description", "description", "string", orderable=False),
        Field("enabled", "enabled", "boolean"),
        Field("created_at", "created_at", "datetime"),
        Field("updated_at", "updated_at", "datetime"),
    ),
    search_paths=("url", "description"),
    metadata_path=None,
    default_order="-created_at",
)

DELIVERY_LIST_SPEC = ListSpec(
    fields=(
        Field("id", "id", "id"),
        Field("event_id", "event_id", "id"),
        Field("event_type", "event__type", "string", orderable=False),
        Field("status", "status", "enum", choices=tuple(DeliveryStatus.values)),
        Field("attempts", "attempts", "number"),
        Field("last_status_code", "last_status_code", "number"),
        Field("created_at", "created_at", "datetime"),
        Field("last_attempt_at", "last_attempt_at", "datetime"),
    ),
    search_paths=("event__type", "last_error"),
    metadata_path=None,
    default_order="-created_at",
)


class WebhookEndpointListView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="list_webhook_endpoints",
        summary="List webhook endpoints",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(WebhookEndpointSerializer), **ERROR_RESPONSES},
    )
    def get(self, request):
        queryset = WebhookEndpoint.objects.filter(entity_id=self.entity.pk)
        page = list_page(queryset, request.query_params, ENDPOINT_LIST_SPEC)
        return list_response(page, lambda row: WebhookEndpointSerializer(row).data)

    @extend_schema(
        operation_id="create_webhook_endpoint",
        summary="Create a webhook endpoint",
        description="Events of the enabled types are POSTed to the URL, signed with the "
        "endpoint's secret, which this answer shows once. The URL must be public HTTPS: "
        "private, loopback, link-local and metadata addresses are refused "
        "(webhook_url_forbidden).",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request):
        entity = self.entity  # an entity the key may not use is a 404 before the body is read
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require_readable_event_types(
            request, serializer.validated_data["enabled_events"], param="enabled_events"
        )
        endpoint = webhook_endpoint_create(
            entity=entity, actor=self.actor, **serializer.validated_data
        )
        data = WebhookEndpointWithSecretSerializer(endpoint).data
        return Response(data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(SettleAPIView):
    scope_resource = "webhooks"

    def get_endpoint(self, pk) -> WebhookEndpoint:
        return self.find(WebhookEndpoint.objects, pk, "webhook endpoint")

    @extend_schema(
        operation_id="get_webhook_endpoint",
        summary="Get webhook endpoint by ID",
        parameters=[ENTITY_HEADER],
        responses={200: WebhookEndpointSerializer, **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        return Response(WebhookEndpointSerializer(self.get_endpoint(pk)).data)

    @extend_schema(
        operation_id="update_webhook_endpoint",
        summary="Update a webhook endpoint",
        description="Only the provided fields change. Enabling an endpoint that Settle "
        "disabled clears its disabled_reason.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def patch(self, request, pk):
        endpoint = self.get_endpoint(pk)
        serializer = WebhookEndpointUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if "enabled_events" in serializer.validated_data:
            require_readable_event_types(
                request, serializer.validated_data["enabled_events"], param="enabled_events"
            )
        endpoint = webhook_endpoint_update(
            endpoint=endpoint, actor=self.actor, **serializer.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        operation_id="delete_webhook_endpoint",
        summary="Delete a webhook endpoint",
        description="Its pending deliveries are dropped; events stay listed.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        responses={204: None, **ERROR_RESPONSES},
    )
    @idempotent()
    def delete(self, request, pk):
        webhook_endpoint_delete(endpoint=self.get_endpoint(pk), actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointRollSecretView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="roll_webhook_endpoint_secret",
        summary="Roll a webhook endpoint's signing secret",
        description="Answers the new secret once. For grace_period_hours, deliveries carry "
        "a second v1= signature made with the old secret.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=WebhookSecretRollSerializer,
        responses={200: WebhookEndpointWithSecretSerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request, pk):
        endpoint = self.find(WebhookEndpoint.objects, pk, "webhook endpoint")
        serializer = WebhookSecretRollSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_roll_secret(
            endpoint=endpoint, actor=self.actor, **serializer.validated_data
        )
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookDeliveryListView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="list_webhook_deliveries",
        summary="List a webhook endpoint's deliveries",
        parameters=[ENTITY_HEADER, *LIST_PARAMETERS],
        responses={200: list_envelope(WebhookDeliverySerializer), **ERROR_RESPONSES},
    )
    def get(self, request, pk):
        endpoint = self.find(WebhookEndpoint.objects, pk, "webhook endpoint")
        queryset = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event")
        page = list_page(queryset, request.query_params, DELIVERY_LIST_SPEC)
        return list_response(page, lambda row: WebhookDeliverySerializer(row).data)


class WebhookDeliveryResendView(SettleAPIView):
    scope_resource = "webhooks"

    @extend_schema(
        operation_id="resend_webhook_delivery",
        summary="Send a delivery again",
        description="Queues a new attempt now, whatever became of the earlier ones; "
        "{delivery_id} may also be the event's id.",
        parameters=[ENTITY_HEADER, IDEMPOTENCY_HEADER],
        request=None,
        responses={202: WebhookDeliverySerializer, **ERROR_RESPONSES},
    )
    @idempotent()
    def post(self, request, pk, delivery_id):
        endpoint = self.find(WebhookEndpoint.objects, pk, "webhook endpoint")
        delivery = None
        if is_possible_id(delivery_id):
            delivery = WebhookDelivery.objects.filter(
                Q(pk=delivery_id) | Q(event_id=delivery_id), endpoint=endpoint
            ).first()
        if delivery is None:
            raise NotFound(f"No such delivery: {shown_id(delivery_id)}", param="delivery_id")
        delivery = webhook_delivery_resend(delivery=delivery, actor=self.actor)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
