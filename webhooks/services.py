"""Managing webhook endpoints (both doors call these): create, change, delete, roll the
secret, resend a delivery. Each writes its audit row in its transaction."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from billing.actors import Actor
from billing.audit import audit_record
from billing.errors import InvalidState, ValidationError
from billing.models import Entity
from payments.queue import enqueue_with_transaction
from webhooks.addresses import url_check
from webhooks.event_types import ALL_EVENTS, EVENT_TYPES
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.signing import secret_new

MAX_GRACE_HOURS = 7 * 24
MAX_DESCRIPTION = 500
DELIVER_ONE = "webhooks.tasks.deliver_webhook"
ENDPOINT_AUDIT_FIELDS = ("url", "enabled_events", "description", "enabled")


def enabled_events_clean(value) -> list[str]:
    if not isinstance(value, list | tuple) or not value:
        raise ValidationError(
            'Give enabled_events: a list of event types, or ["*"] for all.',
            code="invalid_enabled_events",
            param="enabled_events",
        )
    cleaned = []
    for item in value:
        if item != ALL_EVENTS and item not in EVENT_TYPES:
            raise ValidationError(
                f"Unknown event type: {str(item)[:64]}.",
                code="invalid_enabled_events",
                param="enabled_events",
            )
        if item not in cleaned:
            cleaned.append(item)
    return [ALL_EVENTS] if ALL_EVENTS in cleaned else cleaned


def _description_clean(value) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise ValidationError(
            f"The description is text of at most {MAX_DESCRIPTION} characters.",
            code="invalid_description",
            param="description",
        )
    return value


def _snapshot(endpoint: WebhookEndpoint) -> dict:
    return {field: getattr(endpoint, field) for field in ENDPOINT_AUDIT_FIELDS}


def webhook_endpoint_create(
    *, entity: Entity, url: str, enabled_events, description: str = "", actor: Actor
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (the caller shows it once)."""
    url_check(url)
    endpoint = WebhookEndpoint(
        entity=entity,
        url=url,
        enabled_events=enabled_events_clean(enabled_events),
        description=_description_clean(description),
        secret=secret_new(),
    )
    with transaction.atomic():
        endpoint.save()
        audit_record(
            actor=actor,
            entity_id=entity.pk,
            action="webhook_endpoint.created",
            obj=endpoint,
            after=_snapshot(endpoint),
        )
    return endpoint


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: Actor,
    url: str | None = None,
    enabled_events=None,
    description: str | None = None,
    enabled: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; enabling again clears the reason it was disabled."""
    if url is not None:
        url_check(url)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        before = _snapshot(locked)
        if url is not None:
            locked.url = url
        if enabled_events is not None:
            locked.enabled_events = enabled_events_clean(enabled_events)
        if description is not None:
            locked.description = _description_clean(description)
        if enabled is not None:
            if enabled and not locked.enabled:
                locked.disabled_reason = ""
                locked.failing_since = None
            locked.enabled = bool(enabled)
        locked.save()
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="webhook_endpoint.updated",
            obj=locked,
            before=before,
            after=_snapshot(locked),
        )
    return locked


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: Actor) -> None:
    """Delete an endpoint and its deliveries (the events stay)."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            entity_id=endpoint.entity_id,
            action="webhook_endpoint.deleted",
            obj=endpoint,
            before=_snapshot(endpoint),
        )
        WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()


def webhook_endpoint_roll_secret(
    *, endpoint: WebhookEndpoint, actor: Actor, grace_period_hours=0
) -> WebhookEndpoint:
    """A new signing secret; the old one keeps signing for `grace_period_hours` (0–168)."""
    if (
        isinstance(grace_period_hours, bool)
        or not isinstance(grace_period_hours, int)
        or not 0 <= grace_period_hours <= MAX_GRACE_HOURS
    ):
        raise ValidationError(
            f"grace_period_hours is a whole number from 0 to {MAX_GRACE_HOURS}.",
            code="invalid_grace_period",
            param="grace_period_hours",
        )
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if grace_period_hours:
            locked.previous_secret = locked.secret
            locked.previous_secret_expires_at = timezone.now() + timedelta(hours=grace_period_hours)
        else:
            locked.previous_secret = ""
            locked.previous_secret_expires_at = None
        locked.secret = secret_new()
        locked.save()
        audit_record(
            actor=actor,
            entity_id=locked.entity_id,
            action="webhook_endpoint.secret_rolled",
            obj=locked,
            after={"grace_period_hours": grace_period_hours},
        )
    return locked


def webhook_delivery_resend(*, delivery: WebhookDelivery, actor: Actor) -> WebhookDelivery:
    """Send a delivery again now (whatever became of it), as a new attempt."""
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .get(pk=delivery.pk)
        )
        if not locked.endpoint.enabled:
            raise InvalidState(
                "The endpoint is disabled: enable it to resend.",
                code="webhook_endpoint_disabled",
            )
        locked.status = DeliveryStatus.PENDING
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "next_attempt_at", "updated_at"])
        audit_record(
            actor=actor,
            entity_id=locked.endpoint.entity_id,
            action="webhook_delivery.resent",
            obj=locked,
        )
        enqueue_with_transaction(DELIVER_ONE, locked.pk)
    return locked
