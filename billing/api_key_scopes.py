"""What a restricted API key may do: scopes `<resource>:<read|write>`.

A key's `scopes` lists what it may do; an empty list means unrestricted (every key
made before scopes existed, and any key made without them). `write` implies `read`
on the same resource. Every API view names the resource it belongs to; a GET or
HEAD needs `read`, any other method `write` (see `api.framework.scopes`).
"""

from billing.errors import ValidationError

# The resources a scope can name, in the order forms and documents list them.
RESOURCES = (
    "payments",
    "refunds",
    "invoices",
    "credit_notes",
    "customers",
    "balance",
    "bank_statements",
    "reports",
    "webhooks",
)
READ = "read"
WRITE = "write"
ACTIONS = (READ, WRITE)
ALL_SCOPES = tuple(f"{resource}:{action}" for resource in RESOURCES for action in ACTIONS)


def scope_name(resource: str, action: str) -> str:
    return f"{resource}:{action}"


def parse_scopes(raw) -> list[str]:
    """A clean, sorted list of scopes from a list or a comma-separated text.

    Unknown scopes are refused (naming them and the known ones), never dropped: a
    typo must not widen nor narrow a key silently. `x:read` beside `x:write` is
    redundant and dropped, since write implies read.
    """
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    wanted = {str(item).strip().lower() for item in items if str(item).strip()}
    unknown = sorted(wanted - set(ALL_SCOPES))
    if unknown:
        raise ValidationError(
            f"Unknown scope{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
            f"A scope is <resource>:read or <resource>:write, with resource one of "
            f"{', '.join(RESOURCES)}.",
            code="invalid_scope",
            param="scopes",
        )
    kept = {
        scope
        for scope in wanted
        if not (scope.endswith(":" + READ) and scope_name(scope.split(":")[0], WRITE) in wanted)
    }
    return [scope for scope in ALL_SCOPES if scope in kept]


def scopes_allow(scopes: list[str] | None, resource: str, action: str) -> bool:
    """Whether a key with `scopes` may `action` on `resource` (no scopes: unrestricted)."""
    if not scopes:
        return True
    if scope_name(resource, WRITE) in scopes:
        return True
    return action == READ and scope_name(resource, READ) in scopes


def scope_levels(scopes: list[str] | None) -> dict[str, str]:
    """{resource: "read" | "write"} for the resources the scopes name: for forms and lists."""
    levels: dict[str, str] = {}
    for scope in scopes or []:
        resource, _, action = scope.partition(":")
        if levels.get(resource) != WRITE:
            levels[resource] = action
    return levels


def describe_scopes(scopes: list[str] | None) -> str:
    return ", ".join(scopes) if scopes else "unrestricted"
