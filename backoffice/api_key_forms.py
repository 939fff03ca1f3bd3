"""The forms of API keys in the back office: create (name, entities, scopes, expiry) and roll."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from billing.api_key_scopes import READ, RESOURCES, WRITE, scope_name
from billing.models import Entity

LEVELS = [("", "None"), (READ, "Read"), (WRITE, "Write")]
RESOURCE_LABELS = {resource: resource.replace("_", " ").capitalize() for resource in RESOURCES}
GRACE_CHOICES = [
    ("0", "None: the old secret stops now"),
    ("3600", "1 hour"),
    ("86400", "24 hours"),
    ("604800", "7 days"),
]


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text='What uses it, e.g. "Accounting sync".',
    )
    entities = forms.ModelMultipleChoiceField(
        queryset=Entity.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="The entities the key may act on.",
    )
    access = forms.ChoiceField(
        choices=[
            ("full", "Full access: every resource, read and write"),
            ("restricted", "Restricted: only the scopes chosen below"),
        ],
        initial="restricted",
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        label="Expires after",
        help_text="Optional. The key works through this day, then answers 401.",
    )

    def __init__(self, *args, entities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entities"].queryset = entities
        if len(entities) == 1:
            self.fields["entities"].initial = [entities[0].pk]
        for resource in RESOURCES:
            self.fields[f"scope_{resource}"] = forms.ChoiceField(
                choices=LEVELS,
                required=False,
                initial="",
                label=RESOURCE_LABELS[resource],
                widget=forms.RadioSelect,
            )

    def scope_fields(self):
        return [self[f"scope_{resource}"] for resource in RESOURCES]

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.")
        return day

    def clean(self):
        data = super().clean()
        if data.get("access") == "restricted" and not self.scopes():
            raise forms.ValidationError(
                "Choose read or write for at least one resource, or give the key full access."
            )
        return data

    def scopes(self) -> list[str]:
        """The chosen scopes; none for a key with full access."""
        if self.cleaned_data.get("access") != "restricted":
            return []
        return [
            scope_name(resource, level)
            for resource in RESOURCES
            if (level := self.cleaned_data.get(f"scope_{resource}"))
        ]

    def expires_at(self) -> datetime | None:
        """The end of the chosen day, in the site's time zone."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class ApiKeyRollForm(forms.Form):
    grace = forms.ChoiceField(
        choices=GRACE_CHOICES,
        initial="86400",
        widget=forms.RadioSelect,
        label="Old secret keeps working for",
        help_text="Time to deploy the new secret; then the old one answers 401.",
    )

    def grace_period(self) -> timedelta:
        return timedelta(seconds=int(self.cleaned_data["grace"]))
