"""Deliveries to the banks: retried when a bank fails, in order per bank, recorded on the transactions."""

from __future__ import annotations

from sqlalchemy import select

from corebank import iso20022 as iso
from corebank.clearing.models import Delivery, Transaction
from tests.integration.clearing.conftest import BANK_A, BANK_B, Clearing, pacs004, pacs008, transfer


def test_a_delivery_is_retried_after_the_receiver_failed_once(clearing: Clearing) -> None:
    tx = transfer("66.00")
    clearing.send(pacs008(tx))
    clearing.receiver.fail_next = 1

    first = clearing.deliver()
    second = clearing.deliver()

    assert first == {"delivered": 0, "failed": 1, "waiting": 1}
    assert second == {"delivered": 1, "failed": 0, "waiting": 0}
    [arrived] = clearing.receiver.of(BANK_B)
    assert iso.parse_pacs008(arrived.body).transactions == (tx,)
    with clearing.house.engine.connect() as conn:
        row = conn.execute(
            select(Transaction.delivered, Transaction.delivery_attempts).where(Transaction.tx_id == tx.tx_id)
        ).one()
        delivery = conn.execute(select(Delivery.attempts, Delivery.last_status, Delivery.delivered)).one()
    assert tuple(row) == (True, 2)
    assert tuple(delivery) == (2, 200, True)


def test_a_failed_delivery_waits_its_back_off_unless_forced(clearing: Clearing) -> None:
    clearing.send(pacs008(transfer("1.00")))
    clearing.receiver.fail_next = 1
    clearing.house.deliver_pending(force=False)

    waiting = clearing.house.deliver_pending(force=False)  # the same instant: not due yet
    assert (waiting.delivered, waiting.waiting) == (0, 1)
    assert clearing.house.deliver_pending(force=True).delivered == 1


def test_a_bank_hears_of_its_payments_in_order_even_after_a_failure(clearing: Clearing) -> None:
    tx = transfer("500.00")
    clearing.send(pacs008(tx, system=iso.BEPS))
    clearing.settle_beps()  # queues the pacs.008 to B and the pacs.002 to A
    clearing.receiver.fail_next = 2  # both fail
    clearing.deliver()
    clearing.send(
        pacs004(tx), BANK_B
    )  # cannot happen in life before B got the payment; order must still hold
    clearing.deliver()

    names_at_a = [r.name for r in clearing.receiver.of(BANK_A)]
    assert names_at_a == ["pacs.002.001.11", "pacs.004.001.10"]


def test_an_unreachable_bank_counts_as_a_failure_not_a_crash(clearing: Clearing) -> None:
    def down(url: str, body: bytes, token: str) -> int:
        raise ConnectionRefusedError("bank B is down")

    clearing.house.deliver = down
    clearing.send(pacs008(transfer("3.00")))
    report = clearing.house.deliver_pending()
    assert (report.delivered, report.failed) == (0, 1)
    with clearing.house.engine.connect() as conn:
        assert "bank B is down" in conn.execute(select(Delivery.last_error)).scalar_one()
