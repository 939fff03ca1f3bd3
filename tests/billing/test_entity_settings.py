"""The entity settings service and its rules: bank details, logo, reminder schedule."""

import io

import pytest
from PIL import Image

from billing.entity_settings import (
    clean_bic,
    clean_iban,
    clean_logo,
    entity_settings_update,
    parse_reminder_days,
)
from billing.errors import ValidationError
from billing.formats import format_iban
from billing.models import AuditEvent, Entity
from tests.factories import SYSTEM


def png(size=(64, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_iban_is_stored_compact_and_printed_in_groups():
    compact = clean_iban(" de89 3704 0044 0532 0130 00 ")

    assert compact == "DE89370400440532013000"
    assert format_iban(compact) == "DE89 3704 0044 0532 0130 00"


@pytest.mark.parametrize(
    "value, code",
    [
        ("DE89370400440532013001", "invalid_iban"),
        ("XX00123", "invalid_iban"),
        ("hello", "invalid_iban"),
    ],
)
def test_invalid_ibans_are_refused(value, code):
    with pytest.raises(ValidationError) as refused:
        clean_iban(value)
    assert (refused.value.code, refused.value.param) == (code, "iban")


def test_bic_must_be_of_the_ibans_country():
    assert clean_bic("coba de ff xxx", "DE89370400440532013000") == "COBADEFFXXX"
    with pytest.raises(ValidationError) as mismatch:
        clean_bic("BNPAFRPP", "DE89370400440532013000")
    with pytest.raises(ValidationError) as invalid:
        clean_bic("NOTABIC!", "")
    assert mismatch.value.code == "bic_country_mismatch"
    assert invalid.value.code == "invalid_bic"


def test_logo_rules():
    assert clean_logo(png())[1] == "image/png"
    with pytest.raises(ValidationError) as too_big:
        clean_logo(png() + b"\0" * 512 * 1024)
    with pytest.raises(ValidationError) as not_image:
        clean_logo(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    with pytest.raises(ValidationError) as huge_canvas:
        clean_logo(png(size=(5000, 10)))
    assert too_big.value.code == "logo_too_large"
    assert not_image.value.code == "logo_not_image"
    assert huge_canvas.value.code == "logo_too_large"


@pytest.mark.parametrize(
    "typed, days",
    [
        ("3, 10, 20", [3, 10, 20]),
        ("1;2 5", [1, 2, 5]),
        ("", []),
        ([7, 14], [7, 14]),
        ("365", [365]),
    ],
)
def test_reminder_schedules(typed, days):
    assert parse_reminder_days(typed) == days


@pytest.mark.parametrize("typed", ["10, 3", "3, 3", "0", "366", "-1", "2.5", ",".join(["1"] * 11)])
def test_bad_reminder_schedules(typed):
    with pytest.raises(ValidationError) as refused:
        parse_reminder_days(typed)
    assert refused.value.code == "invalid_reminder_days"


def test_update_checks_everything_before_writing_anything(entity):
    before = Entity.objects.values().get(pk=entity.pk)

    with pytest.raises(ValidationError) as refused:
        entity_settings_update(
            entity=entity,
            actor=SYSTEM,
            changes={
                "legal_name": "Harbour GmbH",
                "iban": "DE89370400440532013000",
                "bic": "BNPAFRPP",
            },
        )

    assert refused.value.code == "bic_country_mismatch"
    assert Entity.objects.values().get(pk=entity.pk) == before
    assert not AuditEvent.objects.exists()


def test_a_new_iban_in_another_country_rechecks_the_stored_bic(entity):
    entity_settings_update(
        entity=entity,
        actor=SYSTEM,
        changes={"iban": "DE89370400440532013000", "bic": "COBADEFFXXX"},
    )

    with pytest.raises(ValidationError) as refused:
        entity_settings_update(
            entity=entity, actor=SYSTEM, changes={"iban": "FR1420041010050500013M02606"}
        )

    assert refused.value.code == "bic_country_mismatch"
    entity.refresh_from_db()
    assert entity.iban == "DE89370400440532013000"


def test_update_audits_the_changes_and_the_logo_by_size_only(entity):
    logo = png()

    updated = entity_settings_update(
        entity=entity,
        actor=SYSTEM,
        changes={"payment_terms_days": 30, "reminder_days": "5, 15"},
        logo=logo,
    )

    assert (updated.payment_terms_days, updated.reminder_days) == (30, [5, 15])
    event = AuditEvent.objects.get(action="entity.settings_changed")
    assert event.after == {
        "payment_terms_days": 30,
        "reminder_days": [5, 15],
        "logo": f"image/png, {len(logo)} bytes",
    }
    removed = entity_settings_update(entity=entity, actor=SYSTEM, remove_logo=True)
    assert (removed.logo, removed.logo_content_type) == (None, "")


def test_unknown_settings_are_refused(entity):
    with pytest.raises(ValidationError) as refused:
        entity_settings_update(entity=entity, actor=SYSTEM, changes={"logo": b"x"})
    assert refused.value.code == "unknown_field"
