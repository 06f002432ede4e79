"""BEPS (小额批量支付): 7x24, single limit, queued and settled net in netting cycles."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from corebank import iso20022 as iso
from corebank.clearing.beps import uncovered
from tests.integration.clearing.conftest import (
    BANK_A,
    BANK_B,
    BANK_C,
    Clearing,
    build_clearing,
    pacs008,
    transfer,
)


def test_beps_queues_then_nets_and_pushes_the_final_status_to_the_sender(clearing: Clearing) -> None:
    clearing.clock.at = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # Saturday 23:00 in Beijing: BEPS runs 7x24
    before = clearing.balances()
    a_to_b = [transfer("300.00"), transfer("45.50")]
    b_to_a = transfer("200.00", debtor_bank=BANK_B, creditor_bank=BANK_A)

    first = clearing.send(pacs008(*a_to_b, system=iso.BEPS))
    second = clearing.send(pacs008(b_to_a, system=iso.BEPS, sender=BANK_B), BANK_B)

    assert [s.status for s in first.statuses + second.statuses] == ["ACSP"] * 3
    assert clearing.balances() == before  # nothing moves before the cycle
    assert clearing.deliver()["delivered"] == 0

    batch = clearing.settle_beps()

    assert (batch["transactions"], batch["settled"], batch["rejected"]) == (3, 3, 0)
    assert batch["net_positions"] == {BANK_A: "-145.50", BANK_B: "145.50"}
    after = clearing.balances()
    assert after[BANK_A] - before[BANK_A] == Decimal("-145.50")
    assert after[BANK_B] - before[BANK_B] == Decimal("145.50")

    assert clearing.deliver()["delivered"] == 4  # a pacs.008 and a pacs.002 to each bank
    [status_to_a] = clearing.receiver.of(BANK_A, "pacs.002")
    report = iso.parse_pacs002(status_to_a.body)
    assert report.original_msg_id == first.original_msg_id
    assert {(s.original_tx_id, s.status) for s in report.statuses} == {(t.tx_id, "ACSC") for t in a_to_b}
    [credit_to_b] = clearing.receiver.of(BANK_B, "pacs.008")
    delivered = iso.parse_pacs008(credit_to_b.body)
    assert delivered.system == iso.BEPS
    assert set(delivered.transactions) == set(a_to_b)
    assert clearing.settle_beps()["transactions"] == 0  # nothing left in the queue


def test_beps_refuses_a_payment_over_the_single_limit_am02(clearing: Clearing) -> None:
    report = clearing.send(pacs008(transfer("50000.00"), transfer("50000.01"), system=iso.BEPS))
    assert [(s.status, s.reason) for s in report.statuses] == [("ACSP", None), ("RJCT", "AM02")]
    assert clearing.settle_beps()["settled"] == 1


def test_netting_rejects_every_payment_of_a_bank_whose_net_debit_is_not_covered(clearing: Clearing) -> None:
    before = clearing.balances()  # bank C holds nothing
    c_pays = [transfer("100.00", debtor_bank=BANK_C, creditor_bank=BANK_A) for _ in range(2)]
    a_pays_c = transfer("50.00", debtor_bank=BANK_A, creditor_bank=BANK_C)
    a_pays_b = transfer("70.00", debtor_bank=BANK_A, creditor_bank=BANK_B)
    clearing.send(pacs008(*c_pays, system=iso.BEPS, sender=BANK_C), BANK_C)
    clearing.send(pacs008(a_pays_c, a_pays_b, system=iso.BEPS))

    batch = clearing.settle_beps()

    assert batch["rejected_participants"] == [BANK_C]
    assert (batch["settled"], batch["rejected"]) == (2, 2)
    after = clearing.balances()
    assert after[BANK_C] == Decimal("50.00")
    assert after[BANK_A] == before[BANK_A] - Decimal("120.00")
    assert after[BANK_B] == before[BANK_B] + Decimal("70.00")
    clearing.deliver()
    [to_c] = clearing.receiver.of(BANK_C, "pacs.002")
    assert {(s.status, s.reason) for s in iso.parse_pacs002(to_c.body).statuses} == {("RJCT", "AM04")}


def test_uncovered_banks_are_found_in_a_chain() -> None:
    # A pays B 100 and B pays C 100, neither holds anything: rejecting A takes away B's cover too.
    pairs = {("A", "B"): 100, ("B", "C"): 100}
    assert uncovered(pairs, {"A": 0, "B": 0, "C": 0}) == {"A", "B"}
    assert uncovered(pairs, {"A": 100, "B": 0, "C": 0}) == set()
    assert uncovered({("A", "B"): 100, ("B", "A"): 100}, {}) == set()  # offsetting payments need no cover


def test_the_server_nets_and_delivers_by_itself_while_it_runs(tmp_path: Path) -> None:
    c = build_clearing(tmp_path, beps_interval_seconds=0.2, delivery_interval_seconds=0.1)
    with TestClient(c.client.app) as running:  # the lifespan starts the netting and delivery loops
        tx = transfer("12.34")
        response = running.post(
            "/messages",
            content=pacs008(tx, system=iso.BEPS),
            headers={"X-Clearing-Token": "token-bank-a-0001"},
        )
        assert iso.parse_pacs002(response.content).statuses[0].status == "ACSP"
        deadline = time.monotonic() + 10
        while len(c.receiver.received) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert {r.name for r in c.receiver.received} == {"pacs.008.001.09", "pacs.002.001.11"}
