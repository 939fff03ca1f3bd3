"""The entity settings page, through the test client: bank details checked with schwifty,
the logo checked with Pillow, the reminder schedule; every refusal changes nothing."""

import io

import pytest
from django.contrib.admin.utils import quote
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from billing.models import AuditEvent, Entity
from tests.admin_support import permissions, staff
from tests.factories import EntityFactory

IBAN_DE = "DE89 3704 0044 0532 0130 00"
BIC_DE = "COBADEFFXXX"
BIC_FR = "BNPAFRPP"


def image_bytes(fmt: str = "PNG", size=(120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 90, 140)).save(buffer, format=fmt)
    return buffer.getvalue()


def upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def settings_editor(office):
    office.user_permissions.add(*permissions("billing.change_entity", "billing.view_entity"))
    return office


def settings_url(entity) -> str:
    return reverse("admin:billing_entity_change", args=[quote(entity.pk)])


def settings_form(entity, **changes) -> dict:
    data = {
        "name": entity.name,
        "default_currency": entity.default_currency,
        "language": entity.language,
        "legal_name": entity.legal_name,
        "address": entity.address,
        "vat_id": entity.vat_id,
        "invoice_footer": entity.invoice_footer,
        "iban": entity.iban,
        "bic": entity.bic,
        "payment_terms_days": entity.payment_terms_days,
        "reminder_days": ", ".join(str(day) for day in entity.reminder_days),
        "sender_email": entity.sender_email,
    }
    data.update(changes)
    return data


def test_save_bank_details_logo_and_schedule(client, settings_editor, entity):
    response = client.post(
        settings_url(entity),
        settings_form(
            entity,
            legal_name="Harbour Coworking GmbH",
            address="1 Quay Street\n20457 Hamburg",
            vat_id="DE123456789",
            iban="de89370400440532013000",
            bic="cobadeffxxx",
            payment_terms_days="30",
            reminder_days="5, 15,30",
            sender_email="billing@harbour.example",
            invoice_footer="Registered in Hamburg, HRB 12345",
            logo_file=upload(image_bytes()),
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    entity.refresh_from_db()
    assert (entity.iban, entity.bic) == ("DE89370400440532013000", "COBADEFFXXX")
    assert (entity.payment_terms_days, entity.reminder_days) == (30, [5, 15, 30])
    assert entity.logo_content_type == "image/png"
    assert bytes(entity.logo) == image_bytes()
    event = AuditEvent.objects.get(action="entity.settings_changed")
    assert event.after["iban"] == "DE89370400440532013000"
    assert event.after["logo"].startswith("image/png, ")

    page = client.get(settings_url(entity)).content.decode()
    assert IBAN_DE in page
    logo = client.get(reverse("admin:billing_entity_logo", args=[entity.pk]))
    assert (logo.status_code, logo["Content-Type"]) == (200, "image/png")
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert logo.content == image_bytes()


def test_a_jpeg_logo_is_accepted_and_can_be_removed(client, settings_editor, entity):
    jpeg = image_bytes("JPEG")
    client.post(settings_url(entity), settings_form(entity, logo_file=upload(jpeg, "l.jpg")))
    entity.refresh_from_db()
    assert entity.logo_content_type == "image/jpeg"

    client.post(settings_url(entity), settings_form(entity, remove_logo="on"))

    entity.refresh_from_db()
    assert (entity.logo, entity.logo_content_type) == (None, "")


def _refused(client, entity, field: str, **changes) -> str:
    before = Entity.objects.values().get(pk=entity.pk)
    response = client.post(settings_url(entity), settings_form(entity, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    assert Entity.objects.values().get(pk=entity.pk) == before
    assert not AuditEvent.objects.exists()
    return errors[field][0]


def test_a_bad_iban_is_refused(client, settings_editor, entity):
    message = _refused(client, entity, "iban", iban="DE89 3704 0044 0532 0130 01", bic=BIC_DE)
    assert "not a valid IBAN" in message


def test_a_bic_of_another_country_is_refused(client, settings_editor, entity):
    message = _refused(client, entity, "bic", iban=IBAN_DE, bic=BIC_FR)
    assert "FR" in message and "DE" in message


def test_an_oversize_logo_is_refused(client, settings_editor, entity):
    big = image_bytes() + b"\0" * (512 * 1024)
    message = _refused(client, entity, "logo_file", logo_file=upload(big))
    assert "at most 512 KB" in message


@pytest.mark.parametrize(
    "data, name",
    [
        (b"%PDF-1.4 not an image", "logo.png"),
        (image_bytes("GIF"), "logo.gif"),
        (image_bytes()[:60], "truncated.png"),
    ],
)
def test_a_logo_that_is_not_a_png_or_jpeg_is_refused(client, settings_editor, entity, data, name):
    message = _refused(client, entity, "logo_file", logo_file=upload(data, name))
    assert "PNG or JPEG" in message


@pytest.mark.parametrize(
    "schedule", ["10, 3", "3, 3", "0, 5", "400", "1,2,3,4,5,6,7,8,9,10,11", "x"]
)
def test_a_bad_reminder_schedule_is_refused(client, settings_editor, entity, schedule):
    _refused(client, entity, "reminder_days", reminder_days=schedule)


def test_payment_terms_outside_0_to_365_are_refused(client, settings_editor, entity):
    _refused(client, entity, "payment_terms_days", payment_terms_days="366")


def test_an_empty_schedule_means_no_reminders(client, settings_editor, entity):
    client.post(settings_url(entity), settings_form(entity, reminder_days=""))

    entity.refresh_from_db()
    assert entity.reminder_days == []


def test_staff_see_only_their_entities_and_logos(client, settings_editor, entity):
    other = EntityFactory(logo=image_bytes(), logo_content_type="image/png")

    assert client.get(settings_url(other)).status_code == 302  # admin: "does not exist"
    assert client.get(reverse("admin:billing_entity_logo", args=[other.pk])).status_code == 404
    response = client.post(settings_url(other), settings_form(other, legal_name="Mine now"))
    other.refresh_from_db()
    assert other.legal_name == ""
    assert response.status_code == 302
    listed = client.get(reverse("admin:billing_entity_changelist"))
    assert list(listed.context["cl"].result_list) == [entity]


def test_staff_cannot_change_who_belongs_to_an_entity(client, settings_editor, entity):
    form = client.get(settings_url(entity))

    assert form.context["inline_admin_formsets"] == []


def test_without_change_permission_the_settings_are_read_only(client, entity):
    viewer = staff(entity, grant=["billing.view_entity"])
    client.force_login(viewer)

    response = client.post(settings_url(entity), settings_form(entity, legal_name="Changed"))

    assert response.status_code == 403
    entity.refresh_from_db()
    assert entity.legal_name == ""


def test_the_dashboard_links_to_the_settings(client, settings_editor):
    assert 'data-testid="entity-settings"' in client.get(reverse("admin:index")).content.decode()
