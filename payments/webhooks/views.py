"""`POST /webhooks/stripe`: verify the signature with the SDK, store once, process, answer.

Answers: 400 for a bad signature or payload (nothing is stored), 200 for a
processed or duplicate event, 500 when processing failed in a way a
redelivery may fix (Stripe redelivers with backoff for three days).
"""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments.gateways.base import WebhookNotAnEvent, WebhookRejected
from payments.gateways.stripe import verify_webhook
from payments.webhooks.events import WebhookProcessingError, event_receive

logger = logging.getLogger(__name__)


def _error(status: int, code: str, message: str) -> JsonResponse:
    body = {"error": {"type": "invalid_request_error", "code": code, "message": message}}
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        event = verify_webhook(request.body, request.headers.get("Stripe-Signature", ""))
    except WebhookNotAnEvent as rejected:
        logger.warning("refused a signed Stripe webhook: %s", rejected)
        return _error(400, "invalid_event", str(rejected))
    except WebhookRejected as rejected:
        logger.warning("refused a Stripe webhook: %s", rejected)
        return _error(400, "invalid_signature", str(rejected))
    try:
        row, duplicate = event_receive(gateway="stripe", event=event)
    except WebhookProcessingError as error:
        return JsonResponse(
            {"error": {"type": "api_error", "code": "processing_failed", "message": str(error)}},
            status=500,
        )
    return JsonResponse({"received": True, "event": row.event_id, "duplicate": duplicate})
