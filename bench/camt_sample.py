"""Writing camt.053.001.02 statements from ParsedLine objects, for tests and benchmarks.

The import benchmark needs a 10,000-line statement and the tests need documents shaped like
a bank's; both are written here from the same lines the parser should give back, so a round
trip proves the reader. Run `python -m bench.camt_sample` to time writing and reading
10,000 lines.
"""

import time
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from xml.sax.saxutils import escape

from banking.formats import ParsedLine

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
_USTRD_MAX = 140  # Max140Text
_ATTRIBUTE = {'"': "&quot;"}
# Characters XML 1.0 forbids; a bank's text never needs them.
_FORBIDDEN = dict.fromkeys(c for c in range(32) if c not in (9, 10, 13))


def _text(value: str) -> str:
    return escape(value.translate(_FORBIDDEN))


def _chunks(text: str) -> list[str]:
    """Max140Text pieces split at spaces, so that joining them with a space gives `text`."""
    if len(text) <= _USTRD_MAX:
        return [text] if text else []
    pieces, current = [], ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= _USTRD_MAX or not current:
            current = candidate
        else:
            pieces.append(current)
            current = word
    pieces.append(current)
    return pieces


def _amount(value: Decimal) -> str:
    return format(abs(value), "f")


def _balance(code: str, amount: Decimal, currency: str, on: date) -> str:
    indicator = "CRDT" if amount >= 0 else "DBIT"
    return (
        f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
        f'<Amt Ccy="{currency}">{_amount(amount)}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Dt><Dt>{on.isoformat()}</Dt></Dt></Bal>"
    )


def _entry(line: ParsedLine) -> str:
    credit = line.amount >= 0
    role = "Dbtr" if credit else "Cdtr"
    parties = ""
    if line.counterparty_name:
        parties += f"<{role}><Nm>{_text(line.counterparty_name)}</Nm></{role}>"
    if line.counterparty_iban:
        parties += f"<{role}Acct><Id><IBAN>{_text(line.counterparty_iban)}</IBAN></Id></{role}Acct>"
    free = line.remittance_info
    remittance = ""
    if line.creditor_reference:
        free = free.removeprefix(line.creditor_reference).lstrip()
        remittance += (
            "<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO</Issr></Tp>"
            f"<Ref>{_text(line.creditor_reference)}</Ref></CdtrRefInf></Strd>"
        )
    remittance = "".join(f"<Ustrd>{_text(piece)}</Ustrd>" for piece in _chunks(free)) + remittance
    details = ""
    if parties or remittance:
        details = (
            "<NtryDtls><TxDtls>"
            + (f"<RltdPties>{parties}</RltdPties>" if parties else "")
            + (f"<RmtInf>{remittance}</RmtInf>" if remittance else "")
            + "</TxDtls></NtryDtls>"
        )
    value_date = f"<ValDt><Dt>{line.value_date.isoformat()}</Dt></ValDt>" if line.value_date else ""
    reference = (
        f"<AcctSvcrRef>{_text(line.bank_reference)}</AcctSvcrRef>" if line.bank_reference else ""
    )
    return (
        f'<Ntry><Amt Ccy="{escape(line.currency, _ATTRIBUTE)}">{_amount(line.amount)}</Amt>'
        f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
        f"<BookgDt><Dt>{line.booking_date.isoformat()}</Dt></BookgDt>{value_date}{reference}"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly>"
        f"<Cd>{'RCDT' if credit else 'ICDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
        f"</Fmly></Domn></BkTxCd>{details}</Ntry>"
    )


def camt053_document(
    lines: Iterable[ParsedLine],
    *,
    account_iban: str,
    statement_id: str,
    currency: str = "EUR",
    opening_balance: Decimal = Decimal("0.00"),
) -> bytes:
    """A camt.053.001.02 document with one booked entry per line (all text escaped)."""
    lines = list(lines)
    dates = [line.booking_date for line in lines] or [date.today()]
    closing = opening_balance + sum((line.amount for line in lines), Decimal("0.00"))
    statement_id = _text(statement_id)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<Document xmlns="{NAMESPACE}"><BkToCstmrStmt>',
        f"<GrpHdr><MsgId>{statement_id}</MsgId><CreDtTm>{max(dates).isoformat()}T18:00:00"
        "</CreDtTm></GrpHdr>",
        f"<Stmt><Id>{statement_id}</Id><CreDtTm>{max(dates).isoformat()}T18:00:00</CreDtTm>",
        f"<Acct><Id><IBAN>{_text(account_iban)}</IBAN></Id><Ccy>{_text(currency)}</Ccy></Acct>",
        _balance("OPBD", opening_balance, currency, min(dates)),
        _balance("CLBD", closing, currency, max(dates)),
    ]
    parts.extend(_entry(line) for line in lines)
    parts.append("</Stmt></BkToCstmrStmt></Document>\n")
    return "".join(parts).encode("utf-8")


def sample_lines(count: int, *, start: date = date(2026, 11, 2)) -> list[ParsedLine]:
    """`count` varied lines: payers, RF references, invoice numbers, some money out."""
    lines = []
    for number in range(1, count + 1):
        credit = number % 10 != 0
        amount = Decimal(f"{(number * 37) % 5000 + 1}.{number % 100:02d}")
        lines.append(
            ParsedLine(
                booking_date=start + timedelta(days=number % 28),
                value_date=start + timedelta(days=number % 28),
                amount=amount if credit else -amount,
                currency="EUR",
                counterparty_name=f"Customer {number % 997} & Söhne <GmbH>",
                counterparty_iban=f"DE{number % 90 + 10:02d}{number:018d}",
                remittance_info=f"Invoice INV-2026-{number:05d}",
                bank_reference=f"BREF-{number:07d}",
            )
        )
    return lines


def main(count: int = 10_000) -> None:
    from banking.formats.camt053 import parse_camt053

    lines = sample_lines(count)
    started = time.perf_counter()
    document = camt053_document(lines, account_iban="DE89370400440532013000", statement_id="B")
    written = time.perf_counter()
    statement = parse_camt053(document)
    parsed = time.perf_counter()
    assert statement.lines == lines
    print(
        f"{count} lines, {len(document) / 1e6:.1f} MB: written in {written - started:.3f} s, "
        f"parsed in {parsed - written:.3f} s"
    )


if __name__ == "__main__":
    main()
