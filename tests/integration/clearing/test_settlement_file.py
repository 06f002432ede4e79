"""The daily settlement file: one row per transaction involving the bank; its settled rows explain exactly
how the bank's settlement balance moved."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from corebank import iso20022 as iso
from corebank.clearing import SETTLEMENT_HEADER
from tests.integration.clearing.conftest import (
    BANK_A,
    BANK_B,
    BANK_C,
    OPENING,
    Clearing,
    pacs004,
    pacs008,
    transfer,
)

HEADER_LINE = (
    "settlement_date,system,batch_id,msg_type,msg_id,tx_id,end_to_end_id,original_tx_id,debtor_bank_code,"
    "creditor_bank_code,amount,currency,status,direction,settled_at"
)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _a_busy_day(clearing: Clearing) -> dict[str, iso.CreditTransfer]:
    txs = {
        "hvps": transfer("1200.00"),
        "hvps_rejected": transfer("10.00", creditor_bank="999999999999"),
        "beps": transfer("300.00"),
        "beps_back": transfer("75.25", debtor_bank=BANK_B, creditor_bank=BANK_A),
        "beps_over_limit": transfer("60000.00"),
        "beps_uncovered": transfer("20.00", debtor_bank=BANK_C, creditor_bank=BANK_A),
        "queued": transfer("5.00"),
    }
    clearing.send(pacs008(txs["hvps"], txs["hvps_rejected"]))
    clearing.send(pacs008(txs["beps"], txs["beps_over_limit"], system=iso.BEPS))
    clearing.send(pacs008(txs["beps_back"], system=iso.BEPS, sender=BANK_B), BANK_B)
    clearing.send(pacs008(txs["beps_uncovered"], system=iso.BEPS, sender=BANK_C), BANK_C)
    clearing.settle_beps()
    clearing.send(pacs004(txs["hvps"], amount="200.00"), BANK_B)
    clearing.send(pacs008(txs["queued"], system=iso.BEPS))  # still pending at the end of the day
    return txs


def test_the_file_has_one_row_per_transaction_of_the_bank(clearing: Clearing) -> None:
    txs = _a_busy_day(clearing)

    text = clearing.settlement_file(BANK_A)

    assert text.splitlines()[0] == HEADER_LINE == ",".join(SETTLEMENT_HEADER)
    rows = {(r["tx_id"], r["direction"]): r for r in _rows(text)}
    assert {(r["status"], r["direction"]) for r in rows.values()} >= {
        ("settled", "debit"),
        ("rejected", "debit"),
    }
    assert rows[(txs["hvps_rejected"].tx_id, "debit")]["status"] == "rejected"
    assert rows[(txs["queued"].tx_id, "debit")]["status"] == "pending"
    assert rows[(txs["queued"].tx_id, "debit")]["settled_at"] == ""
    beps = rows[(txs["beps"].tx_id, "debit")]
    assert beps["system"] == "BEPS" and beps["batch_id"].startswith("BEPS") and beps["amount"] == "300.00"
    assert rows[(txs["beps_back"].tx_id, "credit")]["amount"] == "75.25"
    returned = next(r for r in rows.values() if r["msg_type"] == "pacs.004")
    assert (returned["original_tx_id"], returned["direction"], returned["amount"]) == (
        txs["hvps"].tx_id,
        "credit",
        "200.00",
    )
    assert returned["debtor_bank_code"] == BANK_B and returned["creditor_bank_code"] == BANK_A
    assert all(r["settlement_date"] == "2026-03-02" and r["currency"] == "CNY" for r in rows.values())
    assert all(date.fromisoformat(r["settled_at"][:10]) for r in rows.values() if r["status"] == "settled")


def test_the_creditor_sees_only_what_settled_to_it(clearing: Clearing) -> None:
    txs = _a_busy_day(clearing)
    rows = _rows(clearing.settlement_file(BANK_B))
    credits = {r["tx_id"] for r in rows if r["direction"] == "credit"}
    assert credits == {txs["hvps"].tx_id, txs["beps"].tx_id}
    assert all(r["status"] == "settled" for r in rows if r["direction"] == "credit")


def test_settled_debits_and_credits_add_up_to_each_banks_balance_movement(clearing: Clearing) -> None:
    _a_busy_day(clearing)
    balances = clearing.balances()
    for bank in (BANK_A, BANK_B, BANK_C):
        rows = _rows(clearing.settlement_file(bank))
        credits = sum(
            (Decimal(r["amount"]) for r in rows if r["status"] == "settled" and r["direction"] == "credit"),
            Decimal(0),
        )
        debits = sum(
            (Decimal(r["amount"]) for r in rows if r["status"] == "settled" and r["direction"] == "debit"),
            Decimal(0),
        )
        assert credits - debits == balances[bank] - Decimal(OPENING[bank]), bank


def test_a_day_without_business_has_only_the_header(clearing: Clearing) -> None:
    assert clearing.settlement_file(BANK_A, date(2026, 3, 3)) == HEADER_LINE + "\n"
    assert clearing.client.get(
        "/settlement/2026-13-40", headers={"X-Clearing-Token": "token-bank-a-0001"}
    ).status_code in (400, 422)
