"""HVPS (大额实时支付): real-time gross settlement on working days within operating hours."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from corebank import iso20022 as iso
from tests.integration.clearing.conftest import (
    BANK_A,
    BANK_B,
    TOKENS,
    Clearing,
    pacs008,
    table_counts,
    transfer,
)


def test_hvps_payment_settles_at_once_and_reaches_the_creditor_bank(clearing: Clearing) -> None:
    before = clearing.balances()
    tx = transfer("250000.00")

    report = clearing.send(pacs008(tx))

    assert [(s.original_tx_id, s.status, s.reason) for s in report.statuses] == [(tx.tx_id, "ACSC", None)]
    after = clearing.balances()
    assert after[BANK_A] == before[BANK_A] - Decimal("250000.00")
    assert after[BANK_B] == before[BANK_B] + Decimal("250000.00")

    assert clearing.deliver() == {"delivered": 1, "failed": 0, "waiting": 0}
    [arrived] = clearing.receiver.of(BANK_B)
    assert arrived.token == TOKENS[BANK_B]
    credit = iso.parse_pacs008(arrived.body)
    assert (credit.instructing_agent, credit.instructed_agent) == (iso.CLEARING_BANK_CODE, BANK_B)
    assert credit.system == iso.HVPS
    assert credit.transactions == (tx,)  # names, accounts, amount and remittance pass through unchanged


def test_hvps_refuses_after_hours_with_dt01_and_moves_nothing(clearing: Clearing) -> None:
    before = clearing.balances()
    clearing.clock.at = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # 17:30 in Beijing: closed at 17:15

    late = clearing.send(pacs008(transfer("1000.00")))
    clearing.clock.at = datetime(2026, 3, 7, 2, 0, tzinfo=UTC)  # Saturday 10:00 in Beijing
    weekend = clearing.send(pacs008(transfer("1000.00")))

    assert [(s.status, s.reason) for s in late.statuses + weekend.statuses] == [("RJCT", "DT01")] * 2
    assert clearing.balances() == before
    assert clearing.deliver()["delivered"] == 0


def test_hvps_opens_at_0830_beijing_time(clearing: Clearing) -> None:
    clearing.clock.at = datetime(2026, 3, 2, 0, 29, tzinfo=UTC)  # 08:29
    assert clearing.send(pacs008(transfer("10.00"))).statuses[0].reason == "DT01"
    clearing.clock.at = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 08:30
    assert clearing.send(pacs008(transfer("10.00"))).statuses[0].status == "ACSC"


def test_hvps_refuses_am04_when_the_settlement_account_cannot_cover(clearing: Clearing) -> None:
    before = clearing.balances()
    small, too_big = (
        transfer("100.00", debtor_bank=BANK_B, creditor_bank=BANK_A),
        transfer("499950.00", debtor_bank=BANK_B, creditor_bank=BANK_A),
    )

    report = clearing.send(pacs008(small, too_big, sender=BANK_B), BANK_B)

    assert [(s.status, s.reason) for s in report.statuses] == [("ACSC", None), ("RJCT", "AM04")]
    after = clearing.balances()
    assert after[BANK_B] == before[BANK_B] - Decimal("100.00")
    assert after[BANK_A] == before[BANK_A] + Decimal("100.00")


def test_unknown_creditor_bank_is_refused_rc01(clearing: Clearing) -> None:
    before = clearing.balances()
    report = clearing.send(pacs008(transfer("10.00", creditor_bank="999999999999")))
    assert (report.statuses[0].status, report.statuses[0].reason) == ("RJCT", "RC01")
    assert clearing.balances() == before


def test_random_rejects_come_with_narr_when_the_reject_rate_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.integration.clearing.conftest import build_clearing

    c = build_clearing(tmp_path, reject_rate=1.0, seed=7)
    before = c.balances()
    report = c.send(pacs008(transfer("10.00")))
    assert (report.statuses[0].status, report.statuses[0].reason) == ("RJCT", "NARR")
    assert c.balances() == before
    c.house.close()


def test_a_payment_in_another_currency_is_refused_am03(clearing: Clearing) -> None:
    tx = transfer("10.00")
    usd = iso.CreditTransfer(tx.tx_id, tx.end_to_end_id, tx.amount, "USD", tx.debtor, tx.creditor)
    before = clearing.balances()
    assert clearing.send(pacs008(usd)).statuses[0].reason == "AM03"
    assert clearing.balances() == before


def test_counts_are_untouched_by_a_refused_message(clearing: Clearing) -> None:
    counts = table_counts(clearing.house)
    response = clearing.post(pacs008(transfer("10.00"), sender=BANK_B))  # InstgAgt B with A's token
    assert response.status_code == 403
    assert response.json()["code"] == "INSTRUCTING_AGENT_MISMATCH"
    assert table_counts(clearing.house) == counts
