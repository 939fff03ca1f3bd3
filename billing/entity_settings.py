"""An entity's document settings: the rules of its bank details, logo and reminder
schedule, and the one write that changes them (`entity_settings_update`).

What an invoice prints must be right before anyone is asked to pay into it, so the IBAN
and BIC are checked with `schwifty` (checksums, national formats, the BIC's country) and
the logo is opened with Pillow before it is stored. Shared by the service and the form.
"""

import io
import re
from itertools import pairwise

from django.db import transaction
from PIL import Image, UnidentifiedImageError
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from billing.actors import Actor
from billing.audit import audit_record, snapshot
from billing.customer_profile import clean_email, clean_language, clean_terms_days
from billing.errors import ValidationError
from billing.models import Entity
from billing.money import validate_currency
from billing.validation import storable_text

MAX_LOGO_BYTES = 512 * 1024
# A logo is printed a few centimetres wide; bigger images only slow the PDFs down (and a
# tiny file can claim a huge canvas: decompression bombs).
MAX_LOGO_SIDE = 4000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
MAX_REMINDER_STEPS = 10
MAX_REMINDER_DAY = 365


def clean_iban(value) -> str:
    """The IBAN in its electronic form (`DE89370400440532013000`), or ''."""
    text = (value or "").strip()
    if not text:
        return ""
    try:
        return IBAN(text).compact
    except SchwiftyException as error:
        raise ValidationError(
            f"This is not a valid IBAN ({str(error).rstrip('.').lower()}).",
            code="invalid_iban",
            param="iban",
        ) from None


def clean_bic(value, iban: str = "") -> str:
    """A BIC (8 or 11 characters) of the same country as the IBAN, if there is one."""
    text = re.sub(r"\s+", "", value or "").upper()
    if not text:
        return ""
    try:
        bic = BIC(text)
    except SchwiftyException as error:
        raise ValidationError(
            f"This is not a valid BIC ({str(error).rstrip('.').lower()}).",
            code="invalid_bic",
            param="bic",
        ) from None
    if iban:
        iban_country = IBAN(iban).country_code
        if bic.country_code != iban_country:
            raise ValidationError(
                f"The BIC is of a bank in {bic.country_code}, the IBAN of an account in "
                f"{iban_country}: they must belong to the same bank account.",
                code="bic_country_mismatch",
                param="bic",
            )
    return bic.compact


def clean_logo(data: bytes) -> tuple[bytes, str]:
    """A PNG or JPEG of at most 512 KB that Pillow can read: (bytes, content type)."""
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            f"The logo is {len(data) // 1024} KB; it may be at most {MAX_LOGO_BYTES // 1024} KB.",
            code="logo_too_large",
            param="logo",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, size = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            "The logo is not a readable PNG or JPEG image.", code="logo_not_image", param="logo"
        ) from None
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            f"The logo is a {image_format} image; upload a PNG or JPEG.",
            code="logo_not_image",
            param="logo",
        )
    if max(size) > MAX_LOGO_SIDE:
        raise ValidationError(
            f"The logo is {size[0]}×{size[1]} pixels; at most {MAX_LOGO_SIDE} on each side.",
            code="logo_too_large",
            param="logo",
        )
    return data, LOGO_FORMATS[image_format]


def parse_reminder_days(value) -> list[int]:
    """Days after the due date on which to remind, as typed ("3, 10, 20") or a list.

    Ascending, unique, each 1 to 365, at most 10 steps; empty means no reminders.
    """
    if value is None or value == "":
        return []
    if isinstance(value, str):
        parts = [part for part in re.split(r"[,;\s]+", value.strip()) if part]
        if not all(part.isdigit() for part in parts):
            raise _reminder_error("Type whole numbers of days separated by commas, e.g. 3, 10, 20.")
        days = [int(part) for part in parts]
    elif isinstance(value, list | tuple):
        if not all(isinstance(day, int) and not isinstance(day, bool) for day in value):
            raise _reminder_error("Reminder days are whole numbers of days, e.g. [3, 10, 20].")
        days = list(value)
    else:
        raise _reminder_error("Reminder days are whole numbers of days, e.g. 3, 10, 20.")
    if len(days) > MAX_REMINDER_STEPS:
        raise _reminder_error(f"At most {MAX_REMINDER_STEPS} reminders ({len(days)} given).")
    if any(not 1 <= day <= MAX_REMINDER_DAY for day in days):
        raise _reminder_error(f"Each reminder is 1 to {MAX_REMINDER_DAY} days after the due date.")
    if any(later <= earlier for earlier, later in pairwise(days)):
        raise _reminder_error("List the days in ascending order, each once (e.g. 3, 10, 20).")
    return days


def format_reminder_days(days: list[int]) -> str:
    return ", ".join(str(day) for day in days or [])


def _reminder_error(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_reminder_days", param="reminder_days")


# --- the write -------------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "name",
    "default_currency",
    "legal_name",
    "address",
    "vat_id",
    "iban",
    "bic",
    "invoice_footer",
    "payment_terms_days",
    "sender_email",
    "language",
    "reminder_days",
    "bank_auto_confirm",
    "require_change_reason",
)
SETTINGS_TEXT_LIMITS = {"name": 200, "legal_name": 200, "address": 2000, "vat_id": 32}
MAX_FOOTER_LENGTH = 2000


def entity_settings_update(
    *,
    entity: Entity,
    actor: Actor,
    changes: dict | None = None,
    logo: bytes | None = None,
    remove_logo: bool = False,
) -> Entity:
    """Change an entity's settings: `changes` maps fields of SETTINGS_FIELDS to new values.

    Every value is checked as a whole before anything is written (the BIC against the
    IBAN that will be stored). Locks the entity's row; audits the fields that changed,
    the logo by its type and size only. Issued documents keep their own copy of these
    details (`invoices.issuer`), so they do not change with them.
    """
    changes = dict(changes or {})
    unknown = sorted(set(changes) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError(
            f"{unknown[0]} is not a setting.", code="unknown_field", param=unknown[0]
        )
    with transaction.atomic():
        locked = Entity.objects.select_for_update().get(pk=entity.pk)
        cleaned = _clean_settings(locked, changes)
        before = _settings_snapshot(locked)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        if logo is not None:
            locked.logo, locked.logo_content_type = clean_logo(bytes(logo))
        elif remove_logo:
            locked.logo, locked.logo_content_type = None, ""
        after = _settings_snapshot(locked)
        changed = [field for field in after if after[field] != before[field]]
        if changed:
            locked.save()
            audit_record(
                actor=actor,
                entity_id=locked.pk,
                action="entity.settings_changed",
                obj=locked,
                before={field: before[field] for field in changed},
                after={field: after[field] for field in changed},
            )
    return locked


def _clean_settings(entity: Entity, changes: dict) -> dict:
    cleaned = {}
    for field, value in changes.items():
        if field in SETTINGS_TEXT_LIMITS:
            cleaned[field] = _clean_text(value, field, SETTINGS_TEXT_LIMITS[field])
        elif field == "invoice_footer":
            cleaned[field] = _clean_text(value, field, MAX_FOOTER_LENGTH)
        elif field == "default_currency":
            cleaned[field] = validate_currency(value)
        elif field == "iban":
            cleaned[field] = clean_iban(value)
        elif field == "payment_terms_days":
            cleaned[field] = clean_terms_days(value, field, allow_none=False)
        elif field == "sender_email":
            cleaned[field] = clean_email(value, field)
        elif field == "language":
            cleaned[field] = clean_language(value, allow_blank=False)
        elif field == "reminder_days":
            cleaned[field] = parse_reminder_days(value)
        elif field in ("bank_auto_confirm", "require_change_reason"):
            if not isinstance(value, bool):
                raise ValidationError(f"{field} must be true or false.", param=field)
            cleaned[field] = value
    if "name" in cleaned and not cleaned["name"]:
        raise ValidationError("An entity needs a name.", param="name")
    if "bic" in changes or "iban" in changes:
        # The pair is checked together: a new IBAN in another country needs a new BIC too.
        iban = cleaned.get("iban", entity.iban)
        cleaned["bic"] = clean_bic(changes.get("bic", entity.bic), iban)
    return cleaned


def _clean_text(value, param: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str | type(None)) else value
    if not isinstance(value, str):
        raise ValidationError(f"{param} must be a string.", param=param)
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # a text area's CR LF
    if len(value) > limit:
        raise ValidationError(f"{param} is longer than {limit} characters.", param=param)
    if not storable_text(value):
        raise ValidationError(f"{param} contains characters that are not valid text.", param=param)
    return value


def _settings_snapshot(entity: Entity) -> dict:
    state = snapshot(entity, list(SETTINGS_FIELDS))
    logo = bytes(entity.logo) if entity.logo else b""
    state["logo"] = f"{entity.logo_content_type}, {len(logo)} bytes" if logo else None
    return state
