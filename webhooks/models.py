"""Outbound webhooks: the endpoints an entity subscribes, the events (an outbox written in
the transaction of the change it reports) and one delivery per event and endpoint."""

from django.db import models
from django.utils import timezone

from billing.ids import PublicIdField
from billing.models import Entity


class WebhookEndpoint(models.Model):
    """A URL that receives the entity's events of the subscribed types.

    `secret` is the signing secret (`whsec_…`), kept as given because signing needs it
    (like Stripe's); it is shown once, at creation or roll. During a roll's grace period
    the `previous_secret` signs too, until `previous_secret_expires_at`.
    """

    id = PublicIdField("we")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2048)
    description = models.CharField(max_length=500, blank=True, default="")
    enabled_events = models.JSONField(default=list)  # event types, or ["*"]
    enabled = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Why the worker disabled it (empty when it is enabled or a person disabled it).
    disabled_reason = models.CharField(max_length=500, blank=True, default="")
    # When the current run of failed attempts began; cleared by any success.
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["entity", "enabled"])]
        permissions = [("manage_webhooks", "Can manage webhook endpoints")]

    def __str__(self) -> str:
        return self.url

    def subscribes(self, event_type: str) -> bool:
        return "*" in self.enabled_events or event_type in self.enabled_events


class Event(models.Model):
    """Something that happened, with the API's representation of the object at that moment.

    Written in the same transaction as the change; kept `SETTLE_RETENTION_EVENTS_DAYS`.
    `fanned_out` turns true once the worker has made its deliveries (webhooks.outbox).
    """

    id = PublicIdField("evt")
    # Indexed by (entity, created_at) below: a second index of its own would only slow the
    # insert every money change makes.
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+", db_index=False)
    type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=40, blank=True, default="")
    # Exactly the JSON body every endpoint receives (amounts as exact numbers), as signed.
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    fanned_out = models.BooleanField(db_default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["entity", "created_at"]),
            models.Index(
                fields=["created_at"],
                condition=models.Q(fanned_out=False),
                name="webhook_event_to_fan_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event sent to one endpoint, at least once, retried with backoff.

    `next_attempt_at` is when the worker may (re)try a pending delivery; a claim pushes
    it forward by a lease, so a worker that dies mid-delivery leaves it to a later sweep.
    `attempts_log` keeps each attempt: time, status code, latency, error.
    """

    id = PublicIdField("whd")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")
    attempts_log = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="webhook_delivery_once")
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["endpoint", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}"


class InvoiceOverdueAnnouncement(models.Model):
    """An invoice whose `invoice.overdue` event was written: it is written once."""

    invoice_id = models.CharField(max_length=40, primary_key=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.invoice_id
