"""Import statement: upload a bank's file (CAMT.053, MT940 or CSV) for one of the user's
entities; `statement_import` reads it, stores each line once and suggests what it pays.
The page then opens the statement's review page and says what the import found."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import reverse

from backoffice.bank_review import RECORD_PERMISSION, statement_url, user_entity_ids
from backoffice.flow_base import admin_actor
from backoffice.flows import OneTimeForm, Outcome, run_once
from banking.formats import (
    FORMATS,
    MAX_STATEMENT_BYTES,
)
from banking.selectors import accounts_for, line_status_counts
from banking.services.importing import statement_import
from billing.entity_settings import clean_iban
from billing.errors import SettleError
from billing.formats import format_iban
from billing.models import Entity

FORMAT_LABELS = {"camt053": "CAMT.053 (ISO 20022 XML)", "mt940": "MT940", "csv": "CSV"}
DELIMITERS = [(";", "Semicolon ;"), (",", "Comma ,"), ("\t", "Tab"), ("|", "Bar |")]
# Form field → `CsvMapping` field.
CSV_FIELDS = {
    "csv_date": "date",
    "csv_amount": "amount",
    "csv_name": "counterparty_name",
    "csv_iban": "counterparty_iban",
    "csv_remittance": "remittance_info",
    "csv_reference": "bank_reference",
    "csv_value_date": "value_date",
    "csv_currency": "currency",
    "csv_delimiter": "delimiter",
    "csv_date_format": "date_format",
    "csv_decimal_comma": "decimal_comma",
}
IMPORT_PARAMS = {"bank_account_id": "bank_account", "csv_mapping": "csv_date", "format": "format"}


def import_statement(*, entity, actor, upload, data: dict, csv_mapping: dict | None):
    """`statement_import` with what the form says: the account, or the IBAN of a new one."""
    return statement_import(
        entity=entity,
        actor=actor,
        data=upload.read(),
        filename=upload.name or "",
        format=data.get("format") or None,
        bank_account_id=data.get("bank_account") or None,
        csv_mapping=csv_mapping,
        new_account_iban=data.get("account_iban") or "",
    )


def _column(label: str, required_with_mapping: bool = False) -> forms.CharField:
    help_text = "Required for a CSV file." if required_with_mapping else ""
    return forms.CharField(label=label, max_length=100, required=False, help_text=help_text)


class StatementImportForm(OneTimeForm):
    file = forms.FileField(label="Statement file")
    entity = forms.ChoiceField(label="Entity", required=False)
    bank_account = forms.ChoiceField(label="Bank account", required=False)
    account_iban = forms.CharField(
        label="IBAN of a new account",
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"size": 34, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Only for a new account whose file does not name it (a CSV file usually "
        "does not).",
    )
    format = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Detect from the file")] + [(f, FORMAT_LABELS[f]) for f in FORMATS],
    )
    csv_date = _column("Date column", True)
    csv_amount = _column("Amount column", True)
    csv_name = _column("Name column")
    csv_iban = _column("IBAN column")
    csv_remittance = _column("Remittance column")
    csv_reference = _column("Reference column")
    csv_value_date = _column("Value date column")
    csv_currency = _column("Currency column")
    csv_delimiter = forms.ChoiceField(label="Delimiter", choices=DELIMITERS, required=False)
    csv_date_format = forms.CharField(
        label="Date format",
        max_length=40,
        required=False,
        initial="%Y-%m-%d",
        help_text="As the bank writes dates: %d.%m.%Y for 21.11.2026, %Y-%m-%d for 2026-11-21.",
    )
    csv_decimal_comma = forms.BooleanField(label="Amounts use a decimal comma", required=False)

    def __init__(self, *args, entities, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.entities = {entity.pk: entity for entity in entities}
        self.accounts = {account.pk: account for account in accounts}
        if len(self.entities) > 1:
            self.fields["entity"].choices = [("", "— the chosen account's —")] + [
                (entity.pk, entity.name) for entity in entities
            ]
            self.fields["entity"].help_text = "Needed for a new account."
        else:
            del self.fields["entity"]
        several = len(self.entities) > 1
        self.fields["bank_account"].choices = [("", "New, from the file's IBAN")] + [
            (
                account.pk,
                " · ".join(
                    part
                    for part in [
                        account.name,
                        format_iban(account.iban) if account.iban != account.name else "",
                        account.entity.name if several else "",
                    ]
                    if part
                ),
            )
            for account in accounts
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size // (1024 * 1024)} MB; a statement may be at most "
                f"{MAX_STATEMENT_BYTES // (1024 * 1024)} MB."
            )
        return upload

    def clean_account_iban(self):
        try:
            return clean_iban(self.cleaned_data["account_iban"])
        except SettleError as error:
            raise forms.ValidationError(error.message, code=error.code) from None

    def clean(self):
        cleaned = super().clean()
        account = self.accounts.get(cleaned.get("bank_account") or "")
        if account is not None:
            cleaned["target"] = account.entity
        elif len(self.entities) == 1:
            cleaned["target"] = next(iter(self.entities.values()))
        elif cleaned.get("entity") in self.entities:
            cleaned["target"] = self.entities[cleaned["entity"]]
        else:
            self.add_error("entity", "Choose the entity this statement belongs to.")
        if bool(cleaned.get("csv_date")) != bool(cleaned.get("csv_amount")):
            missing = "csv_amount" if cleaned.get("csv_date") else "csv_date"
            self.add_error(missing, "A CSV mapping needs both the date and the amount column.")
        return cleaned

    def csv_mapping(self) -> dict | None:
        """The mapping typed on the form, or None to use the account's saved one."""
        data = self.cleaned_data
        if not data.get("csv_date"):
            return None
        mapping = {key: data.get(name) for name, key in CSV_FIELDS.items()}
        mapping["delimiter"] = mapping["delimiter"] or ";"
        mapping["date_format"] = mapping["date_format"] or "%Y-%m-%d"
        mapping["decimal_comma"] = bool(mapping["decimal_comma"])
        return {key: value for key, value in mapping.items() if value not in (None, "")}


def mapping_initial(account) -> dict:
    """The form's CSV fields from an account's saved mapping."""
    saved = account.csv_mapping if account is not None else {}
    return {name: saved[key] for name, key in CSV_FIELDS.items() if key in (saved or {})}


def import_message(result) -> str:
    statement = result.statement
    if not result.created:
        return (
            f"This file was imported before, on {statement.created_at:%d %b %Y}: nothing was "
            "added and nothing was paid twice."
        )
    counts = line_status_counts(statement.lines.all())
    stored = sum(counts.values())
    text = (
        f"{stored} line{'s' if stored != 1 else ''}: {counts['matched']} matched "
        f"automatically, {counts['suggested']} suggested, {counts['unmatched']} to review"
    )
    if counts["ignored"]:
        text += f", {counts['ignored']} ignored"
    if result.confirming_later:
        text += (
            f". {result.confirming_later} certain match"
            f"{'es are' if result.confirming_later != 1 else ' is'} being confirmed in the "
            "background: reload the page in a moment"
        )
    if statement.lines_repeated:
        text += (
            f". {statement.lines_repeated} more line"
            f"{'s were' if statement.lines_repeated != 1 else ' was'} imported before"
        )
    return text + "."


def statement_import_view(model_admin, request):
    if not request.user.has_perm(RECORD_PERMISSION):
        raise PermissionDenied
    entity_ids = user_entity_ids(request.user)
    entities = list(Entity.objects.filter(pk__in=entity_ids).order_by("name"))
    accounts = list(accounts_for(entity_ids).order_by("entity__name", "name"))
    chosen = next((a for a in accounts if a.pk == request.GET.get("account")), None)
    initial = {"bank_account": chosen.pk if chosen else "", **mapping_initial(chosen)}
    form = StatementImportForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        entities=entities,
        accounts=accounts,
    )
    back = reverse("admin:banking_bankstatement_import")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def run() -> Outcome:
            result = import_statement(
                entity=data["target"],
                actor=admin_actor(request),
                upload=data["file"],
                data=data,
                csv_mapping=form.csv_mapping(),
            )
            return Outcome(statement_url(result.statement.pk), import_message(result))

        response = run_once(
            request,
            form,
            purpose="bank_statement.import",
            action=run,
            back_url=back,
            params=IMPORT_PARAMS,
        )
        if response is not None:
            return response
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": "Import statement",
        "form": form,
        "saved_mappings": {
            account.pk: mapping_initial(account) for account in accounts if account.csv_mapping
        },
        "list_url": reverse("admin:banking_bankstatement_changelist"),
    }
    return TemplateResponse(request, "admin/settle/bank_import.html", context)
