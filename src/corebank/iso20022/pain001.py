"""pain.001 customer credit transfer initiation: stream-validate a bulk file, stream its lines, write one.

A bulk file may hold 100,000 lines, so nothing here builds the whole tree: `scan_pain001` validates while
parsing (lxml iterparse with the schema) and drops each transaction once counted; `iter_pain001` yields
the lines one at a time; `build_pain001` writes incrementally with lxml's xmlfile.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from itertools import groupby
from typing import IO, NamedTuple

from lxml import etree

from corebank.iso20022 import xmltools as x
from corebank.iso20022.errors import (
    PAIN001_AMOUNT,
    PAIN001_CONTROL_SUM,
    PAIN001_COUNT,
    PAIN001_CURRENCY,
    XML_MALFORMED,
    XML_SCHEMA_INVALID,
    XML_UNKNOWN_MESSAGE,
    XML_UNSUPPORTED,
    XML_WRONG_MESSAGE,
    Iso20022Error,
)
from corebank.iso20022.models import Pain001Header, Pain001Line, Pain001PaymentInfo
from corebank.iso20022.schemas import MAX_ERRORS, MESSAGES, NS_PREFIX, PAIN001, fresh_schema, namespace

Source = str | os.PathLike[str]
NS = namespace(PAIN001)
_GRP = f"{{{NS}}}GrpHdr"
_PMT_INF = f"{{{NS}}}PmtInf"
_PMT_INF_ID = f"{{{NS}}}PmtInfId"
_TX = f"{{{NS}}}CdtTrfTxInf"
_DOC = f"{{{NS}}}Document"
# The parts of a transaction a line is made of (see _tx_fields).
_PMT_ID, _E2E = f"{{{NS}}}PmtId", f"{{{NS}}}EndToEndId"
_AMT, _INSTD = f"{{{NS}}}Amt", f"{{{NS}}}InstdAmt"
_CDTR, _NM = f"{{{NS}}}Cdtr", f"{{{NS}}}Nm"
_CDTR_ACCT, _ID, _OTHR, _IBAN = f"{{{NS}}}CdtrAcct", f"{{{NS}}}Id", f"{{{NS}}}Othr", f"{{{NS}}}IBAN"
_CDTR_AGT, _FIN_INSTN_ID = f"{{{NS}}}CdtrAgt", f"{{{NS}}}FinInstnId"
_CLR_SYS_MMB_ID, _MMB_ID = f"{{{NS}}}ClrSysMmbId", f"{{{NS}}}MmbId"
_RMT_INF, _USTRD = f"{{{NS}}}RmtInf", f"{{{NS}}}Ustrd"


def _iterparse(path: Source, *, validate: bool, tags: Sequence[str]) -> etree.iterparse:
    # The errors an iterparse exception carries include this thread's earlier ones: start with none.
    etree.clear_error_log()
    # No resolve_entities=False here: together with schema= it makes lxml stop silently at a truncated
    # file instead of raising. Entities are kept out by _check_root, which refuses any DOCTYPE first.
    return etree.iterparse(
        os.fspath(path),
        events=("end",),
        tag=tags,
        schema=fresh_schema(PAIN001) if validate else None,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,  # the indentation between elements: some 10% of the parse (texts are kept)
    )


def _check_root(path: Source) -> None:
    """Read only up to the root element: refuse a DTD (no entity tricks) and another message type
    before validating anything."""
    try:
        for _, root in etree.iterparse(
            os.fspath(path), events=("start",), resolve_entities=False, no_network=True, load_dtd=False
        ):
            if root.getroottree().docinfo.doctype:
                raise Iso20022Error(XML_MALFORMED, "files with a DTD are refused")
            ns = etree.QName(root).namespace or ""
            name = ns[len(NS_PREFIX) :] if ns.startswith(NS_PREFIX) else ""
            if name == PAIN001:
                return
            if name in MESSAGES:
                raise Iso20022Error(XML_WRONG_MESSAGE, f"expected a {PAIN001} file, got a {name}")
            raise Iso20022Error(XML_UNKNOWN_MESSAGE, f"not a {PAIN001} file (root {root.tag!r})")
    except etree.XMLSyntaxError as exc:
        raise Iso20022Error(XML_MALFORMED, f"not well-formed XML: {exc}", [str(exc)]) from None
    raise Iso20022Error(XML_MALFORMED, "the file is empty")


def _release(el: etree._Element) -> None:
    """Drop an element already read, so the tree never grows with the file."""
    el.clear()
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


def _header(grp: etree._Element) -> Pain001Header:
    return Pain001Header(
        msg_id=x.text(grp, "MsgId"),
        created_at=x.read_datetime(x.text(grp, "CreDtTm")),
        nb_of_txs=int(x.text(grp, "NbOfTxs")),
        control_sum=x.decimal_of(x.text(grp, "CtrlSum"))
        if x.find(grp, "CtrlSum") is not None
        else Decimal(0),
        initiating_party=x.text(grp, "InitgPty/Nm") or x.text(grp, "InitgPty/Id/OrgId/Othr/Id"),
    )


class Pain001Row(NamedTuple):
    """One credit transfer as `read_pain001` hands it on: a plain tuple, the amount in minor units of
    its currency (exact: the read refuses more decimals than the currency has)."""

    seq: int
    pmt_inf_id: str
    end_to_end_id: str
    amount: int
    currency: str
    creditor_name: str
    creditor_account: str
    creditor_bank_code: str
    remittance: str


def _child(el: etree._Element | None, tag: str) -> etree._Element | None:
    """The first child of `el` with `tag` (a loop over the children costs less than find())."""
    if el is not None:
        for child in el:
            if child.tag == tag:
                return child
    return None


def _child_text(el: etree._Element | None, tag: str) -> str:
    found = _child(el, tag)
    return (found.text or "") if found is not None else ""


def _tx_fields(tx: etree._Element) -> tuple[str, etree._Element | None, str, str, str, str]:
    """(EndToEndId, the InstdAmt element, creditor name, account, bank code, remittance) of a transaction,
    walking only down to the elements that hold them: this is the hot loop of a 100,000-line file. Absent
    texts are ""; the account is Othr/Id, else the IBAN; repeated Ustrd pieces are joined."""
    e2e = name = account = bank = remittance = ""
    amount = None
    for child in tx:
        tag = child.tag
        if tag == _PMT_ID:
            e2e = _child_text(child, _E2E)
        elif tag == _AMT:
            amount = _child(child, _INSTD)
        elif tag == _CDTR:
            name = _child_text(child, _NM)
        elif tag == _CDTR_ACCT:
            ident = _child(child, _ID)
            account = _child_text(_child(ident, _OTHR), _ID) or _child_text(ident, _IBAN)
        elif tag == _CDTR_AGT:
            bank = _child_text(_child(_child(child, _FIN_INSTN_ID), _CLR_SYS_MMB_ID), _MMB_ID)
        elif tag == _RMT_INF:
            remittance = "".join([u.text or "" for u in child if u.tag == _USTRD])
    return e2e, amount, name, account, bank, remittance


def _no_equivalent() -> Iso20022Error:
    return Iso20022Error(PAIN001_CURRENCY, "equivalent amounts (currency conversion) are not accepted")


def _minor_units(raw: str, ccy: str) -> int:
    """An amount text in minor units of `ccy`; PAIN001_AMOUNT if it has more decimals than `ccy` has."""
    places = x.places(ccy)
    whole, _, frac = raw.strip().partition(".")
    frac = frac.rstrip("0")
    if whole.isascii() and whole.isdigit() and (not frac or (frac.isascii() and frac.isdigit())):
        if len(frac) <= places:
            return int(whole) * 10**places + int(frac.ljust(places, "0") or "0")
    else:  # a sign, a leading dot, or not a number: the general (slow) way
        amount = x.decimal_of(raw)
        if amount == amount.quantize(Decimal(1).scaleb(-places)):
            return int(amount.scaleb(places))
    raise Iso20022Error(PAIN001_AMOUNT, f"amount {x.decimal_of(raw)} has more decimals than {ccy} allows")


def _decimal(minor: int, ccy: str) -> Decimal:
    return Decimal(minor).scaleb(-x.places(ccy))


def _payment_info(pmt: etree._Element, count: int, total: Decimal) -> Pain001PaymentInfo:
    execution = x.text(pmt, "ReqdExctnDt/Dt") or x.text(pmt, "ReqdExctnDt/DtTm")
    has_sum = x.find(pmt, "CtrlSum") is not None
    return Pain001PaymentInfo(
        pmt_inf_id=x.text(pmt, "PmtInfId"),
        debtor_name=x.text(pmt, "Dbtr/Nm"),
        debtor_account=x.read_account(pmt, "DbtrAcct"),
        debtor_bank_code=x.read_agent(pmt, "DbtrAgt"),
        requested_execution_date=x.read_date(execution),
        nb_of_txs=int(x.text(pmt, "NbOfTxs") or count),
        control_sum=x.decimal_of(x.text(pmt, "CtrlSum")) if has_sum else total,
        batch_booking=x.text(pmt, "BtchBookg", "true").strip() in ("true", "1"),
    )


def scan_pain001(path: Source) -> tuple[Pain001Header, list[Pain001PaymentInfo]]:
    """Validate a pain.001 file against its XSD while streaming it and check its counts and sums, without
    handing on its lines (`read_pain001` without `on_lines`).

    Raises Iso20022Error: XML_MALFORMED, XML_WRONG_MESSAGE / XML_UNKNOWN_MESSAGE, XML_SCHEMA_INVALID,
    PAIN001_COUNT, PAIN001_CONTROL_SUM (group or PmtInf), PAIN001_CURRENCY (more than one currency or an
    equivalent amount), PAIN001_AMOUNT (more decimals than the currency has). Memory stays bounded.
    """
    return read_pain001(path)


def read_pain001(
    path: Source,
    on_lines: Callable[[list[Pain001Row]], None] | None = None,
    *,
    chunk: int = 5_000,
) -> tuple[Pain001Header, list[Pain001PaymentInfo]]:
    """Validate a pain.001 file and hand on its lines in one streaming pass: `on_lines` gets them in file
    order, `chunk` at a time, while the parser validates against the XSD; the header and the PmtInf blocks
    are returned once the whole file has passed every check of `scan_pain001` (same errors).

    A file that fails may already have handed on some lines: the caller keeps them in a transaction it
    rolls back on the error. Memory stays bounded by `chunk`."""
    _check_root(path)
    header: Pain001Header | None = None
    sum_stated = complete = False
    infos: list[Pain001PaymentInfo] = []
    rows: list[Pain001Row] = []
    currency = ""
    pmt_inf_id = ""
    seq = 0
    count = total = 0  # of the current PmtInf, minor units
    all_count = all_total = 0
    try:
        for _, el in _iterparse(path, validate=True, tags=(_GRP, _PMT_INF_ID, _TX, _PMT_INF, _DOC)):
            tag = el.tag
            if tag == _TX:
                if on_lines is None:  # a scan: only the amount matters
                    amt = _child(_child(el, _AMT), _INSTD)
                    e2e = name = account = bank = remittance = ""
                else:
                    e2e, amt, name, account, bank, remittance = _tx_fields(el)
                if amt is None:
                    raise _no_equivalent()
                ccy = amt.get("Ccy", "")
                if ccy != currency:
                    if currency:
                        raise Iso20022Error(
                            PAIN001_CURRENCY, f"the file mixes currencies {currency} and {ccy}"
                        )
                    currency = ccy
                amount = _minor_units(amt.text or "", ccy)
                count += 1
                total += amount
                if on_lines is not None:
                    seq += 1
                    rows.append(
                        Pain001Row(seq, pmt_inf_id, e2e, amount, ccy, name, account, bank, remittance)
                    )
                    if len(rows) >= chunk:
                        on_lines(rows)
                        rows = []
                _release(el)
            elif tag == _PMT_INF_ID:
                pmt_inf_id = el.text or ""
            elif tag == _PMT_INF:
                info = _payment_info(el, count, _decimal(total, currency))
                if info.nb_of_txs != count:
                    raise Iso20022Error(
                        PAIN001_COUNT,
                        f"PmtInf {info.pmt_inf_id}: NbOfTxs says {info.nb_of_txs}, it holds {count}",
                    )
                if info.control_sum != _decimal(total, currency):
                    raise Iso20022Error(
                        PAIN001_CONTROL_SUM,
                        f"PmtInf {info.pmt_inf_id}: CtrlSum says {info.control_sum}, "
                        f"its amounts add up to {_decimal(total, currency)}",
                    )
                infos.append(info)
                all_count, all_total = all_count + count, all_total + total
                count = total = 0
                _release(el)
            elif tag == _GRP:
                header = _header(el)
                sum_stated = x.find(el, "CtrlSum") is not None
            elif tag == _DOC:
                complete = True
    except etree.XMLSyntaxError as exc:
        _raise_parse_error(exc)
    if not complete:  # the parser stopped before the end of the document without saying so
        raise Iso20022Error(XML_MALFORMED, "not well-formed XML: the file ends before its document does")
    if header is None:
        raise Iso20022Error(XML_SCHEMA_INVALID, "the file has no group header")
    if header.nb_of_txs != all_count:
        raise Iso20022Error(
            PAIN001_COUNT, f"GrpHdr NbOfTxs says {header.nb_of_txs}, the file holds {all_count}"
        )
    file_total = _decimal(all_total, currency)
    if not sum_stated:
        header = replace(header, control_sum=file_total)
    if header.control_sum != file_total:
        raise Iso20022Error(
            PAIN001_CONTROL_SUM,
            f"GrpHdr CtrlSum says {header.control_sum}, the amounts add up to {file_total}",
        )
    if rows and on_lines is not None:
        on_lines(rows)
    return header, infos


def _raise_parse_error(exc: etree.XMLSyntaxError) -> None:
    """Tell a schema violation from broken XML: iterparse raises both as XMLSyntaxError."""
    log = list(exc.error_log) or []
    errors = [f"line {e.line}: {e.message}" for e in log[:MAX_ERRORS]] or [str(exc)]
    # A truncated file also breaks the schema; being broken XML is the first thing to report.
    if not log or any(e.domain_name == "PARSER" for e in log):
        raise Iso20022Error(XML_MALFORMED, f"not well-formed XML: {exc}", errors) from None
    raise Iso20022Error(XML_SCHEMA_INVALID, f"the file is not a valid {PAIN001}", errors) from None


def iter_pain001(path: Source) -> Iterator[Pain001Line]:
    """Stream the credit transfers of a pain.001 file in order (no validation: call scan_pain001 first,
    or use read_pain001, which does both in one pass)."""
    _check_root(path)
    pmt_inf_id = ""
    seq = 0
    try:
        for _, el in _iterparse(path, validate=False, tags=(_PMT_INF_ID, _TX, _PMT_INF)):
            if el.tag == _PMT_INF_ID:
                pmt_inf_id = el.text or ""
            elif el.tag == _TX:
                seq += 1
                e2e, amt, name, account, bank, remittance = _tx_fields(el)
                if amt is None:
                    raise _no_equivalent()
                yield Pain001Line(
                    pmt_inf_id=pmt_inf_id,
                    seq=seq,
                    end_to_end_id=e2e,
                    amount=x.decimal_of(amt.text or ""),
                    currency=amt.get("Ccy", ""),
                    creditor_name=name,
                    creditor_account=account,
                    creditor_bank_code=bank,
                    remittance=remittance,
                )
                _release(el)
            else:
                _release(el)
    except etree.XMLSyntaxError as exc:
        _raise_parse_error(exc)


def _pmt_inf_head(info: Pain001PaymentInfo) -> list[etree._Element]:
    """The children of a PmtInf that come before its transactions."""
    holder = etree.Element("PmtInf")
    x.sub(holder, "PmtInfId", info.pmt_inf_id)
    x.sub(holder, "PmtMtd", "TRF")
    x.sub(holder, "BtchBookg", "true" if info.batch_booking else "false")
    x.sub(holder, "NbOfTxs", str(info.nb_of_txs))
    x.sub(holder, "CtrlSum", f"{info.control_sum:f}")
    x.sub(x.sub(holder, "ReqdExctnDt"), "Dt", info.requested_execution_date.isoformat())
    x.add_party_name(holder, "Dbtr", info.debtor_name)
    acct = x.sub(holder, "DbtrAcct")
    x.sub(x.sub(x.sub(acct, "Id"), "Othr"), "Id", info.debtor_account)
    x.add_agent(holder, "DbtrAgt", info.debtor_bank_code)
    x.sub(holder, "ChrgBr", "SLEV")
    return list(holder)


def _tx_element(line: Pain001Line) -> etree._Element:
    tx = etree.Element("CdtTrfTxInf")
    x.sub(x.sub(tx, "PmtId"), "EndToEndId", line.end_to_end_id)
    amt = x.sub(tx, "Amt")
    x.sub(amt, "InstdAmt", f"{line.amount:f}", Ccy=line.currency)
    if line.creditor_bank_code:
        x.add_agent(tx, "CdtrAgt", line.creditor_bank_code)
    x.add_party_name(tx, "Cdtr", line.creditor_name)
    x.add_account(tx, "CdtrAcct", line.creditor_account)
    if line.remittance:
        rmt = x.sub(tx, "RmtInf")
        for piece in x.chunks(line.remittance, x.MAX140):
            x.sub(rmt, "Ustrd", piece)
    return tx


def build_pain001(
    header: Pain001Header,
    payment_infos: Sequence[Pain001PaymentInfo],
    lines: Iterable[Pain001Line],
    out: Source | IO[bytes] | None = None,
) -> bytes:
    """Write a pain.001.001.09 exactly as given (counts and sums are NOT recomputed, so tests can write
    wrong ones). `lines` come grouped by PmtInf (each run of one pmt_inf_id becomes a PmtInf block, with
    the head from `payment_infos`); their `seq` is ignored.
    With `out` (a path or binary file) the document is streamed there and b"" is returned; without it
    the bytes are returned. For tests and the benchmark: the bank never sends a pain.001."""
    if out is None:
        buffer = io.BytesIO()
        _write_pain001(buffer, header, payment_infos, lines)
        return buffer.getvalue()
    target: str | IO[bytes] = out if not isinstance(out, str | os.PathLike) else os.fspath(out)
    _write_pain001(target, header, payment_infos, lines)
    return b""


def _write_pain001(
    target: str | IO[bytes],
    header: Pain001Header,
    payment_infos: Sequence[Pain001PaymentInfo],
    lines: Iterable[Pain001Line],
) -> None:
    # The fragments are built without a namespace and written inside the Document's default namespace,
    # so they inherit it: built in the namespace, each would repeat the xmlns declaration.
    by_id = {info.pmt_inf_id: info for info in payment_infos}
    with etree.xmlfile(target, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(f"{{{NS}}}Document", nsmap={None: NS}), xf.element(f"{{{NS}}}CstmrCdtTrfInitn"):
            grp = etree.Element("GrpHdr")
            x.sub(grp, "MsgId", header.msg_id)
            x.sub(grp, "CreDtTm", x.datetime_text(header.created_at))
            x.sub(grp, "NbOfTxs", str(header.nb_of_txs))
            x.sub(grp, "CtrlSum", f"{header.control_sum:f}")
            x.add_party_name(grp, "InitgPty", header.initiating_party)
            xf.write(grp, pretty_print=True)
            for pmt_inf_id, group in groupby(lines, key=lambda line: line.pmt_inf_id):
                if pmt_inf_id not in by_id:
                    raise Iso20022Error(XML_UNSUPPORTED, f"lines name an unknown PmtInf {pmt_inf_id!r}")
                with xf.element(_PMT_INF):
                    for child in _pmt_inf_head(by_id[pmt_inf_id]):
                        xf.write(child, pretty_print=True)
                    for line in group:
                        xf.write(_tx_element(line), pretty_print=True)
