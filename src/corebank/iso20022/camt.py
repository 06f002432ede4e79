"""camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification): build and parse.

Every entry is booked (Sts BOOK); AcctSvcrRef is the journal entry id, so a customer can match each line
to the bank's books. Balances: OPBD at the start of the period, CLBD at its end.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from corebank.iso20022 import xmltools as x
from corebank.iso20022.models import Notification, Party, Statement, StatementLine
from corebank.iso20022.schemas import CAMT053, CAMT054, check_valid, load, namespace, serialize

BOOKED = "BOOK"
CODE_ISSUER = "CoreBank"


def _credit_debit(credit: bool) -> str:
    return "CRDT" if credit else "DBIT"


def _account(parent: etree._Element, number: str, name: str, currency: str, bank_code: str) -> None:
    acct = x.sub(parent, "Acct")
    x.sub(x.sub(x.sub(acct, "Id"), "Othr"), "Id", number)
    x.sub(acct, "Ccy", currency)
    if name:
        x.sub(acct, "Nm", name[: x.MAX70])
    x.add_agent(acct, "Svcr", bank_code)


def _balance(parent: etree._Element, code: str, amount: Decimal, currency: str, on: date) -> None:
    bal = x.sub(parent, "Bal")
    x.sub(x.sub(x.sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
    x.add_amount(bal, "Amt", abs(amount), currency)
    x.sub(bal, "CdtDbtInd", _credit_debit(amount >= 0))
    x.sub(x.sub(bal, "Dt"), "Dt", on.isoformat())


def _summary(parent: etree._Element, lines: tuple[StatementLine, ...], currency: str) -> None:
    credits = [line.amount for line in lines if line.credit]
    debits = [line.amount for line in lines if not line.credit]
    net = sum(credits, Decimal(0)) - sum(debits, Decimal(0))
    summary = x.sub(parent, "TxsSummry")
    total = x.sub(summary, "TtlNtries")
    x.sub(total, "NbOfNtries", str(len(lines)))
    x.sub(total, "Sum", x.amount_text(sum(credits + debits, Decimal(0)), currency))
    net_el = x.sub(total, "TtlNetNtry")
    x.sub(net_el, "Amt", x.amount_text(abs(net), currency))
    x.sub(net_el, "CdtDbtInd", _credit_debit(net >= 0))
    for tag, amounts in (("TtlCdtNtries", credits), ("TtlDbtNtries", debits)):
        part = x.sub(summary, tag)
        x.sub(part, "NbOfNtries", str(len(amounts)))
        x.sub(part, "Sum", x.amount_text(sum(amounts, Decimal(0)), currency))


def _entry(parent: etree._Element, line: StatementLine, currency: str) -> None:
    ntry = x.sub(parent, "Ntry")
    x.sub(ntry, "NtryRef", line.entry_id)
    x.add_amount(ntry, "Amt", line.amount, currency)
    x.sub(ntry, "CdtDbtInd", _credit_debit(line.credit))
    x.sub(x.sub(ntry, "Sts"), "Cd", BOOKED)
    x.sub(x.sub(ntry, "BookgDt"), "Dt", line.booking_date.isoformat())
    x.sub(x.sub(ntry, "ValDt"), "Dt", line.value_date.isoformat())
    x.sub(ntry, "AcctSvcrRef", line.entry_id)
    code = x.sub(ntry, "BkTxCd")
    if line.kind:
        prtry = x.sub(code, "Prtry")
        x.sub(prtry, "Cd", line.kind[: x.MAX35])
        x.sub(prtry, "Issr", CODE_ISSUER)
    if line.end_to_end_id or line.counterparty is not None:
        tx = x.sub(x.sub(ntry, "NtryDtls"), "TxDtls")
        if line.end_to_end_id:
            x.sub(x.sub(tx, "Refs"), "EndToEndId", line.end_to_end_id)
        other = line.counterparty
        if other is not None:
            # On a credit the counterparty paid us (the debtor); on a debit we paid it (the creditor).
            role = "Dbtr" if line.credit else "Cdtr"
            parties = x.sub(tx, "RltdPties")
            x.add_party_name(x.sub(parties, role), "Pty", other.name)
            x.add_account(parties, f"{role}Acct", other.account)
            if other.bank_code:
                x.add_agent(x.sub(tx, "RltdAgts"), f"{role}Agt", other.bank_code)
    if line.narrative:
        x.sub(ntry, "AddtlNtryInf", line.narrative[: x.MAX500])


def build_camt053(stmt: Statement) -> bytes:
    """Write a camt.053.001.08 statement (validated against its XSD before it is returned)."""
    root = x.document(namespace(CAMT053))
    body = x.sub(root, "BkToCstmrStmt")
    grp = x.sub(body, "GrpHdr")
    x.sub(grp, "MsgId", stmt.msg_id)
    x.sub(grp, "CreDtTm", x.datetime_text(stmt.created_at))
    node = x.sub(body, "Stmt")
    x.sub(node, "Id", stmt.statement_id)
    x.sub(node, "CreDtTm", x.datetime_text(stmt.created_at))
    period = x.sub(node, "FrToDt")
    x.sub(period, "FrDtTm", datetime.combine(stmt.date_from, datetime.min.time()).isoformat())
    x.sub(period, "ToDtTm", datetime.combine(stmt.date_to, datetime.max.time()).isoformat(timespec="seconds"))
    _account(node, stmt.account_number, stmt.account_name, stmt.currency, stmt.bank_code)
    _balance(node, "OPBD", stmt.opening_balance, stmt.currency, stmt.date_from)
    _balance(node, "CLBD", stmt.closing_balance, stmt.currency, stmt.date_to)
    _summary(node, stmt.lines, stmt.currency)
    for line in stmt.lines:
        _entry(node, line, stmt.currency)
    check_valid(root, CAMT053)
    return serialize(root)


def build_camt054(note: Notification) -> bytes:
    """Write a camt.054.001.08 notification of the given entries (validated before it is returned)."""
    root = x.document(namespace(CAMT054))
    body = x.sub(root, "BkToCstmrDbtCdtNtfctn")
    grp = x.sub(body, "GrpHdr")
    x.sub(grp, "MsgId", note.msg_id)
    x.sub(grp, "CreDtTm", x.datetime_text(note.created_at))
    node = x.sub(body, "Ntfctn")
    x.sub(node, "Id", note.notification_id)
    x.sub(node, "CreDtTm", x.datetime_text(note.created_at))
    _account(node, note.account_number, note.account_name, note.currency, note.bank_code)
    for line in note.lines:
        _entry(node, line, note.currency)
    check_valid(root, CAMT054)
    return serialize(root)


def _read_entry(ntry: etree._Element) -> StatementLine:
    amount, _ = x.read_amount(ntry, "Amt")
    credit = x.text(ntry, "CdtDbtInd") == "CRDT"
    role = "Dbtr" if credit else "Cdtr"
    tx = x.find(ntry, "NtryDtls/TxDtls")
    counterparty = None
    if x.find(tx, "RltdPties") is not None:
        counterparty = Party(
            name=x.text(tx, f"RltdPties/{role}/Pty/Nm"),
            account=x.read_account(x.find(tx, "RltdPties"), f"{role}Acct"),
            bank_code=x.read_agent(x.find(tx, "RltdAgts"), f"{role}Agt"),
        )
    return StatementLine(
        entry_id=x.text(ntry, "AcctSvcrRef") or x.text(ntry, "NtryRef"),
        amount=amount,
        credit=credit,
        booking_date=x.read_date(x.text(ntry, "BookgDt/Dt") or x.text(ntry, "BookgDt/DtTm")),
        value_date=x.read_date(x.text(ntry, "ValDt/Dt") or x.text(ntry, "ValDt/DtTm")),
        narrative=x.text(ntry, "AddtlNtryInf"),
        kind=x.text(ntry, "BkTxCd/Prtry/Cd"),
        end_to_end_id=x.text(tx, "Refs/EndToEndId"),
        counterparty=counterparty,
    )


def _signed_balance(node: etree._Element, code: str) -> tuple[Decimal, date] | None:
    for bal in x.findall(node, "Bal"):
        if x.text(bal, "Tp/CdOrPrtry/Cd") == code:
            amount, _ = x.read_amount(bal, "Amt")
            sign = 1 if x.text(bal, "CdtDbtInd") == "CRDT" else -1
            return sign * amount, x.read_date(x.text(bal, "Dt/Dt") or x.text(bal, "Dt/DtTm"))
    return None


def parse_camt053(xml: bytes) -> Statement:
    """Read the first statement of a camt.053.001.08 (validated first)."""
    root = load(xml, CAMT053)
    grp = x.find(root, "BkToCstmrStmt/GrpHdr")
    node = x.find(root, "BkToCstmrStmt/Stmt")
    assert node is not None  # the schema requires one
    opening = _signed_balance(node, "OPBD") or (Decimal(0), x.read_date(x.text(node, "FrToDt/FrDtTm")))
    closing = _signed_balance(node, "CLBD") or (Decimal(0), x.read_date(x.text(node, "FrToDt/ToDtTm")))
    return Statement(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        statement_id=x.text(node, "Id"),
        account_number=x.read_account(node, "Acct"),
        account_name=x.text(node, "Acct/Nm"),
        currency=x.text(node, "Acct/Ccy"),
        bank_code=x.read_agent(x.find(node, "Acct"), "Svcr"),
        date_from=opening[1],
        date_to=closing[1],
        opening_balance=opening[0],
        closing_balance=closing[0],
        lines=tuple(_read_entry(ntry) for ntry in x.findall(node, "Ntry")),
    )


def parse_camt054(xml: bytes) -> Notification:
    """Read the first notification of a camt.054.001.08 (validated first)."""
    root = load(xml, CAMT054)
    grp = x.find(root, "BkToCstmrDbtCdtNtfctn/GrpHdr")
    node = x.find(root, "BkToCstmrDbtCdtNtfctn/Ntfctn")
    assert node is not None  # the schema requires one
    return Notification(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        notification_id=x.text(node, "Id"),
        account_number=x.read_account(node, "Acct"),
        account_name=x.text(node, "Acct/Nm"),
        currency=x.text(node, "Acct/Ccy"),
        bank_code=x.read_agent(x.find(node, "Acct"), "Svcr"),
        lines=tuple(_read_entry(ntry) for ntry in x.findall(node, "Ntry")),
    )
