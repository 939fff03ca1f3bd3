"""Made-up bank statements (no real bank, account or person) in every format Settle reads.

Statement A holds seven lines; statement B repeats A's last two (same bank references)
and adds an eighth, as an overlapping download from the bank would.
"""

from pathlib import Path

from banking.formats import CsvMapping

SAMPLES_DIR = Path(__file__).resolve().parent

ACCOUNT_IBAN = "DE89370400440532013000"

# The German-style CSV export of statement_a.csv / statement_b.csv.
STATEMENT_MAPPING = CsvMapping(
    date="Buchungstag",
    value_date="Valuta",
    amount="Betrag",
    currency="Währung",
    counterparty_name="Name",
    counterparty_iban="IBAN",
    remittance_info="Verwendungszweck",
    bank_reference="Referenz",
    delimiter=";",
    date_format="%d.%m.%Y",
    decimal_comma=True,
)


def sample_path(name: str) -> Path:
    return SAMPLES_DIR / name


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()
