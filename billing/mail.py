"""E-mail to customers: in their language, as HTML and plain text, each one kept.

Every message Settle sends about a document goes through `customer_email_send`, which
renders `templates/emails/<name>_subject.txt`, `<name>.txt` and `<name>.html` under the
customer's language, sends through Django's configured mailer (console in development,
SMTP or a provider through django-anymail in production) and writes a `SentEmail` row:
the history shown on the document's page, failures included.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from billing.models import Customer, SentEmail

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/pdf"


@dataclass
class About:
    """The documents an e-mail is about, for its place in their history."""

    invoice_id: str = ""
    credit_note_id: str = ""
    payment_id: str = ""
    refund_id: str = ""


def customer_recipients(customer: Customer) -> list[str]:
    """The billing e-mail first, then the copies; each address once."""
    addresses = [customer.email, *(customer.cc_emails or [])]
    seen: list[str] = []
    for address in addresses:
        if address and address.lower() not in (known.lower() for known in seen):
            seen.append(address)
    return seen


def sender_address(customer: Customer) -> str:
    entity = customer.entity
    address = entity.sender_email or settings.DEFAULT_FROM_EMAIL
    return f"{entity.name} <{address}>" if entity.sender_email else address


def customer_email_send(
    *,
    customer: Customer,
    kind: str,
    template: str,
    context,
    about: About,
    attachments: tuple[Attachment, ...] = (),
    actor_label: str = "",
) -> SentEmail | None:
    """Send one e-mail to the customer's billing addresses; None when they have none.

    `context` is a function returning the template's context: it is called under the
    customer's language, so what it formats reads in that language.
    A mail server's refusal is kept as a `failed` row with its error (and logged), so the
    history says what was tried; the caller decides whether to tell someone.
    """
    recipients = customer_recipients(customer)
    if not recipients:
        return None
    language = customer.document_language
    with translation.override(language):
        context = {**context(), "customer": customer, "entity": customer.entity}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender_address(customer),
        to=recipients[:1],
        cc=recipients[1:],
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    status, error = SentEmail.Status.SENT, ""
    try:
        message.send()
    except Exception as failure:  # any backend's refusal: kept, logged, not raised
        # By customer id: addresses are personal data and stay out of the logs.
        logger.exception("E-mail %s to customer %s failed", kind, customer.pk)
        status, error = SentEmail.Status.FAILED, f"{type(failure).__name__}: {failure}"[:1000]
    return SentEmail.objects.create(
        entity_id=customer.entity_id,
        customer=customer,
        kind=kind,
        invoice_id=about.invoice_id,
        credit_note_id=about.credit_note_id,
        payment_id=about.payment_id,
        refund_id=about.refund_id,
        to=recipients,
        subject=subject[:300],
        language=language,
        attachments=[attachment.filename for attachment in attachments],
        status=status,
        error=error,
        actor_label=actor_label[:200],
    )
