"""OFX 2.2 statements: what a personal finance program reads back (parsed with ofxtools) is what the bank
booked — every line, its sign and amount, and the closing balance, to the fen."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

from ofxtools.Parser import OFXTree

from corebank.finance.ofx import build_ofx, filename
from corebank.finance.statements import Statement, StatementLine, StatementPeriod


def _statement(opening: int, closing: int, last_line: int | None) -> Statement:
    return Statement(
        bank_name="CoreBank",
        account_number="6222000012345678",
        holder_name="Li Lei",
        customer_number="C0000123",
        currency="CNY",
        branch_code="0001",
        product_code="DEMAND_CNY",
        period=StatementPeriod(date(2026, 3, 1), date(2026, 3, 31)),
        opening=opening,
        closing=closing,
        opening_line_id=10,
        last_line_id=last_line,
        business_date=date(2026, 4, 1),
        generated_at=datetime(2026, 4, 1, 8, 30, tzinfo=UTC),
        generated_by="customer:lilei",
    )


def _line(
    line_id: int, day: int, amount: int, balance: int, description: str, kind: str = "transfer"
) -> StatementLine:
    return StatementLine(
        line_id=line_id,
        entry_id=line_id + 100,
        booking_date=date(2026, 3, day),
        value_date=date(2026, 3, day),
        kind=kind,
        description=description,
        reference=f"REF{line_id}",
        amount=amount,
        balance=balance,
        channel="internet",
    )


def _parse(data: bytes):  # type: ignore[no-untyped-def]
    tree = OFXTree()
    tree.parse(io.BytesIO(data))
    return tree.convert()


def test_an_ofx_statement_reads_back_with_every_line_and_the_closing_balance() -> None:
    lines = [
        _line(11, 2, 1_000_050, 1_100_050, "Cash deposit at the counter"),
        _line(12, 5, -250_075, 849_975, "Transfer to 6222000087654321: rent for March & April <paid>"),
        _line(13, 21, 1_234, 851_209, "Interest settlement", kind="interest_settlement"),
    ]
    st = _statement(opening=100_000, closing=851_209, last_line=13)
    data = build_ofx(st, lines, bank_id="102100099996")
    assert data.startswith(b'<?xml version="1.0"')
    ofx = _parse(data)
    stmt = ofx.statements[0]
    assert stmt.curdef == "CNY"
    assert stmt.account.acctid == "6222000012345678"
    assert stmt.account.bankid == "102100099"
    assert stmt.account.accttype == "CHECKING"
    txs = stmt.banktranlist
    assert [t.trntype for t in txs] == ["CREDIT", "DEBIT", "CREDIT"]
    assert [t.trnamt for t in txs] == [Decimal("10000.50"), Decimal("-2500.75"), Decimal("12.34")]
    assert [t.fitid for t in txs] == ["11", "12", "13"]
    assert txs[1].memo == "Transfer to 6222000087654321: rent for March & April <paid>"
    assert len(txs[1].name) <= 32
    assert txs[0].dtposted.date() == date(2026, 3, 2)
    assert txs.dtstart.date() == date(2026, 3, 1) and txs.dtend.date() == date(2026, 3, 31)
    assert stmt.ledgerbal.balamt == Decimal("8512.09")
    assert Decimal("1000.00") + sum(t.trnamt for t in txs) == stmt.ledgerbal.balamt
    assert ofx.signon.status.code == 0


def test_a_period_without_movements_still_gives_the_balance() -> None:
    st = _statement(opening=500, closing=500, last_line=None)
    ofx = _parse(build_ofx(st, [], bank_id="102100099996"))
    stmt = ofx.statements[0]
    assert list(stmt.banktranlist) == []
    assert stmt.ledgerbal.balamt == Decimal("5.00")
    assert filename(st) == "statement-6222000012345678-2026-03-01-2026-03-31.ofx"
