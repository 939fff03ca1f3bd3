"""The base of every API view: key auth, the entity, throttling, lists, includes, 404s."""

from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.framework.auth import ApiKeyAuthentication, request_actor, request_entity
from api.framework.ids import is_possible_id, shown_id
from api.framework.schema import ScopedAutoSchema
from api.framework.scopes import HasRequiredScope, check_scope_resource, require_read_scopes
from api.framework.throttling import ApiKeyRateThrottle
from billing.errors import NotFound, ValidationError

ENTITY_HEADER = OpenApiParameter(
    "x-entity-id",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Entity on which the request is made. Defaults to the first created entity "
    "the API key may use.",
)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Makes a retry safe: the same key with the same body replays the first "
    "response (kept 24 h); with another body it is a 400; while the first request "
    "runs, a 409.",
)


class SettleAPIView(APIView):
    """Every API view. Each one sets `scope_resource` (see `api.framework.scopes`)."""

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsAuthenticated, HasRequiredScope]
    throttle_classes = [ApiKeyRateThrottle]
    # The resource of restricted keys' scopes this view belongs to: "payments", "invoices"…
    scope_resource: str | None = None
    schema = ScopedAutoSchema()

    @classmethod
    def as_view(cls, **initkwargs):
        """A view that forgets its resource cannot be routed: the URLconf fails to load."""
        check_scope_resource(cls)
        return super().as_view(**initkwargs)

    @property
    def entity(self):
        return request_entity(self.request)

    @property
    def actor(self):
        return request_actor(self.request)

    def find(self, queryset, pk, what: str):
        """The entity's object with that id, or a 404 (also for another entity's objects)."""
        pk = str(pk)
        row = (
            queryset.filter(entity_id=self.entity.pk, pk=pk).first() if is_possible_id(pk) else None
        )
        if row is None:
            raise NotFound(f"No such {what}: {shown_id(pk)}", param="id")
        return row


# The resource whose read scope a restricted key needs to include each related object.
INCLUDE_RESOURCES = {
    "Invoice": "invoices",
    "AdvanceInvoice": "invoices",
    "CreditNote": "credit_notes",
    "Customer": "customers",
    "Payments": "payments",
    "CreditNotes": "credit_notes",
}


def parse_includes(request, allowed: dict[str, str]) -> dict[str, str]:
    """`include=Invoice,CreditNote` -> {name: relation}; unknown names are a 400, and a
    restricted key needs the read scope of each included object's resource (a 403)."""
    raw = request.query_params.get("include", "")
    if not raw.strip():
        return {}
    chosen = {}
    for name in (part.strip() for part in raw.split(",")):
        if not name:
            continue
        if name not in allowed:
            raise ValidationError(
                f"Cannot include {name!r}; allowed: {', '.join(allowed)}.",
                code="invalid_include",
                param="include",
            )
        require_read_scopes(
            request, [INCLUDE_RESOURCES[name]], needed_for=f"to include {name}", param="include"
        )
        chosen[name] = allowed[name]
    return chosen


def list_response(page, serialize) -> Response:
    return Response({"data": [serialize(row) for row in page.rows], "pagination": page.pagination})
