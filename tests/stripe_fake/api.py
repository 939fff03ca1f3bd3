"""The fake's API endpoints: one function per Stripe route (see `FakeStripe.ROUTES`)."""

import copy

from tests.stripe_fake import objects
from tests.stripe_fake.server import StripeHTTPError, invalid


def _get(fake, kind: str, object_id: str, label: str) -> dict:
    obj = fake.store[kind].get(object_id)
    if obj is None:
        raise invalid(f"No such {label}: '{object_id}'", param="id")
    return obj


def _list(data: list, url: str) -> dict:
    return {"object": "list", "data": data, "has_more": False, "url": url}


def _truthy(value) -> bool:
    return str(value).lower() in ("true", "1")


# --- customers -----------------------------------------------------------------------------


def create_customer(fake, params):
    customer = objects.customer(params)
    fake.store["customer"][customer["id"]] = customer
    return customer


def retrieve_customer(fake, params, id):
    return _get(fake, "customer", id, "customer")


# --- payment methods -----------------------------------------------------------------------


def payment_method_for(fake, reference: str, customer_id=None) -> dict:
    """Stripe's test tokens exist for everyone; other `pm_…` only as created (attached)."""
    stored = fake.store["payment_method"].get(reference)
    if stored is not None:
        return stored
    if reference in objects.TEST_PAYMENT_METHODS:
        brand, last4, _behaviour = objects.TEST_PAYMENT_METHODS[reference]
        return objects.payment_method(reference, brand=brand, last4=last4, customer_id=customer_id)
    raise invalid(f"No such PaymentMethod: '{reference}'", param="payment_method")


def behaviour_of(payment_method: dict) -> str:
    return (
        payment_method.get("_behaviour")
        or objects.TEST_PAYMENT_METHODS.get(payment_method["id"], ("", "", "succeeds"))[2]
    )


def create_payment_method(fake, token: str, customer_id: str | None = None) -> dict:
    """A card entered on Stripe's page: a new `pm_…` behaving like the test token given."""
    brand, last4, behaviour = objects.TEST_PAYMENT_METHODS[token]
    method = objects.payment_method(
        objects.new_id("pm"), brand=brand, last4=last4, customer_id=customer_id
    )
    method["_behaviour"] = behaviour
    fake.store["payment_method"][method["id"]] = method
    return method


def public(method: dict) -> dict:
    return {key: value for key, value in method.items() if not key.startswith("_")}


def retrieve_payment_method(fake, params, id):
    return public(payment_method_for(fake, id))


def list_payment_methods(fake, params):
    customer = params.get("customer")
    data = [
        public(method)
        for method in fake.store["payment_method"].values()
        if method["customer"] == customer
    ]
    return _list(data, "/v1/payment_methods")


def attach_payment_method(fake, params, id):
    method = payment_method_for(fake, id)
    _get(fake, "customer", params.get("customer", ""), "customer")
    method["customer"] = params["customer"]
    fake.store["payment_method"][method["id"]] = method
    fake._emit("payment_method.attached", public(method))
    return public(method)


def detach_payment_method(fake, params, id):
    method = fake.store["payment_method"].get(id)
    if method is None or not method["customer"]:
        raise invalid(
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible.",
            code="payment_method_unexpected_state",
        )
    previous = method["customer"]
    method["customer"] = None
    fake._emit(
        "payment_method.detached", public(method), previous_attributes={"customer": previous}
    )
    return public(method)


# --- payment intents -----------------------------------------------------------------------


def _succeed(fake, pi: dict) -> None:
    charge = objects.charge(pi)
    fake.store["charge"][charge["id"]] = charge
    pi.update(
        status="succeeded",
        amount_received=pi["amount"],
        latest_charge=charge["id"],
        next_action=None,
        last_payment_error=None,
    )
    fake._emit("payment_intent.succeeded", pi)


def _decline(fake, pi: dict, behaviour: str) -> None:
    charge_id = objects.new_id("ch")
    error = objects.card_error(behaviour, charge_id=charge_id)
    pi.update(status="requires_payment_method", last_payment_error=error, latest_charge=charge_id)
    fake._emit("payment_intent.payment_failed", pi)
    raise StripeHTTPError(
        402,
        objects.card_error(behaviour, payment_intent_obj=copy.deepcopy(pi), charge_id=charge_id),
    )


def _confirm(fake, pi: dict, *, off_session: bool, return_url: str | None) -> dict:
    if not pi["payment_method"]:
        raise invalid("You must provide a payment method.", code="parameter_missing")
    method = payment_method_for(fake, pi["payment_method"], pi["customer"])
    if method["customer"] and pi["customer"] and method["customer"] != pi["customer"]:
        raise invalid(
            f"The customer does not have a payment method with the ID {method['id']}.",
            code="resource_missing",
        )
    behaviour = behaviour_of(method)
    if behaviour == "succeeds":
        _succeed(fake, pi)
    elif behaviour == "authentication_required" and not off_session:
        if not return_url:
            raise invalid("A return_url is required to confirm this PaymentIntent.")
        pi.update(
            status="requires_action",
            last_payment_error=None,
            next_action={
                "type": "redirect_to_url",
                "redirect_to_url": {
                    "url": f"{fake.url}/fake/3ds/{pi['id']}",
                    "return_url": return_url,
                },
            },
        )
        fake._emit("payment_intent.requires_action", pi)
    else:
        _decline(fake, pi, behaviour)
    return pi


def create_payment_intent(fake, params):
    for required in ("amount", "currency"):
        if required not in params:
            raise invalid(f"Missing required param: {required}.", "parameter_missing", required)
    if params.get("customer"):
        _get(fake, "customer", params["customer"], "customer")
    pi = objects.payment_intent(params)
    fake.store["payment_intent"][pi["id"]] = pi
    if _truthy(params.get("confirm")):
        _confirm(
            fake,
            pi,
            off_session=_truthy(params.get("off_session")),
            return_url=params.get("return_url"),
        )
    return pi


def retrieve_payment_intent(fake, params, id):
    return _get(fake, "payment_intent", id, "payment_intent")


def confirm_payment_intent(fake, params, id):
    pi = _get(fake, "payment_intent", id, "payment_intent")
    if pi["status"] not in ("requires_payment_method", "requires_confirmation", "requires_action"):
        raise invalid(
            f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}.",
            code="payment_intent_unexpected_state",
        )
    if params.get("payment_method"):
        pi["payment_method"] = params["payment_method"]
    return _confirm(
        fake,
        pi,
        off_session=_truthy(params.get("off_session")),
        return_url=params.get("return_url"),
    )


# The reasons Stripe accepts when a PaymentIntent is canceled through the API.
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")


def cancel_payment_intent(fake, params, id):
    pi = _get(fake, "payment_intent", id, "payment_intent")
    if pi["status"] in ("succeeded", "canceled"):
        raise invalid(
            f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}.",
            code="payment_intent_unexpected_state",
        )
    reason = params.get("cancellation_reason")
    if reason is not None and reason not in CANCELLATION_REASONS:
        raise invalid(
            f"Invalid cancellation_reason: must be one of {', '.join(CANCELLATION_REASONS)}",
            code="parameter_invalid",
            param="cancellation_reason",
        )
    pi.update(status="canceled", cancellation_reason=reason)
    fake._emit("payment_intent.canceled", pi)
    return pi


# --- refunds -------------------------------------------------------------------------------


def _unrefunded(fake, pi: dict) -> int:
    charge = fake.store["charge"][pi["latest_charge"]]
    return charge["amount"] - charge["amount_refunded"]


def create_refund(fake, params):
    pi_id = params.get("payment_intent") or ""
    pi = _get(fake, "payment_intent", pi_id, "payment_intent")
    if pi["status"] != "succeeded":
        raise invalid(
            f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
            code="charge_not_refundable",
        )
    remaining = _unrefunded(fake, pi)
    amount = int(params.get("amount") or remaining)
    if remaining <= 0:
        raise invalid(
            f"Charge {pi['latest_charge']} has already been refunded.", "charge_already_refunded"
        )
    if amount > remaining:
        raise invalid(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    refund = objects.refund({**params, "amount": amount}, pi)
    fake.store["refund"][refund["id"]] = refund
    charge = fake.store["charge"][pi["latest_charge"]]
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    charge["refunds"]["data"].insert(0, refund)
    fake._emit("refund.created", refund)
    fake._emit("charge.refunded", charge)
    return refund


def retrieve_refund(fake, params, id):
    return _get(fake, "refund", id, "refund")


def list_refunds(fake, params):
    pi_id = params.get("payment_intent")
    data = [r for r in fake.store["refund"].values() if not pi_id or r["payment_intent"] == pi_id]
    return _list(data, "/v1/refunds")


# --- checkout (setup mode) -----------------------------------------------------------------


def create_checkout_session(fake, params):
    if params.get("mode") != "setup":
        raise invalid(
            "The fake supports Checkout in setup mode only.", code="parameter_invalid_string"
        )
    for required in ("success_url", "customer"):
        if not params.get(required):
            raise invalid(f"Missing required param: {required}.", "parameter_missing", required)
    _get(fake, "customer", params["customer"], "customer")
    metadata = (params.get("setup_intent_data") or {}).get("metadata") or {}
    setup_intent = objects.setup_intent(params["customer"], metadata)
    fake.store["setup_intent"][setup_intent["id"]] = setup_intent
    session = objects.checkout_session(params, fake.url, setup_intent["id"])
    fake.store["checkout.session"][session["id"]] = session
    return session


def _expand(fake, obj: dict, paths: list[str]) -> dict:
    obj = copy.deepcopy(obj)
    for path in paths:
        head, _, rest = path.partition(".")
        value = obj.get(head)
        kind = {"setup_intent": "setup_intent", "payment_method": "payment_method"}.get(head)
        if isinstance(value, str) and kind:
            target = fake.store[kind].get(value) or payment_method_for(fake, value)
            obj[head] = public(_expand(fake, target, [rest] if rest else []))
        elif isinstance(value, dict) and rest:
            obj[head] = _expand(fake, value, [rest])
    return obj


def retrieve_checkout_session(fake, params, id):
    session = _get(fake, "checkout.session", id, "checkout session")
    return _expand(fake, session, list(params.get("expand") or []))


def retrieve_setup_intent(fake, params, id):
    setup_intent = _get(fake, "setup_intent", id, "setup_intent")
    return _expand(fake, setup_intent, list(params.get("expand") or []))
