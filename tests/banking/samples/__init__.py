"""Made-up bank statements (no real bank, account or person) in every format Settle reads.

Statement A holds seven lines; statement B repeats A's last two (same bank references)
and adds an eighth, as an overlapping download from the bank would.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from banking.formats import CsvMapping, ParsedLine

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


def _line(day, amount, name, iban, remittance, reference, creditor_reference=""):
    booked = date(2026, 11, day)
    return ParsedLine(
        booking_date=booked,
        value_date=booked,
        amount=Decimal(amount),
        currency="EUR",
        counterparty_name=name,
        counterparty_iban=iban,
        remittance_info=remittance,
        bank_reference=reference,
        creditor_reference=creditor_reference,
    )


# What every format of statement A gives back, line for line.
STATEMENT_A_LINES = [
    _line(
        2,
        "120.00",
        "Acme Coworking GmbH",
        "DE02120300000000202051",
        "Invoice INV-2026-00001 thank you",
        "BREF-0001",
    ),
    _line(
        3,
        "250.00",
        "Beta Studio",
        "DE02500105170137075030",
        "RF49INV202600002",
        "BREF-0002",
        creditor_reference="RF49INV202600002",
    ),
    _line(3, "75.50", "Gamma Ltd", "GB33BUKB20201555555555", "November membership", "BREF-0003"),
    _line(4, "99.00", "Delta Freelance", "DE75512108001245126199", "Monthly desk", "BREF-0004"),
    _line(4, "60.00", "Epsilon SARL", "FR1420041010050500013M02606", "Desk rental", "BREF-0005"),
    _line(5, "15.00", "Unknown Sender", "NL91ABNA0417164300", "Donation", "BREF-0006"),
    _line(
        6,
        "-40.00",
        "Acme Coworking GmbH",
        "DE02120300000000202051",
        "Refund INV-2026-00001",
        "BREF-0007",
    ),
]

# Statement B: A's last two lines again, then one more.
STATEMENT_B_LINES = [
    *STATEMENT_A_LINES[5:],
    _line(9, "300.00", "Zeta AG", "CH9300762011623852957", "INV-2026-00008", "BREF-0008"),
]

SAMPLE_FILES = {
    "camt053": ("statement_a.xml", "statement_b.xml"),
    "mt940": ("statement_a.sta", "statement_b.sta"),
    "csv": ("statement_a.csv", "statement_b.csv"),
}


def sample_path(name: str) -> Path:
    return SAMPLES_DIR / name


def sample_bytes(name: str) -> bytes:
    return sample_path(name).read_bytes()
