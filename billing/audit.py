"""Writing the audit trail. Called by services inside their transaction, never afterwards.

Each audited money action is also logged once its transaction commits, with
ids only: the action, the object, its document, customer, entity and who
acted (a user id or an API key's id). Never the before/after snapshots, the
reason, notes, amounts' descriptions or anything else a person typed.
"""

import logging
from decimal import Decimal

from django.db import transaction

from billing.actors import Actor
from billing.events import audit_observed
from billing.models import AuditEvent

logger = logging.getLogger("settle.money")


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def audit_record(
    *,
    actor: Actor,
    entity_id: str,
    action: str,
    obj,
    invoice_id: str = "",
    customer_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    event = AuditEvent.objects.create(
        entity_id=entity_id,
        action=action,
        source=actor.source,
        actor_user_id=actor.user_id,
        actor_api_key_id=actor.api_key_id,
        actor_label=actor.describe()[:200],
        object_type=type(obj)._meta.model_name,
        object_id=str(obj.pk),
        invoice_id=invoice_id or "",
        customer_id=customer_id or "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason or "",
    )
    audit_observed(entity_id=entity_id, action=action, obj=obj, before=before)
    transaction.on_commit(lambda: _log(event))
    return event


def _log(event: AuditEvent) -> None:
    fields = {
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "invoice_id": event.invoice_id,
        "customer_id": event.customer_id,
        "entity_id": event.entity_id,
        "source": event.source,
        "actor_user_id": event.actor_user_id,
        "actor_api_key_id": event.actor_api_key_id,
    }
    context = " ".join(
        f"{name}={value}"
        for name, value in fields.items()
        if value not in ("", None) and name not in ("action", "object_type", "object_id")
    )
    logger.info("%s %s %s", event.action, event.object_id, context, extra=fields)


def snapshot(obj, fields: list[str]) -> dict:
    return {field: _jsonable(getattr(obj, field)) for field in fields}
