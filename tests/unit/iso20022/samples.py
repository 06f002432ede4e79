"""Sample messages the ISO 20022 tests build, send round and compare."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import xmlschema

from corebank.iso20022 import (
    CLEARING_BANK_CODE,
    CreditTransfer,
    Notification,
    Pacs002,
    Pacs004,
    Pacs008,
    Party,
    PaymentReturn,
    Statement,
    StatementLine,
    TxStatus,
    xsd_path,
)

BEIJING = timezone(timedelta(hours=8))
OUR_BANK = "102100099996"
OTHER_BANK = "105100000017"
PAYER = Party("张三", "6222000011112222", OUR_BANK)
PAYEE = Party("北京某某科技有限公司", "6217000033334444", OTHER_BANK)

_schemas: dict[str, xmlschema.XMLSchema] = {}


def xmlschema_validate(name: str, xml: bytes) -> None:
    """Validate with the pure-Python `xmlschema` package: a second opinion next to lxml/libxml2."""
    if name not in _schemas:
        _schemas[name] = xmlschema.XMLSchema(str(xsd_path(name)))
    _schemas[name].validate(xml)


def pacs008(system: str = "HVPS") -> Pacs008:
    return Pacs008(
        msg_id="B102100099996-20261123-0001",
        created_at=datetime(2026, 11, 23, 10, 15, 30, tzinfo=BEIJING),
        settlement_date=date(2026, 11, 23),
        system=system,
        instructing_agent=OUR_BANK,
        instructed_agent=CLEARING_BANK_CODE,
        transactions=(
            CreditTransfer("TX0001", "E2E0001", Decimal("1234.50"), "CNY", PAYER, PAYEE, "11月货款"),
            CreditTransfer("TX0002", "E2E0002", Decimal("0.01"), "CNY", PAYEE, PAYER),
        ),
    )


def pacs002() -> Pacs002:
    return Pacs002(
        msg_id="C000000000000-0001",
        created_at=datetime(2026, 11, 23, 10, 15, 31, tzinfo=UTC),
        original_msg_id="B102100099996-20261123-0001",
        original_msg_type="pacs.008.001.09",
        statuses=(
            TxStatus("TX0001", "E2E0001", "ACSC"),
            TxStatus("TX0002", "E2E0002", "RJCT", "AM04", "settlement account insufficient " * 10),
            TxStatus("TX0003", "E2E0003", "ACSP"),
        ),
    )


def pacs004() -> Pacs004:
    return Pacs004(
        msg_id="B105100000017-R-0001",
        created_at=datetime(2026, 11, 24, 9, 0, tzinfo=BEIJING),
        settlement_date=date(2026, 11, 24),
        instructing_agent=OTHER_BANK,
        instructed_agent=CLEARING_BANK_CODE,
        returns=(
            PaymentReturn(
                return_id="RTR0001",
                original_msg_id="B102100099996-20261123-0001",
                original_tx_id="TX0001",
                original_end_to_end_id="E2E0001",
                amount=Decimal("1234.50"),
                currency="CNY",
                reason="AC04",
                debtor=PAYER,
                creditor=PAYEE,
            ),
        ),
    )


def lines() -> tuple[StatementLine, ...]:
    return (
        StatementLine(
            "101", Decimal("5000.00"), True, date(2026, 11, 2), date(2026, 11, 2), "现金存入", "DEPOSIT"
        ),
        StatementLine(
            "102",
            Decimal("1234.50"),
            False,
            date(2026, 11, 3),
            date(2026, 11, 3),
            "跨行汇款 to 北京某某科技有限公司",
            "INTERBANK_OUT",
            "E2E0001",
            PAYEE,
        ),
        StatementLine(
            "103",
            Decimal("88.00"),
            True,
            date(2026, 11, 4),
            date(2026, 11, 4),
            "来账",
            "INTERBANK_IN",
            "",
            PAYEE,
        ),
    )


def statement() -> Statement:
    return Statement(
        msg_id="STMT-6222000011112222-20261130",
        created_at=datetime(2026, 12, 1, 8, 0, tzinfo=BEIJING),
        statement_id="6222000011112222-20261101-20261130",
        account_number=PAYER.account,
        account_name=PAYER.name,
        currency="CNY",
        bank_code=OUR_BANK,
        date_from=date(2026, 11, 1),
        date_to=date(2026, 11, 30),
        opening_balance=Decimal("100.00"),
        closing_balance=Decimal("3953.50"),
        lines=lines(),
    )


def notification() -> Notification:
    return Notification(
        msg_id="NTFCTN-102",
        created_at=datetime(2026, 11, 3, 12, 0, tzinfo=BEIJING),
        notification_id="6222000011112222-102",
        account_number=PAYER.account,
        account_name=PAYER.name,
        currency="CNY",
        bank_code=OUR_BANK,
        lines=lines()[1:2],
    )
