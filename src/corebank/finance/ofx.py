"""Account statements as OFX 2.2 (Open Financial Exchange, the XML form personal finance programs import).

One file holds a sign-on answer (SIGNONMSGSRSV1) and one bank statement (BANKMSGSRSV1 / STMTTRNRS / STMTRS):
the account (BANKACCTFROM), every line of the period as a STMTTRN (CREDIT or DEBIT, the booking date, the
signed amount, the line id as FITID so that an import never counts a line twice, the description as NAME and
MEMO), and the closing balance as LEDGERBAL. The lines and the balances are those of `statement_lines`, so
an OFX file adds up exactly as the CSV and PDF statements do; amounts are written from integer minor units
through Decimal, never a float.

OFX limits BANKID to 9 characters: a 12-digit CNAPS bank code is given as its first 9 (the bank and its
region), with the account's branch as BRANCHID.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import BinaryIO
from xml.etree import ElementTree as ET

from corebank.db.uow import UnitOfWork
from corebank.finance.statements import (
    Statement,
    StatementLine,
    StatementOutOfBalance,
    StatementTotals,
    statement_lines,
)
from corebank.security import Actor, P

MEDIA_TYPE = "application/x-ofx"
HEADER = (
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
    '<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>\n'
)
# OFX's own field lengths (NAME is A-32, MEMO A-255, BANKID A-9, ACCTID and BRANCHID A-22).
NAME_MAX, MEMO_MAX, BANKID_MAX, ACCTID_MAX = 32, 255, 9, 22


def filename(st: Statement) -> str:
    """The file name to save an OFX statement under."""
    return f"statement-{st.account_number}-{st.period.start}-{st.period.end}.ofx"


def _when(value: datetime | date) -> str:
    """An OFX date-time: YYYYMMDDHHMMSS.XXX[gmt offset:tz] for a moment, YYYYMMDD for a booking day."""
    if isinstance(value, datetime):
        utc = value.astimezone(UTC) if value.tzinfo is not None else value
        return utc.strftime("%Y%m%d%H%M%S") + ".000[+0:UTC]"
    return value.strftime("%Y%m%d")


def _add(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _status(parent: ET.Element) -> None:
    status = _add(parent, "STATUS")
    _add(status, "CODE", "0")
    _add(status, "SEVERITY", "INFO")


def _trnuid(st: Statement) -> str:
    """A stable transaction id for this statement's answer (the same statement gives the same id)."""
    text = f"{st.account_number}|{st.period.start}|{st.period.end}|{st.last_line_id}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def build_ofx(
    st: Statement,
    lines: Iterable[StatementLine],
    *,
    bank_id: str,
    language: str = "ENG",
    account_type: str = "CHECKING",
) -> bytes:
    """The OFX 2.2 document (UTF-8 bytes) of statement `st` with its `lines` (oldest first)."""
    ofx = ET.Element("OFX")
    signon = _add(_add(ofx, "SIGNONMSGSRSV1"), "SONRS")
    _status(signon)
    _add(signon, "DTSERVER", _when(st.generated_at))
    _add(signon, "LANGUAGE", language)
    trnrs = _add(_add(ofx, "BANKMSGSRSV1"), "STMTTRNRS")
    _add(trnrs, "TRNUID", _trnuid(st))
    _status(trnrs)
    stmtrs = _add(trnrs, "STMTRS")
    _add(stmtrs, "CURDEF", st.currency)
    acct = _add(stmtrs, "BANKACCTFROM")
    _add(acct, "BANKID", bank_id[:BANKID_MAX])
    _add(acct, "BRANCHID", st.branch_code[:ACCTID_MAX])
    _add(acct, "ACCTID", st.account_number[:ACCTID_MAX])
    _add(acct, "ACCTTYPE", account_type)
    tranlist = _add(stmtrs, "BANKTRANLIST")
    _add(tranlist, "DTSTART", _when(st.period.start))
    _add(tranlist, "DTEND", _when(st.period.end))
    for ln in lines:
        trn = _add(tranlist, "STMTTRN")
        _add(trn, "TRNTYPE", "CREDIT" if ln.amount > 0 else "DEBIT")
        _add(trn, "DTPOSTED", _when(ln.booking_date))
        _add(trn, "DTAVAIL", _when(ln.value_date))
        _add(trn, "TRNAMT", st.text(ln.amount))
        _add(trn, "FITID", str(ln.line_id))
        if ln.reference:
            _add(trn, "REFNUM", ln.reference[:32])
        description = " ".join(ln.description.split()) or ln.kind.replace("_", " ")
        _add(trn, "NAME", description[:NAME_MAX])
        _add(trn, "MEMO", description[:MEMO_MAX])
    ledgerbal = _add(stmtrs, "LEDGERBAL")
    _add(ledgerbal, "BALAMT", st.text(st.closing))
    _add(ledgerbal, "DTASOF", _when(st.period.end))
    return HEADER.encode() + ET.tostring(ofx, encoding="unicode").encode("utf-8") + b"\n"


def write_ofx(uow: UnitOfWork, actor: Actor, st: Statement, out: BinaryIO) -> StatementTotals:
    """Write statement `st` (from `account_statement`) to `out` as OFX 2.2 and return its totals. Runs in a
    read-only transaction; a statement whose lines do not add up is refused (STATEMENT_OUT_OF_BALANCE)."""
    actor.require(P.ACCOUNT_READ)
    actor.require_branch(st.branch_code)
    totals = StatementTotals(opening=st.opening)
    taken: list[StatementLine] = []
    for line in statement_lines(uow, actor, st):
        totals.add(line)
        taken.append(line)
    if totals.closing != st.closing:
        raise StatementOutOfBalance(
            f"{st.account_number}: opening {st.text(st.opening)} + credits {st.text(totals.credits)} - "
            f"debits {st.text(totals.debits)} is not the closing balance {st.text(st.closing)}"
        )
    out.seek(0)
    out.truncate()
    out.write(build_ofx(st, taken, bank_id=uow.settings.bank_code))
    return totals
