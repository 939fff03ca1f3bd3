"""The port through which the domain reports what happened to its objects (outbound events).

Services call `event_record` inside their own transaction, and `audit_record` passes
every audited action here too, so an event commits or rolls back with the change it
reports. The kernel knows nobody above it: the app that stores events (`webhooks`)
registers itself as the sink in its `AppConfig.ready()`. With no sink, nothing happens.
"""

from collections.abc import Callable

_event_sinks: list[Callable[..., None]] = []
_audit_sinks: list[Callable[..., None]] = []


def event_sink_register(*, on_event: Callable[..., None], on_audit: Callable[..., None]) -> None:
    """Register the store of events: `on_event(entity_id, type, obj)` and
    `on_audit(entity_id, action, obj, before)`, both called inside the caller's transaction."""
    if on_event not in _event_sinks:
        _event_sinks.append(on_event)
    if on_audit not in _audit_sinks:
        _audit_sinks.append(on_audit)


def event_record(*, entity_id: str, type: str, obj) -> None:
    """Report that `obj` changed in a way named `type` (e.g. `invoice.paid`)."""
    for sink in _event_sinks:
        sink(entity_id=entity_id, type=type, obj=obj)


def audit_observed(*, entity_id: str, action: str, obj, before: dict | None = None) -> None:
    """Report an audited action (with the fields it changed, as they were); the sink
    decides which events it means."""
    for sink in _audit_sinks:
        sink(entity_id=entity_id, action=action, obj=obj, before=before)
