"""How an object appears in an event's `data.object`: the API's own representation.

The serializers live in the API door, above the domain; the door registers one renderer
per model from its `AppConfig.ready()` and the outbox calls them (inversion of control).
"""

from collections.abc import Callable

_renderers: dict[type, Callable[[object], dict]] = {}


def renderer_register(model: type, render: Callable[[object], dict]) -> None:
    _renderers[model] = render


def object_render(obj) -> dict:
    """`obj` as the API shows it; a bare id and type for a model nobody registered."""
    for model in type(obj).__mro__:
        render = _renderers.get(model)
        if render is not None:
            return dict(render(obj))
    return {"id": str(obj.pk), "object": type(obj)._meta.model_name}
