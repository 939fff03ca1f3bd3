"""Writing the audit trail. Called by services inside their transaction, never afterwards."""

from decimal import Decimal

from billing.actors import Actor
from billing.models import AuditEvent


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
    return AuditEvent.objects.create(
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


def snapshot(obj, fields: list[str]) -> dict:
    return {field: _jsonable(getattr(obj, field)) for field in fields}
