"""camt.053 statements and camt.054 notifications: valid against their XSDs and read back equal."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from corebank.iso20022 import (
    CAMT053,
    CAMT054,
    Iso20022Error,
    build_camt053,
    build_camt054,
    build_pacs008,
    parse_camt053,
    parse_camt054,
    validate,
)
from tests.unit.iso20022 import samples


def test_camt053_round_trip() -> None:
    stmt = samples.statement()
    xml = build_camt053(stmt)
    assert validate(xml) == CAMT053
    samples.xmlschema_validate(CAMT053, xml)
    assert parse_camt053(xml) == stmt


def test_camt053_balances_and_entries_as_iso_writes_them() -> None:
    stmt = replace(samples.statement(), opening_balance=Decimal("-20.00"))
    root = etree.fromstring(build_camt053(stmt))
    ns = {"d": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"}
    bals = root.findall("d:BkToCstmrStmt/d:Stmt/d:Bal", namespaces=ns)
    got = [
        (
            b.findtext("d:Tp/d:CdOrPrtry/d:Cd", namespaces=ns),
            b.findtext("d:Amt", namespaces=ns),
            b.findtext("d:CdtDbtInd", namespaces=ns),
        )
        for b in bals
    ]
    assert got == [("OPBD", "20.00", "DBIT"), ("CLBD", "3953.50", "CRDT")]
    entries = root.findall("d:BkToCstmrStmt/d:Stmt/d:Ntry", namespaces=ns)
    assert [e.findtext("d:AcctSvcrRef", namespaces=ns) for e in entries] == ["101", "102", "103"]
    assert [e.findtext("d:CdtDbtInd", namespaces=ns) for e in entries] == ["CRDT", "DBIT", "CRDT"]
    assert root.findtext("d:BkToCstmrStmt/d:Stmt/d:TxsSummry/d:TtlNtries/d:NbOfNtries", namespaces=ns) == "3"
    assert parse_camt053(build_camt053(stmt)).opening_balance == Decimal("-20.00")


def test_camt053_without_entries() -> None:
    stmt = replace(samples.statement(), lines=(), closing_balance=Decimal("100.00"))
    xml = build_camt053(stmt)
    samples.xmlschema_validate(CAMT053, xml)
    assert parse_camt053(xml) == stmt


def test_long_narratives_are_cut_to_what_the_schema_holds() -> None:
    line = replace(samples.lines()[0], narrative="备注" * 400)
    xml = build_camt053(replace(samples.statement(), lines=(line,)))
    assert parse_camt053(xml).lines[0].narrative == ("备注" * 400)[:500]


def test_camt054_round_trip() -> None:
    note = samples.notification()
    xml = build_camt054(note)
    assert validate(xml) == CAMT054
    samples.xmlschema_validate(CAMT054, xml)
    assert parse_camt054(xml) == note


def test_camt_parsers_refuse_other_messages() -> None:
    with pytest.raises(Iso20022Error) as caught:
        parse_camt053(build_camt054(samples.notification()))
    assert caught.value.code == "XML_WRONG_MESSAGE"
    with pytest.raises(Iso20022Error) as caught:
        parse_camt054(build_pacs008(samples.pacs008()))
    assert caught.value.code == "XML_WRONG_MESSAGE"
