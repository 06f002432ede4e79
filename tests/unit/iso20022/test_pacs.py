"""pacs.008/002/004: what a builder writes is valid (lxml and xmlschema agree) and parses back equal."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from corebank.iso20022 import (
    CLEARING_BANK_CODE,
    PACS002,
    PACS004,
    PACS008,
    CreditTransfer,
    Iso20022Error,
    Pacs008,
    Party,
    build_pacs002,
    build_pacs004,
    build_pacs008,
    message_name,
    parse_pacs002,
    parse_pacs004,
    parse_pacs008,
    validate,
)
from corebank.iso20022.pacs import CHANNEL_SYSTEMS
from tests.unit.iso20022 import samples


@pytest.mark.parametrize("system", ["HVPS", "BEPS"])
def test_pacs008_round_trip(system: str) -> None:
    msg = samples.pacs008(system)
    xml = build_pacs008(msg)
    assert validate(xml) == PACS008
    samples.xmlschema_validate(PACS008, xml)
    assert parse_pacs008(xml) == msg


def test_pacs008_is_written_the_domestic_way() -> None:
    root = etree.fromstring(build_pacs008(samples.pacs008("BEPS")))
    ns = {"d": "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09"}
    grp = "d:FIToFICstmrCdtTrf/d:GrpHdr"
    assert root.findtext(f"{grp}/d:SttlmInf/d:SttlmMtd", namespaces=ns) == "CLRG"
    assert root.findtext(f"{grp}/d:PmtTpInf/d:ClrChanl", namespaces=ns) == "MPNS"
    assert (
        root.findtext(f"{grp}/d:InstdAgt/d:FinInstnId/d:ClrSysMmbId/d:MmbId", namespaces=ns) == "000000000000"
    )
    assert (
        root.findtext(f"{grp}/d:InstgAgt/d:FinInstnId/d:ClrSysMmbId/d:ClrSysId/d:Cd", namespaces=ns)
        == "CNAPS"
    )
    tx = root.find("d:FIToFICstmrCdtTrf/d:CdtTrfTxInf", namespaces=ns)
    assert tx.findtext("d:DbtrAcct/d:Id/d:Othr/d:Id", namespaces=ns) == samples.PAYER.account
    amount = tx.find("d:IntrBkSttlmAmt", namespaces=ns)
    assert (amount.text, amount.get("Ccy")) == ("1234.50", "CNY")
    assert root.findtext(f"{grp}/d:CtrlSum", namespaces=ns) == "1234.51"
    assert CHANNEL_SYSTEMS == {"RTGS": "HVPS", "MPNS": "BEPS"}


def test_pacs002_round_trip() -> None:
    msg = samples.pacs002()
    xml = build_pacs002(msg)
    assert validate(xml) == PACS002
    samples.xmlschema_validate(PACS002, xml)
    assert parse_pacs002(xml) == msg


def test_pacs004_round_trip() -> None:
    msg = samples.pacs004()
    xml = build_pacs004(msg)
    assert validate(xml) == PACS004
    samples.xmlschema_validate(PACS004, xml)
    assert parse_pacs004(xml) == msg


def test_parsers_refuse_other_message_types() -> None:
    pacs008 = build_pacs008(samples.pacs008())
    pacs002 = build_pacs002(samples.pacs002())
    for parse, xml in [(parse_pacs002, pacs008), (parse_pacs004, pacs008), (parse_pacs008, pacs002)]:
        with pytest.raises(Iso20022Error) as caught:
            parse(xml)
        assert caught.value.code == "XML_WRONG_MESSAGE"


def test_message_name_and_its_errors() -> None:
    assert message_name(build_pacs004(samples.pacs004())) == PACS004
    with pytest.raises(Iso20022Error) as caught:
        message_name(b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pacs.009.001.08'/>")
    assert caught.value.code == "XML_UNKNOWN_MESSAGE"
    with pytest.raises(Iso20022Error) as caught:
        message_name(b"<Document><unclosed></Document>")
    assert caught.value.code == "XML_MALFORMED"
    assert caught.value.status == 422


def test_schema_invalid_lists_the_errors() -> None:
    xml = build_pacs008(samples.pacs008()).replace(b"<ChrgBr>SLEV</ChrgBr>", b"<ChrgBr>FREE</ChrgBr>")
    with pytest.raises(Iso20022Error) as caught:
        validate(xml)
    assert caught.value.code == "XML_SCHEMA_INVALID"
    assert caught.value.errors and "ChrgBr" in caught.value.errors[0]
    assert caught.value.extra["errors"] == caught.value.errors
    with pytest.raises(Iso20022Error) as caught:
        parse_pacs008(xml)
    assert caught.value.code == "XML_SCHEMA_INVALID"


def test_wrong_transaction_count_is_refused() -> None:
    xml = build_pacs008(samples.pacs008()).replace(b"<NbOfTxs>2</NbOfTxs>", b"<NbOfTxs>3</NbOfTxs>")
    with pytest.raises(Iso20022Error) as caught:
        parse_pacs008(xml)
    assert caught.value.code == "XML_COUNT"


def test_entities_and_dtds_are_refused() -> None:
    evil = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09'>&x;</Document>"
    )
    with pytest.raises(Iso20022Error) as caught:
        parse_pacs008(evil)
    assert caught.value.code == "XML_MALFORMED"


@pytest.mark.parametrize("amount", [Decimal("1.005"), Decimal("-1.00")])
def test_builder_refuses_amounts_it_cannot_write_exactly(amount: Decimal) -> None:
    msg = samples.pacs008()
    bad = replace(msg, transactions=(replace(msg.transactions[0], amount=amount),))
    with pytest.raises(Iso20022Error) as caught:
        build_pacs008(bad)
    assert caught.value.code == "XML_AMOUNT"


def test_builder_refuses_an_unknown_system_and_too_long_ids() -> None:
    with pytest.raises(Iso20022Error) as caught:
        build_pacs008(replace(samples.pacs008(), system="SWIFT"))
    assert caught.value.code == "XML_UNSUPPORTED"
    with pytest.raises(Iso20022Error) as caught:
        build_pacs008(replace(samples.pacs008(), msg_id="M" * 36))
    assert caught.value.code == "XML_SCHEMA_INVALID"


# Names: any printable text, Chinese included, that fits Max140Text (XML cannot carry control characters).
names = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Co", "Cn")),
        st.sampled_from("张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董"),
    ),
    min_size=1,
    max_size=140,
)
ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=35)
digits = st.text(alphabet="0123456789", min_size=12, max_size=12)
accounts = st.text(alphabet="0123456789", min_size=8, max_size=34)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999999.99"), places=2)
parties = st.builds(Party, name=names, account=accounts, bank_code=digits)
transfers = st.builds(
    CreditTransfer,
    tx_id=ids,
    end_to_end_id=ids,
    amount=amounts,
    currency=st.just("CNY"),
    debtor=parties,
    creditor=parties,
    remittance=st.one_of(st.just(""), names, names.map(lambda n: n * 3)),
)
messages = st.builds(
    Pacs008,
    msg_id=ids,
    created_at=st.datetimes(
        min_value=datetime(2000, 1, 1),
        max_value=datetime(2099, 12, 31),
        timezones=st.just(timezone(timedelta(hours=8))),
    ),
    settlement_date=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    system=st.sampled_from(["HVPS", "BEPS"]),
    instructing_agent=digits,
    instructed_agent=st.just(CLEARING_BANK_CODE),
    transactions=st.lists(transfers, min_size=1, max_size=5).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(messages)
def test_pacs008_round_trip_property(msg: Pacs008) -> None:
    xml = build_pacs008(msg)
    samples.xmlschema_validate(PACS008, xml)
    assert parse_pacs008(xml) == msg
