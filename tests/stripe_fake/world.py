"""Stripe's side of the world: what happens at Stripe without Settle asking (the card holder
on the bank's 3-D Secure page or on Checkout, staff in the dashboard, a dispute), and the
pages a browser visits "at Stripe"."""

import html

from tests.stripe_fake import objects
from tests.stripe_fake.api import (
    _succeed,
    create_payment_intent,
    create_payment_method,
    create_refund,
    public,
)
from tests.stripe_fake.server import return_with


def complete_authentication(fake, pi_id: str, *, success: bool = True) -> dict:
    """The card holder passes (or fails) 3-D Secure on the bank's page."""
    with fake.lock:
        pi = fake.store["payment_intent"][pi_id]
        if pi["status"] in ("canceled", "succeeded"):
            return pi  # canceled or settled meanwhile: the bank's page has nothing to confirm
        if success:
            _succeed(fake, pi)
        else:
            error = objects.card_error("card_declined")
            error.update(
                code="payment_intent_authentication_failure",
                message="We are unable to authenticate your payment method.",
            )
            error.pop("decline_code", None)
            pi.update(status="requires_payment_method", next_action=None, last_payment_error=error)
            fake._emit("payment_intent.payment_failed", pi)
        return pi


def dashboard_refund(fake, pi_id: str, amount: int) -> dict:
    """A refund made in Stripe's dashboard: no idempotency key, no Settle metadata."""
    with fake.lock:
        return create_refund(fake, {"payment_intent": pi_id, "amount": str(amount)})


def dashboard_charge(fake, *, customer: str, amount: int, currency: str, metadata: dict) -> dict:
    with fake.lock:
        return create_payment_intent(
            fake,
            {
                "amount": str(amount),
                "currency": currency,
                "customer": customer,
                "payment_method": "pm_card_visa",
                "confirm": "true",
                "metadata": metadata,
            },
        )


def open_dispute(fake, pi_id: str) -> dict:
    with fake.lock:
        pi = fake.store["payment_intent"][pi_id]
        fake.store["charge"][pi["latest_charge"]]["disputed"] = True
        dispute = objects.dispute(pi)
        fake._emit("charge.dispute.created", dispute)
        return dispute


def complete_checkout(fake, session_id: str, token: str = "pm_card_visa") -> dict:
    """The member types a card on Stripe's page: a new PaymentMethod, attached and set up."""
    with fake.lock:
        session = fake.store["checkout.session"][session_id]
        method = create_payment_method(fake, token, customer_id=session["customer"])
        setup_intent = fake.store["setup_intent"][session["setup_intent"]]
        setup_intent.update(status="succeeded", payment_method=method["id"])
        session.update(status="complete")
        fake._emit("payment_method.attached", public(method))
        fake._emit("setup_intent.succeeded", setup_intent)
        fake._emit("checkout.session.completed", session)
        return session


# --- pages a browser visits at "Stripe" --------------------------------------------------------


def fake_page(fake, path: str, query: dict):
    parts = path.strip("/").split("/")
    if parts[:2] == ["fake", "checkout"] and len(parts) == 3:
        session = fake.store["checkout.session"].get(parts[2])
        if session is None:
            return 404, ("html", "No such session"), {}, 0.0
        if "card" in query:
            complete_checkout(fake, session["id"], query["card"])
            url = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
            return 303, ("redirect", url), {}, 0.0
        links = "".join(
            f'<li><a href="?card={token}">{html.escape(token)}</a></li>'
            for token in objects.TEST_PAYMENT_METHODS
        )
        return 200, ("html", f"<h1>Stripe Checkout (fake)</h1><ul>{links}</ul>"), {}, 0.0
    if parts[:2] == ["fake", "3ds"] and len(parts) == 3:
        pi = fake.store["payment_intent"].get(parts[2])
        if pi is None or pi["status"] != "requires_action":
            return 404, ("html", "Nothing to authenticate"), {}, 0.0
        if "result" in query:
            return_url = pi["next_action"]["redirect_to_url"]["return_url"]
            complete_authentication(fake, pi["id"], success=query["result"] == "success")
            url = return_with(
                return_url,
                payment_intent=pi["id"],
                payment_intent_client_secret=pi["client_secret"],
                redirect_status="succeeded" if query["result"] == "success" else "failed",
            )
            return 303, ("redirect", url), {}, 0.0
        page = (
            "<h1>3D Secure 2 Test Page (fake)</h1>"
            '<a id="complete" href="?result=success">Complete</a> '
            '<a id="fail" href="?result=fail">Fail</a>'
        )
        return 200, ("html", page), {}, 0.0
    return 404, ("html", "Not found"), {}, 0.0
