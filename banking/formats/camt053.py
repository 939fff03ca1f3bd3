"""CAMT.053 (ISO 20022 BankToCustomerStatement), versions 001.02 to 001.13.

Element names follow the ISO 20022 message definition. The versions differ where this
reader looks in two places only, and both forms are read whatever the version says: the
entry status (`Sts` text in 02, `Sts/Cd` from 08) and the related parties (`Dbtr/Nm` in
02, `Dbtr/Pty/Nm` from 08). Only booked entries (BOOK) become lines: pending and
informational ones may still change or vanish.
"""

from datetime import date
from decimal import Decimal
from functools import lru_cache

from lxml import etree

from banking.formats import (
    CAMT053_NAMESPACE_PREFIX,
    ParsedLine,
    ParsedStatement,
    StatementFormatError,
)
from banking.formats.cleaning import (
    check_size,
    clean_iban,
    clean_text,
    decimal_from_text,
    find_creditor_reference,
)
from banking.formats.xml_input import load_xml, local_name


@lru_cache(maxsize=512)
def _steps(namespace: str, path: str) -> tuple[str, ...]:
    return tuple(f"{{{namespace}}}{step}" for step in path.split("/"))


class _Reader:
    """Namespace-aware lookups for one document's namespace.

    Paths are walked child by child with lxml's C-level `iterchildren(tag)`: ElementPath's
    `find` costs several times more, and a 10,000-entry statement makes ~100,000 lookups.
    Each step takes the first matching child, which is the ISO schema's cardinality for
    every element read through `find` and `text`.
    """

    def __init__(self, namespace: str):
        self.namespace = namespace

    def find(self, element, path: str):
        for tag in _steps(self.namespace, path):
            element = next(element.iterchildren(tag), None)
            if element is None:
                return None
        return element

    def findall(self, element, path: str) -> list:
        nodes = [element]
        for tag in _steps(self.namespace, path):
            nodes = [child for node in nodes for child in node.iterchildren(tag)]
        return nodes

    def text(self, element, *paths: str) -> str:
        """The stripped text of the first path present, "" when none is."""
        for path in paths:
            node = self.find(element, path)
            if node is not None and node.text and node.text.strip():
                return node.text.strip()
        return ""

    def texts(self, element, path: str) -> list[str]:
        found = self.findall(element, path)
        return [node.text.strip() for node in found if node.text and node.text.strip()]


def _is_credit(indicator: str, *, where: str) -> bool:
    if indicator == "CRDT":
        return True
    if indicator == "DBIT":
        return False
    raise StatementFormatError(
        f"{where} has no valid CdtDbtInd (CRDT or DBIT): {indicator!r}.",
        code="statement_value_invalid",
    )


def _date(r: _Reader, element, name: str, *, where: str) -> date | None:
    text = r.text(element, f"{name}/Dt") or r.text(element, f"{name}/DtTm")[:10]
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementFormatError(
            f"{where} has an invalid {name}: {text!r}.", code="statement_value_invalid"
        ) from None


def _party(r: _Reader, tx, role: str) -> tuple[str, str]:
    """(name, IBAN) of the debtor or creditor, in the v02 or the v08+ shape."""
    if tx is None:
        return "", ""
    name = r.text(
        tx,
        f"RltdPties/{role}/Nm",
        f"RltdPties/{role}/Pty/Nm",
        f"RltdPties/Ultmt{role}/Nm",
        f"RltdPties/Ultmt{role}/Pty/Nm",
    )
    iban = r.text(tx, f"RltdPties/{role}Acct/Id/IBAN")
    return clean_text(name), clean_iban(iban)


def _remittance(r: _Reader, tx, fallback: str) -> tuple[str, str]:
    """(remittance text, creditor reference): the structured reference first, then the free text."""
    if tx is None:
        return clean_text(fallback), find_creditor_reference(fallback)
    references = ["".join(ref.split()) for ref in r.texts(tx, "RmtInf/Strd/CdtrRefInf/Ref")]
    free = r.texts(tx, "RmtInf/Ustrd")
    if not references and not free:
        text = r.text(tx, "AddtlTxInf") or fallback
        return clean_text(text), find_creditor_reference(text)
    text = clean_text(" ".join(references + free))
    creditor_reference = references[0] if references else find_creditor_reference(text)
    return text, creditor_reference


def _tx_amount(r: _Reader, tx) -> tuple[Decimal, str] | None:
    node = r.find(tx, "AmtDtls/TxAmt/Amt")
    if node is None:
        node = r.find(tx, "Amt")
    if node is None or not (node.text or "").strip():
        return None
    return decimal_from_text(node.text, what="A transaction amount"), node.get("Ccy", "")


def _split_batch(r: _Reader, txs, *, signed_total: Decimal, currency: str, entry_credit: bool):
    """Each TxDtls's signed amount, or None when they cannot be told apart exactly."""
    parts = []
    for tx in txs:
        found = _tx_amount(r, tx)
        if found is None or (found[1] and found[1] != currency):
            return None
        indicator = r.text(tx, "CdtDbtInd")
        credit = _is_credit(indicator, where="A transaction") if indicator else entry_credit
        parts.append((found[0] if credit else -found[0], credit))
    if sum(amount for amount, _credit in parts) != signed_total:
        return None
    return parts


class _Statement:
    """What one `Stmt` holds."""

    def __init__(self, r: _Reader, stmt):
        self.id = r.text(stmt, "Id")
        self.iban = clean_iban(r.text(stmt, "Acct/Id/IBAN"))
        self.other_id = clean_text(r.text(stmt, "Acct/Id/Othr/Id"))
        self.currency = r.text(stmt, "Acct/Ccy")
        self.opening = self.closing = None
        balances = {}
        for bal in r.findall(stmt, "Bal"):
            code = r.text(bal, "Tp/CdOrPrtry/Cd")
            node = r.find(bal, "Amt")
            if code not in ("OPBD", "PRCD", "CLBD") or node is None or code in balances:
                continue
            amount = decimal_from_text(node.text, what=f"The {code} balance")
            credit = _is_credit(r.text(bal, "CdtDbtInd"), where=f"The {code} balance")
            balances[code] = amount if credit else -amount
            self.currency = self.currency or node.get("Ccy", "")
        self.opening = balances.get("OPBD", balances.get("PRCD"))
        self.closing = balances.get("CLBD")
        self.lines: list[ParsedLine] = []
        for number, entry in enumerate(r.findall(stmt, "Ntry"), start=1):
            self.lines.extend(_entry_lines(r, entry, number=number, statement=self))


def _entry_lines(r: _Reader, entry, *, number: int, statement: _Statement) -> list[ParsedLine]:
    status = r.text(entry, "Sts/Cd", "Sts/Prtry", "Sts")
    if status and status != "BOOK":
        return []
    reference = r.text(entry, "AcctSvcrRef", "NtryRef")
    where = f"Entry {reference or number}"
    node = r.find(entry, "Amt")
    if node is None:
        raise StatementFormatError(f"{where} has no amount.", code="statement_value_invalid")
    amount = decimal_from_text(node.text, what=f"{where}'s amount")
    currency = node.get("Ccy", "") or statement.currency
    credit = _is_credit(r.text(entry, "CdtDbtInd"), where=where)
    reversal = r.text(entry, "RvslInd").lower() in ("true", "1")
    booking_date = _date(r, entry, "BookgDt", where=where)
    value_date = _date(r, entry, "ValDt", where=where)
    if booking_date is None and value_date is None:
        raise StatementFormatError(f"{where} has no booking date.", code="statement_value_invalid")
    entry_info = r.text(entry, "AddtlNtryInf")
    txs = r.findall(entry, "NtryDtls/TxDtls")
    signed = amount if credit else -amount

    def line(tx, line_amount: Decimal, line_credit: bool, bank_reference: str) -> ParsedLine:
        # The counterparty is the one of the original movement, also when reversed.
        name, iban = _party(r, tx, "Dbtr" if line_credit else "Cdtr")
        remittance, creditor_reference = _remittance(r, tx, entry_info)
        return ParsedLine(
            booking_date=booking_date or value_date,
            amount=-line_amount if reversal else line_amount,
            currency=currency,
            counterparty_name=name,
            counterparty_iban=iban,
            remittance_info=remittance,
            bank_reference=bank_reference,
            value_date=value_date,
            creditor_reference=creditor_reference,
        )

    parts = None
    if len(txs) > 1:
        parts = _split_batch(r, txs, signed_total=signed, currency=currency, entry_credit=credit)
    if parts is None:
        tx = txs[0] if len(txs) == 1 else None
        own_reference = reference or (r.text(tx, "Refs/AcctSvcrRef") if tx is not None else "")
        if len(txs) > 1:
            # A batch whose parts do not add up to the entry: one line, every remittance kept.
            texts = [_remittance(r, each, "")[0] for each in txs]
            entry_info = " ".join(text for text in texts if text) or entry_info
        return [line(tx, signed, credit, own_reference)]

    lines, seen = [], set()
    for index, (tx, (part, part_credit)) in enumerate(zip(txs, parts, strict=True), start=1):
        suffix = r.text(tx, "Refs/AcctSvcrRef")
        if not suffix:
            end_to_end = r.text(tx, "Refs/EndToEndId")
            suffix = end_to_end if end_to_end.upper() != "NOTPROVIDED" else ""
        if suffix in seen:
            suffix = ""
        seen.add(suffix)
        # Under the entry's reference a position keeps the parts apart; without one, a
        # bare position would collide with other batches, so nothing is claimed.
        bank_reference = f"{reference}/{suffix or index}" if reference else suffix
        lines.append(line(tx, part, part_credit, bank_reference))
    return lines


def parse_camt053(data: bytes) -> ParsedStatement:
    """Every booked line of every `Stmt` in the document, for one account."""
    check_size(data)
    root = load_xml(data)
    namespace = etree.QName(root).namespace or ""
    if not namespace.startswith(CAMT053_NAMESPACE_PREFIX):
        raise StatementFormatError(
            f"The XML file is a {local_name(namespace)} message, not a camt.053 statement.",
            code="statement_format_unsupported",
        )
    r = _Reader(namespace)
    statements = [_Statement(r, stmt) for stmt in r.findall(root, "BkToCstmrStmt/Stmt")]
    if not statements:
        raise StatementFormatError(
            "The file holds no statement (no BkToCstmrStmt/Stmt).", code="statement_missing"
        )
    first, last = statements[0], statements[-1]
    accounts = {(each.iban or each.other_id) for each in statements}
    if len(accounts) > 1:
        raise StatementFormatError(
            f"The file holds statements of several accounts ({', '.join(sorted(accounts))}); "
            "import one account at a time.",
            code="statement_accounts_differ",
        )
    return ParsedStatement(
        format="camt053",
        account_iban=first.iban,
        statement_id=first.id,
        currency=first.currency,
        opening_balance=first.opening,
        closing_balance=last.closing,
        lines=[line for statement in statements for line in statement.lines],
        account_identification=first.iban or first.other_id,
    )
