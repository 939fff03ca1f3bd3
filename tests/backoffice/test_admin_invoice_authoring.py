"""Drafting invoices in the back office through Django's test client: the add and edit form
(lines as a formset, decimal commas, add-row without a script), delete, duplicate, and the
due date at issue; permissions and entity scoping; bad input is a form error that writes
nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from billing.models import AuditEvent
from invoices.models import Invoice, InvoiceLine
from tests.admin_support import MONEY_PERMISSIONS, invoice_url, messages_of, staff, submit
from tests.factories import CustomerFactory, EntityFactory, draft_invoice, issued_invoice

AUTHORING_PERMISSIONS = [
    "invoices.add_invoice",
    "invoices.change_invoice",
    "invoices.delete_invoice",
    "invoices.add_advanceinvoice",
]
ADD_URL = reverse("admin:invoices_invoice_add")


@pytest.fixture
def author(client, entity):
    """A staff member of `entity` who may draft invoices (and take the money actions)."""
    user = staff(entity, grant=[*MONEY_PERMISSIONS, *AUTHORING_PERMISSIONS])
    client.force_login(user)
    return user


def line_rows(*rows) -> dict:
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    for index, row in enumerate(rows):
        for field in ("name", "quantity", "unit_price", "tax_rate", "discount_percent"):
            data[f"lines-{index}-{field}"] = row.get(field, "")
    return data


def draft_data(billed, *rows, **fields) -> dict:
    rows = rows or (
        {
            "name": "Desk",
            "quantity": "2",
            "unit_price": "150,00",
            "tax_rate": "20",
            "discount_percent": "10",
        },
        {"name": "Coffee", "quantity": "3", "unit_price": "2.35", "tax_rate": "10,0"},
    )
    return {
        "customer": billed.pk,
        "date": "2026-03-01",
        "payment_terms_days": "",
        "due_date": "",
        "note": "March",
        "footer": "Thank you",
        **line_rows(*rows),
        **fields,
    }


def invoice_rows() -> tuple:
    """What drafting could write: invoices (with their fields) and lines and audit events."""
    return (
        list(Invoice.objects.order_by("pk").values_list("pk", "customer_id", "total", "note")),
        list(InvoiceLine.objects.order_by("pk").values_list("pk", "name", "total")),
        AuditEvent.objects.count(),
    )


def test_add_invoice_creates_a_priced_draft_with_decimal_commas(client, author, customer):
    response = submit(client, ADD_URL, draft_data(customer, payment_terms_days="30"))

    invoice = Invoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == invoice_url(invoice)
    assert (invoice.status, invoice.kind, invoice.currency) == ("draft", "invoice", "EUR")
    assert [
        (line.name, line.unit_price, line.discount_percent, line.total)
        for line in invoice.lines.all()
    ] == [
        ("Desk", Decimal("150.0000"), Decimal("10.000"), Decimal("324.00")),
        ("Coffee", Decimal("2.3500"), Decimal("0.000"), Decimal("7.76")),
    ]
    assert (invoice.total_net, invoice.total_tax, invoice.total) == (
        Decimal("277.05"),
        Decimal("54.71"),
        Decimal("331.76"),
    )
    assert (invoice.note, invoice.footer, invoice.payment_terms_days) == ("March", "Thank you", 30)
    event = AuditEvent.objects.get(invoice_id=invoice.pk)
    assert (event.action, event.source, event.actor_user_id) == (
        "invoice.created",
        "admin",
        author.pk,
    )


def test_a_drafts_page_says_draft_and_the_due_date_it_will_get(client, author, customer):
    submit(client, ADD_URL, draft_data(customer, payment_terms_days="30"))
    invoice = Invoice.objects.get()

    response = client.get(invoice_url(invoice))

    page = response.content.decode()
    assert ">Draft</span>" in page
    assert "Issued" not in page
    assert "Due 31 Mar 2026 once issued" in page
    assert "30 days after the invoice date" in page
    assert "−10 %" in page  # the discount column
    assert "Thank you" in page


def test_add_invoice_page_offers_only_active_customers_of_the_users_entities(
    client, author, customer
):
    archived = CustomerFactory(entity=customer.entity, archived_at=timezone.now())
    stranger = CustomerFactory(entity=EntityFactory())

    response = client.get(ADD_URL)

    choices = list(response.context["form"].fields["customer"].queryset)
    assert choices == [customer]
    assert archived not in choices and stranger not in choices


@pytest.mark.parametrize("who", ["stranger", "archived"])
def test_add_invoice_for_a_customer_outside_the_choices_is_a_form_error(
    client, author, customer, who
):
    other = (
        CustomerFactory(entity=EntityFactory())
        if who == "stranger"
        else CustomerFactory(entity=customer.entity, archived_at=timezone.now())
    )
    before = invoice_rows()

    response = submit(client, ADD_URL, draft_data(other))

    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert invoice_rows() == before


@pytest.mark.parametrize(
    "rows",
    [
        (),  # no line at all
        ({"name": "", "quantity": "1", "unit_price": ""},),  # only a blank row
        ({"name": "Desk", "quantity": "1", "unit_price": "abc"},),
        ({"name": "Desk", "quantity": "0", "unit_price": "10"},),
        ({"name": "Desk", "quantity": "1", "unit_price": "10", "discount_percent": "150"},),
        ({"name": "Desk", "quantity": "1", "unit_price": "1,234,5"},),
        ({"name": "Desk", "quantity": "1", "unit_price": "10.123456"},),
        ({"name": "", "quantity": "1", "unit_price": "10"},),
        ({"name": "Desk", "quantity": "1", "unit_price": "99999999999999999"},),
    ],
)
def test_bad_lines_are_form_errors_and_write_nothing(client, author, customer, rows):
    data = draft_data(customer, *rows) if rows else {**draft_data(customer), **line_rows()}
    before = invoice_rows()

    response = submit(client, ADD_URL, data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert formset.non_form_errors() or any(form.errors for form in formset.forms)
    assert invoice_rows() == before


@pytest.mark.parametrize(
    "fields",
    [
        {"date": "not a date"},
        {"date": "2026-03-10", "due_date": "2026-03-01"},
        {"payment_terms_days": "-3"},
        {"payment_terms_days": "9999"},
        {"customer": "cus_nope"},
    ],
)
def test_bad_draft_fields_are_form_errors_and_write_nothing(client, author, customer, fields):
    before = invoice_rows()

    response = submit(client, ADD_URL, draft_data(customer, **fields))

    assert response.status_code == 200
    assert response.context["form"].errors
    assert invoice_rows() == before


def test_a_tampered_line_management_form_is_a_form_error_not_a_500(client, author, customer):
    data = draft_data(customer)
    del data["lines-TOTAL_FORMS"]
    before = invoice_rows()

    response = submit(client, ADD_URL, data)

    assert response.status_code == 200
    assert invoice_rows() == before


def test_add_line_without_a_script_keeps_what_was_typed_and_adds_a_row(client, author, customer):
    data = draft_data(customer)
    data["add_line"] = "1"
    before = invoice_rows()

    response = submit(client, ADD_URL, data)

    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3
    assert formset.forms[0]["unit_price"].value() == "150,00"
    assert response.context["form"]["note"].value() == "March"
    assert not response.context["form"].errors
    assert invoice_rows() == before


def test_the_same_form_sent_twice_drafts_one_invoice(client, author, customer):
    data = draft_data(customer)
    submit(client, ADD_URL, data, token="t" * 24)

    second = submit(client, ADD_URL, data, token="t" * 24, follow=True)

    assert Invoice.objects.count() == 1
    assert any("already submitted" in message for message in messages_of(second))


def test_add_advance_invoice_drafts_an_advance(client, author, customer):
    response = submit(client, reverse("admin:invoices_advanceinvoice_add"), draft_data(customer))

    advance = Invoice.objects.get()
    assert response.status_code == 302
    assert advance.kind == "advance" and advance.pk.startswith("adv_")


def test_without_the_add_permission_the_add_page_is_refused(client, entity, customer):
    client.force_login(staff(entity))  # money permissions, but not add_invoice
    before = invoice_rows()

    opened = client.get(ADD_URL)
    posted = submit(client, ADD_URL, draft_data(customer))

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert invoice_rows() == before


def test_edit_draft_replaces_its_lines_and_fields(client, author, customer):
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")
    url = invoice_url(draft, "edit_draft")

    form = client.get(url).context["formset"]
    assert [row["name"].value() for row in form.forms] == ["Desk rental"]
    response = submit(
        client,
        url,
        draft_data(
            customer,
            {"name": "Meeting room", "quantity": "1,5", "unit_price": "40", "tax_rate": "0"},
            due_date="2026-03-20",
        ),
    )

    draft.refresh_from_db()
    assert response["Location"] == invoice_url(draft)
    assert [(line.name, line.quantity, line.total) for line in draft.lines.all()] == [
        ("Meeting room", Decimal("1.5000"), Decimal("60.00"))
    ]
    assert (draft.total, draft.total_due, draft.due_date) == (
        Decimal("60.00"),
        Decimal("60.00"),
        date(2026, 3, 20),
    )
    assert AuditEvent.objects.filter(invoice_id=draft.pk, action="invoice.updated").exists()


def test_edit_with_a_removed_row_keeps_the_others(client, author, customer):
    draft = draft_invoice(customer, total="30.00")
    data = draft_data(customer)
    data["lines-1-DELETE"] = "on"

    submit(client, invoice_url(draft, "edit_draft"), data)

    assert [line.name for line in draft.lines.all()] == ["Desk"]


def test_bad_input_on_edit_changes_nothing(client, author, customer):
    draft = draft_invoice(customer, total="30.00")
    before = invoice_rows()

    response = submit(
        client,
        invoice_url(draft, "edit_draft"),
        draft_data(customer, {"name": "Desk", "quantity": "1", "unit_price": "-5"}),
    )

    assert response.status_code == 200
    assert invoice_rows() == before


def test_an_issued_invoice_cannot_be_edited_or_deleted(client, author, customer):
    invoice = issued_invoice(customer, total="100.00")
    before = invoice_rows()

    opened = client.get(invoice_url(invoice, "edit_draft"))
    posted = submit(client, invoice_url(invoice, "edit_draft"), draft_data(customer))
    deleted = submit(client, invoice_url(invoice, "delete_draft"), {})

    assert opened.status_code == 302 and opened["Location"] == invoice_url(invoice)
    assert posted.status_code == 200
    assert "Only a draft can be changed" in posted.content.decode()
    assert deleted.status_code == 200
    assert invoice_rows() == before
    page = client.get(invoice_url(invoice)).content.decode()
    assert "Edit draft" not in page and "Delete draft" not in page
    assert "Duplicate as new draft" in page


def test_another_entitys_draft_is_not_found(client, author):
    draft = draft_invoice(CustomerFactory(entity=EntityFactory()), total="30.00")
    before = invoice_rows()

    for name in ("edit_draft", "delete_draft", "duplicate"):
        assert client.get(invoice_url(draft, name)).status_code == 404
        assert submit(client, invoice_url(draft, name), {}).status_code == 404
    assert invoice_rows() == before


def test_without_change_or_delete_permission_edit_and_delete_are_refused(client, entity, customer):
    client.force_login(staff(entity, grant=["invoices.add_invoice"]))
    draft = draft_invoice(customer, total="30.00")
    before = invoice_rows()

    statuses = [
        client.get(invoice_url(draft, "edit_draft")).status_code,
        submit(client, invoice_url(draft, "edit_draft"), draft_data(customer)).status_code,
        client.get(invoice_url(draft, "delete_draft")).status_code,
        submit(client, invoice_url(draft, "delete_draft"), {}).status_code,
    ]

    assert statuses == [403, 403, 403, 403]
    assert invoice_rows() == before
    page = client.get(invoice_url(draft)).content.decode()
    assert "Edit draft" not in page and "Delete draft" not in page


def test_delete_draft_after_confirmation(client, author, customer):
    draft = draft_invoice(customer, total="30.00")

    confirm = client.get(invoice_url(draft, "delete_draft"))
    response = submit(client, invoice_url(draft, "delete_draft"), {})

    assert "Delete draft" in confirm.content.decode()
    assert response["Location"] == reverse("admin:invoices_invoice_changelist")
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    assert AuditEvent.objects.filter(invoice_id=draft.pk, action="invoice.deleted").exists()


def test_duplicate_makes_a_new_draft_and_opens_it(client, author, customer):
    invoice = issued_invoice(customer, total="100.00")

    response = submit(client, invoice_url(invoice, "duplicate"), {})

    copy = Invoice.objects.exclude(pk=invoice.pk).get()
    assert response["Location"] == invoice_url(copy)
    assert (copy.status, copy.total, copy.date) == (
        "draft",
        Decimal("100.00"),
        timezone.localdate(),
    )


def test_without_add_permission_duplicate_is_refused(client, entity, customer):
    client.force_login(staff(entity))
    invoice = issued_invoice(customer, total="100.00")
    before = invoice_rows()

    assert client.get(invoice_url(invoice, "duplicate")).status_code == 403
    assert submit(client, invoice_url(invoice, "duplicate"), {}).status_code == 403
    assert invoice_rows() == before


def test_issue_page_offers_the_due_date_from_the_terms_and_uses_the_one_given(
    client, author, customer
):
    draft = draft_invoice(customer, total="30.00", date="2026-03-01", payment_terms_days=10)

    form = client.get(invoice_url(draft, "issue")).context["form"]
    response = submit(
        client, invoice_url(draft, "issue"), {"due_date": "2026-04-15", "apply_balance": "on"}
    )

    assert form.initial["due_date"] == date(2026, 3, 11)
    draft.refresh_from_db()
    assert (draft.status, draft.due_date) == ("issued", date(2026, 4, 15))
    page = client.get(response["Location"]).content.decode()
    assert "15 Apr 2026" in page


def test_issue_with_a_due_date_before_the_invoice_date_is_a_form_error(client, author, customer):
    draft = draft_invoice(customer, total="30.00", date="2026-03-01")

    response = submit(client, invoice_url(draft, "issue"), {"due_date": "2026-02-01"})

    assert response.status_code == 200
    assert "due date cannot be before" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.due_date) == ("draft", "", None)
