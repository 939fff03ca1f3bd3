"""The entity settings form: what its invoices say about it, and how they are collected.

The fields check what `entity_settings_update` checks, with the same rules
(`billing.entity_settings`), so a bad IBAN or logo is shown next to its field.
"""

from django import forms

from billing.customer_profile import clean_email, clean_terms_days
from billing.entity_settings import (
    MAX_LOGO_BYTES,
    SETTINGS_FIELDS,
    clean_bic,
    clean_iban,
    clean_logo,
    format_reminder_days,
    parse_reminder_days,
)
from billing.errors import SettleError
from billing.formats import format_iban
from billing.models import Entity


def _checked(rule, *args):
    try:
        return rule(*args)
    except SettleError as error:
        raise forms.ValidationError(error.message, code=error.code) from None


class EntitySettingsForm(forms.ModelForm):
    iban = forms.CharField(
        label="IBAN",
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"size": 34, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Printed on invoices for bank transfers, in groups of four.",
    )
    bic = forms.CharField(
        label="BIC",
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"size": 14, "autocomplete": "off", "spellcheck": "false"}),
        help_text="The bank's code (8 or 11 characters), of the IBAN's country.",
    )
    logo_file = forms.FileField(
        label="Logo",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=f"PNG or JPEG, up to {MAX_LOGO_BYTES // 1024} KB. Printed at the top of "
        "invoices and credit notes.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)
    payment_terms_days = forms.IntegerField(
        label="Default payment terms (days)",
        min_value=0,
        max_value=365,
        help_text="Days from an invoice's date to its due date, 0 to 365, unless a "
        "customer has its own.",
    )
    reminder_days = forms.CharField(
        label="Reminder schedule",
        required=False,
        max_length=100,
        help_text="Days after the due date on which an overdue invoice is reminded, e.g. "
        "3, 10, 20 (ascending, at most 10). Leave empty for no reminders.",
    )

    class Meta:
        model = Entity
        fields = list(SETTINGS_FIELDS)
        labels = {
            "sender_email": "Sender e-mail",
            "invoice_footer": "Invoice footer",
            "bank_auto_confirm": "Confirm certain bank matches automatically",
            "require_change_reason": "Require a reason to delete a payment or change its amount",
        }
        help_texts = {
            "bank_auto_confirm": "A bank line whose remittance names exactly one open "
            "invoice, for no more than its due, is recorded as its payment at import. The "
            "other lines wait for review.",
        }
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "invoice_footer": forms.Textarea(attrs={"rows": 3, "cols": 40}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["iban"] = format_iban(self.instance.iban)
        self.initial["reminder_days"] = format_reminder_days(self.instance.reminder_days)

    def clean_iban(self):
        return _checked(clean_iban, self.cleaned_data["iban"])

    def clean_payment_terms_days(self):
        return _checked(
            lambda v: clean_terms_days(v, "payment_terms_days", allow_none=False),
            self.cleaned_data["payment_terms_days"],
        )

    def clean_sender_email(self):
        return _checked(clean_email, self.cleaned_data["sender_email"], "sender_email")

    def clean_reminder_days(self):
        return _checked(parse_reminder_days, self.cleaned_data["reminder_days"])

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > MAX_LOGO_BYTES:  # before reading it
            raise forms.ValidationError(
                f"The logo is {upload.size // 1024} KB; it may be at most "
                f"{MAX_LOGO_BYTES // 1024} KB.",
                code="logo_too_large",
            )
        data, _content_type = _checked(clean_logo, upload.read())
        return data

    def clean(self):
        cleaned = super().clean()
        if "iban" in cleaned and "bic" in cleaned:
            try:
                cleaned["bic"] = clean_bic(cleaned["bic"], cleaned["iban"])
            except SettleError as error:
                self.add_error("bic", forms.ValidationError(error.message, code=error.code))
        return cleaned

    def settings_changes(self) -> dict:
        """The settings the user changed, cleaned: what the service is given."""
        changed = [name for name in SETTINGS_FIELDS if name in self.changed_data]
        if "iban" in changed:
            changed.append("bic")  # the pair is checked together
        return {name: self.cleaned_data[name] for name in dict.fromkeys(changed)}
