"""pacs.008 (credit transfer), pacs.002 (status report) and pacs.004 (return): build and parse.

Builders check their own output against the XSD, so a document that leaves the bank is always valid;
parsers validate first and refuse any other message type.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from lxml import etree

from corebank.iso20022 import xmltools as x
from corebank.iso20022.errors import XML_COUNT, XML_UNSUPPORTED, Iso20022Error
from corebank.iso20022.models import (
    SYSTEM_CHANNELS,
    CreditTransfer,
    Pacs002,
    Pacs004,
    Pacs008,
    Party,
    PaymentReturn,
    TxStatus,
)
from corebank.iso20022.schemas import PACS002, PACS004, PACS008, check_valid, load, namespace, serialize

CHANNEL_SYSTEMS = {channel: system for system, channel in SYSTEM_CHANNELS.items()}
SETTLEMENT_METHOD = "CLRG"  # settled through the clearing system
CHARGE_BEARER = "SLEV"  # charges follow the service level of the clearing system


def _group_totals(grp: etree._Element, amounts: Sequence[tuple[Decimal, str]], total_tag: str) -> None:
    """NbOfTxs, CtrlSum and (for one currency) the total settlement amount of a group header."""
    x.sub(grp, "NbOfTxs", str(len(amounts)))
    currencies = {ccy for _, ccy in amounts}
    total = sum((amt for amt, _ in amounts), Decimal(0))
    if len(currencies) == 1:
        ccy = next(iter(currencies))
        x.sub(grp, "CtrlSum", x.amount_text(total, ccy))
        x.add_amount(grp, total_tag, total, ccy)
    else:
        x.sub(grp, "CtrlSum", f"{total:f}")


def _check_count(grp: etree._Element | None, found: int, what: str) -> None:
    stated = int(x.text(grp, "NbOfTxs", "0"))
    if stated != found:
        raise Iso20022Error(XML_COUNT, f"{what}: NbOfTxs says {stated}, the message holds {found}")


def _finish(root: etree._Element, name: str) -> bytes:
    check_valid(root, name)
    return serialize(root)


# ---- pacs.008 -------------------------------------------------------------------------------------------


def build_pacs008(msg: Pacs008) -> bytes:
    """Write a pacs.008.001.09 for `msg`: settlement by clearing (CLRG), channel RTGS for HVPS, MPNS for BEPS."""
    if msg.system not in SYSTEM_CHANNELS:
        raise Iso20022Error(XML_UNSUPPORTED, f"unknown clearing system {msg.system!r} (HVPS or BEPS)")
    if not msg.transactions:
        raise Iso20022Error(XML_COUNT, "a pacs.008 needs at least one transaction")
    root = x.document(namespace(PACS008))
    body = x.sub(root, "FIToFICstmrCdtTrf")
    grp = x.sub(body, "GrpHdr")
    x.sub(grp, "MsgId", msg.msg_id)
    x.sub(grp, "CreDtTm", x.datetime_text(msg.created_at))
    _group_totals(grp, [(t.amount, t.currency) for t in msg.transactions], "TtlIntrBkSttlmAmt")
    x.sub(grp, "IntrBkSttlmDt", msg.settlement_date.isoformat())
    sttlm = x.sub(grp, "SttlmInf")
    x.sub(sttlm, "SttlmMtd", SETTLEMENT_METHOD)
    x.sub(x.sub(sttlm, "ClrSys"), "Prtry", msg.system)
    x.sub(x.sub(grp, "PmtTpInf"), "ClrChanl", SYSTEM_CHANNELS[msg.system])
    x.add_agent(grp, "InstgAgt", msg.instructing_agent)
    x.add_agent(grp, "InstdAgt", msg.instructed_agent)
    for tx in msg.transactions:
        node = x.sub(body, "CdtTrfTxInf")
        pmt_id = x.sub(node, "PmtId")
        x.sub(pmt_id, "EndToEndId", tx.end_to_end_id)
        x.sub(pmt_id, "TxId", tx.tx_id)
        x.add_amount(node, "IntrBkSttlmAmt", tx.amount, tx.currency)
        x.sub(node, "ChrgBr", CHARGE_BEARER)
        x.add_party_name(node, "Dbtr", tx.debtor.name)
        x.add_account(node, "DbtrAcct", tx.debtor.account)
        x.add_agent(node, "DbtrAgt", tx.debtor.bank_code)
        x.add_agent(node, "CdtrAgt", tx.creditor.bank_code)
        x.add_party_name(node, "Cdtr", tx.creditor.name)
        x.add_account(node, "CdtrAcct", tx.creditor.account)
        if tx.remittance:
            rmt = x.sub(node, "RmtInf")
            for piece in x.chunks(tx.remittance, x.MAX140):
                x.sub(rmt, "Ustrd", piece)
    return _finish(root, PACS008)


def _system(grp: etree._Element | None, first_tx: etree._Element) -> str:
    channel = x.text(grp, "PmtTpInf/ClrChanl") or x.text(first_tx, "PmtTpInf/ClrChanl")
    if channel not in CHANNEL_SYSTEMS:
        raise Iso20022Error(
            XML_UNSUPPORTED, f"clearing channel {channel or 'missing'!r}: expected RTGS or MPNS"
        )
    return CHANNEL_SYSTEMS[channel]


def parse_pacs008(xml: bytes) -> Pacs008:
    """Read a pacs.008.001.09 (validated first)."""
    root = load(xml, PACS008)
    grp = x.find(root, "FIToFICstmrCdtTrf/GrpHdr")
    nodes = x.findall(root, "FIToFICstmrCdtTrf/CdtTrfTxInf")
    _check_count(grp, len(nodes), "pacs.008")
    transactions = []
    for node in nodes:
        amount, ccy = x.read_amount(node, "IntrBkSttlmAmt")
        transactions.append(
            CreditTransfer(
                tx_id=x.text(node, "PmtId/TxId"),
                end_to_end_id=x.text(node, "PmtId/EndToEndId"),
                amount=amount,
                currency=ccy,
                debtor=Party(
                    x.text(node, "Dbtr/Nm"), x.read_account(node, "DbtrAcct"), x.read_agent(node, "DbtrAgt")
                ),
                creditor=Party(
                    x.text(node, "Cdtr/Nm"), x.read_account(node, "CdtrAcct"), x.read_agent(node, "CdtrAgt")
                ),
                remittance="".join(el.text or "" for el in x.findall(node, "RmtInf/Ustrd")),
            )
        )
    settlement = x.text(grp, "IntrBkSttlmDt") or x.text(nodes[0], "IntrBkSttlmDt")
    if not settlement:
        raise Iso20022Error(XML_UNSUPPORTED, "the pacs.008 has no interbank settlement date")
    return Pacs008(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        settlement_date=x.read_date(settlement),
        system=_system(grp, nodes[0]),
        instructing_agent=x.read_agent(grp, "InstgAgt"),
        instructed_agent=x.read_agent(grp, "InstdAgt"),
        transactions=tuple(transactions),
    )


# ---- pacs.002 -------------------------------------------------------------------------------------------


def build_pacs002(msg: Pacs002) -> bytes:
    """Write a pacs.002.001.11: one OrgnlGrpInfAndSts for the original message, one TxInfAndSts each."""
    root = x.document(namespace(PACS002))
    body = x.sub(root, "FIToFIPmtStsRpt")
    grp = x.sub(body, "GrpHdr")
    x.sub(grp, "MsgId", msg.msg_id)
    x.sub(grp, "CreDtTm", x.datetime_text(msg.created_at))
    orig = x.sub(body, "OrgnlGrpInfAndSts")
    x.sub(orig, "OrgnlMsgId", msg.original_msg_id)
    x.sub(orig, "OrgnlMsgNmId", msg.original_msg_type)
    x.sub(orig, "OrgnlNbOfTxs", str(len(msg.statuses)))
    for status in msg.statuses:
        node = x.sub(body, "TxInfAndSts")
        x.sub(node, "OrgnlEndToEndId", status.original_end_to_end_id)
        x.sub(node, "OrgnlTxId", status.original_tx_id)
        x.sub(node, "TxSts", status.status)
        if status.reason or status.info:
            why = x.sub(node, "StsRsnInf")
            if status.reason:
                x.sub(x.sub(why, "Rsn"), "Cd", status.reason)
            for piece in x.chunks(status.info, x.MAX105):
                x.sub(why, "AddtlInf", piece)
    return _finish(root, PACS002)


def parse_pacs002(xml: bytes) -> Pacs002:
    """Read a pacs.002.001.11 (validated first)."""
    root = load(xml, PACS002)
    body = x.find(root, "FIToFIPmtStsRpt")
    grp = x.find(body, "GrpHdr")
    nodes = x.findall(root, "FIToFIPmtStsRpt/TxInfAndSts")
    orig = x.find(body, "OrgnlGrpInfAndSts")
    if orig is None and nodes:
        orig = x.find(nodes[0], "OrgnlGrpInf")
    if orig is None:
        raise Iso20022Error(XML_UNSUPPORTED, "the pacs.002 does not say which message it reports on")
    stated = x.text(orig, "OrgnlNbOfTxs")
    if stated and int(stated) != len(nodes):
        raise Iso20022Error(
            XML_COUNT, f"pacs.002: OrgnlNbOfTxs says {stated}, the message holds {len(nodes)}"
        )
    statuses = tuple(
        TxStatus(
            original_tx_id=x.text(node, "OrgnlTxId"),
            original_end_to_end_id=x.text(node, "OrgnlEndToEndId"),
            status=x.text(node, "TxSts") or x.text(orig, "GrpSts"),
            reason=x.text(node, "StsRsnInf/Rsn/Cd") or x.text(node, "StsRsnInf/Rsn/Prtry") or None,
            info="".join(el.text or "" for el in x.findall(node, "StsRsnInf/AddtlInf")),
        )
        for node in nodes
    )
    return Pacs002(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        original_msg_id=x.text(orig, "OrgnlMsgId"),
        original_msg_type=x.text(orig, "OrgnlMsgNmId"),
        statuses=statuses,
    )


# ---- pacs.004 -------------------------------------------------------------------------------------------


def _original_party(parent: etree._Element, role: str, party: Party) -> None:
    holder = x.sub(parent, role)
    x.add_party_name(holder, "Pty", party.name)


def build_pacs004(msg: Pacs004) -> bytes:
    """Write a pacs.004.001.10; each return carries the original payment's parties in OrgnlTxRef."""
    if not msg.returns:
        raise Iso20022Error(XML_COUNT, "a pacs.004 needs at least one return")
    root = x.document(namespace(PACS004))
    body = x.sub(root, "PmtRtr")
    grp = x.sub(body, "GrpHdr")
    x.sub(grp, "MsgId", msg.msg_id)
    x.sub(grp, "CreDtTm", x.datetime_text(msg.created_at))
    _group_totals(grp, [(r.amount, r.currency) for r in msg.returns], "TtlRtrdIntrBkSttlmAmt")
    x.sub(grp, "IntrBkSttlmDt", msg.settlement_date.isoformat())
    x.sub(x.sub(grp, "SttlmInf"), "SttlmMtd", SETTLEMENT_METHOD)
    x.add_agent(grp, "InstgAgt", msg.instructing_agent)
    x.add_agent(grp, "InstdAgt", msg.instructed_agent)
    for ret in msg.returns:
        node = x.sub(body, "TxInf")
        x.sub(node, "RtrId", ret.return_id)
        orig = x.sub(node, "OrgnlGrpInf")
        x.sub(orig, "OrgnlMsgId", ret.original_msg_id)
        x.sub(orig, "OrgnlMsgNmId", PACS008)
        x.sub(node, "OrgnlEndToEndId", ret.original_end_to_end_id)
        x.sub(node, "OrgnlTxId", ret.original_tx_id)
        x.add_amount(node, "RtrdIntrBkSttlmAmt", ret.amount, ret.currency)
        x.sub(x.sub(x.sub(node, "RtrRsnInf"), "Rsn"), "Cd", ret.reason)
        ref = x.sub(node, "OrgnlTxRef")
        _original_party(ref, "Dbtr", ret.debtor)
        x.add_account(ref, "DbtrAcct", ret.debtor.account)
        x.add_agent(ref, "DbtrAgt", ret.debtor.bank_code)
        x.add_agent(ref, "CdtrAgt", ret.creditor.bank_code)
        _original_party(ref, "Cdtr", ret.creditor)
        x.add_account(ref, "CdtrAcct", ret.creditor.account)
    return _finish(root, PACS004)


def parse_pacs004(xml: bytes) -> Pacs004:
    """Read a pacs.004.001.10 (validated first)."""
    root = load(xml, PACS004)
    body = x.find(root, "PmtRtr")
    grp = x.find(body, "GrpHdr")
    nodes = x.findall(root, "PmtRtr/TxInf")
    _check_count(grp, len(nodes), "pacs.004")
    group_orig = x.find(body, "OrgnlGrpInf")
    returns = []
    for node in nodes:
        amount, ccy = x.read_amount(node, "RtrdIntrBkSttlmAmt")
        ref = x.find(node, "OrgnlTxRef")
        returns.append(
            PaymentReturn(
                return_id=x.text(node, "RtrId"),
                original_msg_id=x.text(node, "OrgnlGrpInf/OrgnlMsgId") or x.text(group_orig, "OrgnlMsgId"),
                original_tx_id=x.text(node, "OrgnlTxId"),
                original_end_to_end_id=x.text(node, "OrgnlEndToEndId"),
                amount=amount,
                currency=ccy,
                reason=x.text(node, "RtrRsnInf/Rsn/Cd") or x.text(node, "RtrRsnInf/Rsn/Prtry"),
                debtor=Party(
                    x.text(ref, "Dbtr/Pty/Nm"), x.read_account(ref, "DbtrAcct"), x.read_agent(ref, "DbtrAgt")
                ),
                creditor=Party(
                    x.text(ref, "Cdtr/Pty/Nm"), x.read_account(ref, "CdtrAcct"), x.read_agent(ref, "CdtrAgt")
                ),
            )
        )
    settlement = x.text(grp, "IntrBkSttlmDt") or (x.text(nodes[0], "IntrBkSttlmDt") if nodes else "")
    if not settlement:
        raise Iso20022Error(XML_UNSUPPORTED, "the pacs.004 has no interbank settlement date")
    return Pacs004(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        settlement_date=x.read_date(settlement),
        instructing_agent=x.read_agent(grp, "InstgAgt"),
        instructed_agent=x.read_agent(grp, "InstdAgt"),
        returns=tuple(returns),
    )
