"""The rules of a customer's profile fields.

The services apply them; the back office's form calls the same functions so that a
refusal is shown next to its field, with the same words the API answers.
"""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from billing.errors import ValidationError
from billing.models import LANGUAGE_CHOICES
from billing.validation import storable_text

MAX_CC_EMAILS = 10
MAX_TERMS_DAYS = 365
LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}
# People paste lists from mail clients: commas, semicolons, new lines or spaces between them.
_EMAIL_SEPARATORS = re.compile(r"[,;\s]+")

TEXT_LIMITS = {"name": 200, "address": 2000, "tax_id": 32}


def clean_profile_text(value, param: str, *, required: bool = False) -> str:
    """A stripped text within its column's length, with plain newlines (a browser's text
    area sends CR LF); `name` may not be empty."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(f"{param} must be a string.", param=param)
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    limit = TEXT_LIMITS[param]
    if required and not value:
        raise ValidationError(f"A customer needs a {param}.", param=param)
    if len(value) > limit:
        raise ValidationError(f"{param} is longer than {limit} characters.", param=param)
    if not storable_text(value):
        raise ValidationError(f"{param} contains characters that are not valid text.", param=param)
    return value


def clean_email(value, param: str = "email") -> str:
    """One e-mail address, or the empty string."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValidationError(
            f"{value[:100]!r} is not a valid e-mail address.", code="invalid_email", param=param
        ) from None
    return value


def parse_cc_emails(value) -> list[str]:
    """Further billing addresses: a list, or text separated by commas or new lines.

    Duplicates (compared case-insensitively) are dropped, keeping the first spelling.
    """
    if value is None or value == "":
        return []
    if isinstance(value, str):
        candidates = [part for part in _EMAIL_SEPARATORS.split(value) if part]
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        candidates = [item.strip() for item in value if item.strip()]
    else:
        raise ValidationError(
            "cc_emails must be a list of e-mail addresses.",
            code="invalid_cc_emails",
            param="cc_emails",
        )
    addresses, seen = [], set()
    for candidate in candidates:
        try:
            address = clean_email(candidate, "cc_emails")
        except ValidationError as error:
            raise ValidationError(
                error.message, code="invalid_cc_emails", param="cc_emails"
            ) from None
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    if len(addresses) > MAX_CC_EMAILS:
        raise ValidationError(
            f"At most {MAX_CC_EMAILS} further billing e-mails ({len(addresses)} given).",
            code="invalid_cc_emails",
            param="cc_emails",
        )
    return addresses


def clean_terms_days(value, param: str = "payment_terms_days", *, allow_none: bool = True):
    """Days from an invoice's date to its due date: 0 (due on receipt) to 365.

    None (or blank) means "the entity's terms" where `allow_none`.
    """
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError(f"{param} is required.", code="invalid_payment_terms", param=param)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TERMS_DAYS:
        raise ValidationError(
            f"Payment terms are a whole number of days from 0 to {MAX_TERMS_DAYS}.",
            code="invalid_payment_terms",
            param=param,
        )
    return value


def clean_language(value, param: str = "language", *, allow_blank: bool = True) -> str:
    """A language of our documents (en, de); blank means the entity's where allowed."""
    value = value or ""
    if value == "" and allow_blank:
        return ""
    if value not in LANGUAGE_CODES:
        choices = ", ".join(sorted(LANGUAGE_CODES))
        raise ValidationError(
            f"language must be one of {choices}{' or empty' if allow_blank else ''}.",
            code="invalid_language",
            param=param,
        )
    return value
