"""The period form of a customer statement, the same in the back office and the portal:
from and to (default: 1 January of this year to today), and the currency when the customer
has documents in more than one."""

from datetime import date

from django import forms
from django.utils import timezone

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return date(today.year, 1, 1), today


class StatementPeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DATE_WIDGET)
    end = forms.DateField(label="To", widget=DATE_WIDGET)
    currency = forms.ChoiceField(label="Currency", required=False)

    def __init__(self, data=None, *, currencies: list[str]):
        start, end = default_period()
        # Unbound (no period asked for yet): the default period, valid as it stands.
        if not data or not ({"start", "end", "currency"} & set(data)):
            data = {"start": start.isoformat(), "end": end.isoformat()}
        super().__init__(data)
        self.fields["currency"].choices = [(code, code) for code in currencies]
        self.currencies = currencies

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        for name in ("start", "end"):
            value = cleaned.get(name)
            if value is not None and not 1900 <= value.year <= 2999:
                self.add_error(name, "Enter a date between 1900 and 2999.")
        if start and end and start > end:
            self.add_error("end", "The period ends before it starts.")
        if not cleaned.get("currency"):
            cleaned["currency"] = self.currencies[0]
        return cleaned

    def query(self) -> str:
        """The period as a query string, for the download links."""
        cleaned = self.cleaned_data
        return (
            f"start={cleaned['start'].isoformat()}&end={cleaned['end'].isoformat()}"
            f"&currency={cleaned['currency']}"
        )
