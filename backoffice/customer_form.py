"""The customer form of the back office: its fields check what the customer services check,
with the same rules (`billing.customer_profile`), so a refusal shows next to its field."""

from django import forms

from billing.customer_profile import (
    clean_email,
    clean_language,
    clean_profile_text,
    clean_terms_days,
    parse_cc_emails,
)
from billing.errors import SettleError
from billing.models import LANGUAGE_CHOICES, Customer, Entity
from billing.money import CURRENCY_CHOICES
from billing.services import customer_check_currency_change
from billing.validation import clean_metadata

# What the form may change; the rest (balance, gateway id, dates) is read-only.
EDITABLE_FIELDS = [
    "name",
    "email",
    "cc_emails",
    "address",
    "tax_id",
    "payment_terms_days",
    "language",
    "reminders_paused",
    "currency",
    "user",
    "metadata",
]


def as_form_error(error: SettleError) -> forms.ValidationError:
    return forms.ValidationError(error.message, code=error.code)


class CustomerForm(forms.ModelForm):
    cc_emails = forms.CharField(
        label="Further billing e-mails",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
        help_text="They get a copy of every invoice and reminder. "
        "Separate them with commas or new lines.",
    )
    payment_terms_days = forms.IntegerField(
        label="Payment terms (days)",
        required=False,
        min_value=0,
        max_value=365,
        widget=forms.NumberInput(attrs={"class": "vIntegerField"}),
    )
    language = forms.ChoiceField(
        required=False, choices=[("", "The entity's language"), *LANGUAGE_CHOICES]
    )
    currency = forms.ChoiceField(
        required=False,
        choices=[("", "The entity's currency"), *CURRENCY_CHOICES],
        help_text="Fixed once the customer has invoices, credit notes, payments or "
        "balance movements.",
    )

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS
        labels = {
            "email": "Billing e-mail",
            "reminders_paused": "Pause reminders",
            "user": "Portal user",
        }
        help_texts = {"user": "Who signs in to the member portal to see and pay the invoices."}
        widgets = {"address": forms.Textarea(attrs={"rows": 3, "cols": 40})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.initial["cc_emails"] = "\n".join(self.instance.cc_emails or [])
            self.fields["currency"].choices = CURRENCY_CHOICES

    def entity_hint(self, entity: Entity | None) -> None:
        """Say what a blank field falls back to: the terms and language of `entity`."""
        terms, language = self.fields["payment_terms_days"], self.fields["language"]
        if entity is None:
            terms.help_text = "Leave blank for the entity's terms."
            return
        days = entity.payment_terms_days
        terms.help_text = (
            f"Entity default: {days} day{'s' if days != 1 else ''}. Leave blank to use it."
        )
        language.choices = [
            ("", f"Entity default: {entity.get_language_display()}"),
            *LANGUAGE_CHOICES,
        ]
        if self.instance._state.adding:
            self.fields["currency"].choices = [
                ("", f"Entity default: {entity.default_currency}"),
                *CURRENCY_CHOICES,
            ]

    def _checked(self, rule, *args):
        try:
            return rule(*args)
        except SettleError as error:
            raise as_form_error(error) from None

    def clean_name(self):
        return self._checked(
            lambda v: clean_profile_text(v, "name", required=True), self.cleaned_data["name"]
        )

    def clean_email(self):
        return self._checked(clean_email, self.cleaned_data["email"])

    def clean_cc_emails(self):
        return self._checked(parse_cc_emails, self.cleaned_data["cc_emails"])

    def clean_address(self):
        return self._checked(clean_profile_text, self.cleaned_data["address"], "address")

    def clean_tax_id(self):
        return self._checked(clean_profile_text, self.cleaned_data["tax_id"], "tax_id")

    def clean_payment_terms_days(self):
        return self._checked(clean_terms_days, self.cleaned_data["payment_terms_days"])

    def clean_language(self):
        return self._checked(clean_language, self.cleaned_data["language"])

    def clean_metadata(self):
        return self._checked(clean_metadata, self.cleaned_data["metadata"])

    def clean_currency(self):
        currency = self.cleaned_data["currency"]
        if not self.instance._state.adding:
            stored = Customer.objects.get(pk=self.instance.pk)
            currency = currency or stored.currency  # not posted: unchanged
            if currency != stored.currency:
                self._checked(customer_check_currency_change, stored)
        return currency

    def clean(self):
        cleaned = super().clean()
        entity = cleaned.get("entity")
        if self.instance._state.adding and not cleaned.get("currency") and entity is not None:
            cleaned["currency"] = entity.default_currency
        return cleaned

    def changed_profile(self) -> dict:
        """The fields the user changed, cleaned: what the update service is given."""
        return {
            name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.changed_data
        }
