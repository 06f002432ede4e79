"""Returns (pacs.004): settled at once against a settled original, never more than it, delivered to the payer."""

from __future__ import annotations

from decimal import Decimal

from corebank import iso20022 as iso
from tests.integration.clearing.conftest import (
    BANK_A,
    BANK_B,
    BANK_C,
    TOKENS,
    Clearing,
    pacs004,
    pacs008,
    transfer,
)


def _settled_payment(clearing: Clearing, amount: str = "900.00") -> tuple[iso.CreditTransfer, str]:
    tx = transfer(amount)
    xml = pacs008(tx)
    assert clearing.send(xml).statuses[0].status == "ACSC"
    clearing.deliver()
    return tx, iso.parse_pacs008(xml).msg_id


def test_a_return_settles_at_once_and_is_delivered_to_the_original_payers_bank(clearing: Clearing) -> None:
    tx, original_msg_id = _settled_payment(clearing)
    before = clearing.balances()

    report = clearing.send(pacs004(tx, reason="AC04"), BANK_B)

    [status] = report.statuses
    assert (status.status, status.original_end_to_end_id) == ("ACSC", tx.end_to_end_id)
    assert report.original_msg_type == "pacs.004.001.10"
    after = clearing.balances()
    assert after[BANK_B] == before[BANK_B] - Decimal("900.00")
    assert after[BANK_A] == before[BANK_A] + Decimal("900.00")

    assert clearing.deliver()["delivered"] == 1
    [arrived] = clearing.receiver.of(BANK_A, "pacs.004")
    assert arrived.token == TOKENS[BANK_A]
    returned = iso.parse_pacs004(arrived.body)
    assert (returned.instructing_agent, returned.instructed_agent) == (iso.CLEARING_BANK_CODE, BANK_A)
    [ret] = returned.returns
    # The payer's bank finds its payment by its own message and transaction ids.
    assert (ret.original_msg_id, ret.original_tx_id, ret.reason) == (original_msg_id, tx.tx_id, "AC04")
    assert (ret.debtor, ret.creditor, ret.amount) == (tx.debtor, tx.creditor, Decimal("900.00"))


def test_a_return_may_not_exceed_the_original(clearing: Clearing) -> None:
    tx, _ = _settled_payment(clearing)
    assert clearing.send(pacs004(tx, amount="600.00"), BANK_B).statuses[0].status == "ACSC"
    before = clearing.balances()

    over = clearing.send(pacs004(tx, amount="300.01"), BANK_B).statuses[0]
    rest = clearing.send(pacs004(tx, amount="300.00"), BANK_B).statuses[0]

    assert (over.status, over.reason) == ("RJCT", "AM09")
    assert rest.status == "ACSC"
    assert clearing.balances()[BANK_B] == before[BANK_B] - Decimal("300.00")


def test_a_return_needs_a_settled_original_paid_to_the_returning_bank(clearing: Clearing) -> None:
    never_sent = transfer("10.00")
    rejected = transfer("10.00", creditor_bank="999999999999")
    clearing.send(pacs008(rejected))
    tx, _ = _settled_payment(clearing)
    before = clearing.balances()

    answers = [
        clearing.send(pacs004(never_sent), BANK_B),
        clearing.send(pacs004(rejected), BANK_B),
        clearing.send(pacs004(tx, sender=BANK_C), BANK_C),  # C never received it
    ]

    assert [(a.statuses[0].status, a.statuses[0].reason) for a in answers] == [("RJCT", "NARR")] * 3
    assert clearing.balances() == before
    assert clearing.deliver()["delivered"] == 0


def test_a_return_of_a_beps_payment_waits_for_its_netting(clearing: Clearing) -> None:
    tx = transfer("40.00")
    clearing.send(pacs008(tx, system=iso.BEPS))
    assert clearing.send(pacs004(tx), BANK_B).statuses[0].reason == "NARR"  # still pending

    clearing.settle_beps()
    assert clearing.send(pacs004(tx), BANK_B).statuses[0].status == "ACSC"
