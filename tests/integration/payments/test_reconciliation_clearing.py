"""Reconciliation end to end with the clearing house simulator in-process: a day of payments both ways
(gross, netted, rejected, returned by the payee's bank, a credit to an unknown account sent back), then the
settlement file fetched from the simulator agrees with the bank line for line and clearing suspense is zero."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from corebank import iso20022
from corebank.iso20022 import CreditTransfer, Pacs004, Pacs008, Party, PaymentReturn
from corebank.payments import clearing_link, interbank, reconcile
from corebank.payments.interbank_schemas import InterbankCreate, InterbankRead
from corebank.payments.recon_errors import SettlementFileUnavailable
from corebank.security import Actor
from tests.factories import funded_account, new_account
from tests.integration.conftest import FreshBank
from tests.integration.payments.interbank_support import (
    OTHER_BANK,
    FixedClock,
    Simulator,
    join,
    other_bank_sends,
    row,
    simulator,
    suspense,
)

OTHER_TOKEN = "other-bank-token-r"
DAY = date(2026, 6, 1)
MORNING = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday


@pytest.fixture(scope="module")
def sim(fresh_bank: FreshBank, tmp_path_factory: pytest.TempPathFactory) -> Simulator:
    s = simulator(Path(tmp_path_factory.mktemp("clearing-recon")))
    join(s, fresh_bank.bank, "bank")
    s.router.add("other", None)
    s.house.add_participant(OTHER_BANK, "Other Bank", "http://other", OTHER_TOKEN, "100000000.00")
    return s


@pytest.fixture(scope="module")
def clerk(fresh_bank: FreshBank) -> Actor:
    return fresh_bank.add_staff("recon_clerk", "accountant", "0001")


@pytest.fixture(autouse=True)
def morning(fresh_bank: FreshBank, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh_bank.bank.uow, "clock", FixedClock(MORNING))


def pay(fb: FreshBank, payer: str, amount: str, key: str, **kw: object) -> InterbankRead:
    cmd = InterbankCreate(
        from_account=payer,
        creditor_bank_code=str(kw.pop("bank_code", OTHER_BANK)),
        creditor_account="6222000011112222",
        creditor_name="Li Na",
        amount=amount,
        **kw,
    )
    return fb.bank.run(interbank.send_interbank, fb.teller, cmd, key)


def credit_from_other_bank(fb: FreshBank, sim: Simulator, *txs: tuple[str, str, str, str]) -> None:
    ours = fb.bank.settings.bank_code
    answer = other_bank_sends(
        sim,
        OTHER_BANK,
        OTHER_TOKEN,
        Pacs008(
            msg_id=f"OTHERMSG{txs[0][0]}",
            created_at=MORNING,
            settlement_date=DAY,
            system="HVPS",
            instructing_agent=OTHER_BANK,
            instructed_agent=iso20022.CLEARING_BANK_CODE,
            transactions=tuple(
                CreditTransfer(
                    tx_id,
                    f"E{tx_id}",
                    Decimal(amount),
                    "CNY",
                    Party("Zhao", "1", OTHER_BANK),
                    Party(name, acc, ours),
                )
                for tx_id, acc, name, amount in txs
            ),
        ),
    )
    assert all(s.status == "ACSC" for s in answer.statuses)
    sim.house.deliver_pending()


def return_to_us(fb: FreshBank, sim: Simulator, paid: InterbankRead) -> None:
    ours = fb.bank.settings.bank_code
    answer = other_bank_sends(
        sim,
        OTHER_BANK,
        OTHER_TOKEN,
        Pacs004(
            msg_id="OTHERRETR0001",
            created_at=MORNING,
            settlement_date=DAY,
            instructing_agent=OTHER_BANK,
            instructed_agent=iso20022.CLEARING_BANK_CODE,
            returns=(
                PaymentReturn(
                    return_id="OTHERRTRR0001",
                    original_msg_id=str(row(fb.bank, paid.payment_id).msg_id),
                    original_tx_id=paid.tx_id,
                    original_end_to_end_id=paid.end_to_end_id,
                    amount=Decimal(paid.amount),
                    currency="CNY",
                    reason="AC04",
                    debtor=Party(paid.debtor_name, paid.debtor_account, ours),
                    creditor=Party("Li Na", "6222000011112222", OTHER_BANK),
                ),
            ),
        ),
    )
    assert answer.statuses[0].status == "ACSC"
    sim.house.deliver_pending()


def test_a_day_through_the_simulator_reconciles_to_zero_exceptions_and_zero_suspense(
    fresh_bank: FreshBank, sim: Simulator, clerk: Actor
) -> None:
    fb = fresh_bank
    payer = funded_account(fb.bank, fb.teller, "200000.00")
    payee = new_account(fb.bank, fb.teller)
    gross = pay(fb, payer.number, "60000.00", "rc-1", urgent=True)
    netted = pay(fb, payer.number, "800.00", "rc-2")
    unknown_bank = pay(fb, payer.number, "50.00", "rc-3", bank_code="999999999999")
    sent_back = pay(fb, payer.number, "300.00", "rc-4", urgent=True)
    clearing_link.send_pending(fb.bank, sim.client)
    sim.settle_and_deliver()
    return_to_us(fb, sim, sent_back)
    credit_from_other_bank(
        fb, sim, ("RTX1", payee.number, payee.name, "70.00"), ("RTX2", "6299999999999999", "Ghost", "30.00")
    )
    clearing_link.send_pending(fb.bank, sim.client)  # our return of the credit to the unknown account
    sim.house.deliver_pending()
    statuses = [row(fb.bank, p.payment_id).status for p in (gross, netted, unknown_bank, sent_back)]
    assert statuses == ["settled", "settled", "rejected", "returned"]
    assert suspense(fb.bank) == 0

    result = reconcile.reconcile_with_clearing(fb.bank.run, fb.bank.settings, clerk, DAY, client=sim.client)

    exceptions = fb.bank.run(reconcile.list_exceptions, clerk, day=DAY, readonly=True).items
    assert [(e.kind, e.msg_type, e.direction, e.tx_id) for e in exceptions] == []
    assert (result.status, result.source, result.exceptions, result.open_exceptions) == (
        "matched",
        "clearing",
        0,
        0,
    )
    # 4 of ours + our return of one + the two credits + their return of ours (the rejected one is listed too)
    assert result.rows_in_file == result.matched == 8
    assert (result.suspense_balance, result.suspense_residual) == ("0.00", "0.00")


def test_a_clearing_house_that_refuses_the_file_leaves_a_failed_run(
    fresh_bank: FreshBank, sim: Simulator, clerk: Actor
) -> None:
    fb = fresh_bank
    wrong = fb.bank.settings.model_copy(update={"clearing_token": "not-our-token"})
    with pytest.raises(SettlementFileUnavailable):
        reconcile.reconcile_with_clearing(fb.bank.run, wrong, clerk, DAY, client=sim.client)
    last = fb.bank.run(reconcile.list_runs, clerk, DAY, readonly=True).items[0]
    assert (last.status, last.rows_in_file) == ("failed", 0)
    assert "401" in last.note


def test_a_return_settled_the_next_day_is_reconciled_on_its_own_settlement_date(
    fresh_bank: FreshBank, sim: Simulator, clerk: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A credit to an unknown account arrives late on one day; the bank sends it back the next. Clearing lists
    the credit on the first day's file and the return on the second's, and so must the bank."""
    fb = fresh_bank
    first = fb.business_date()
    credit_from_other_bank(fb, sim, ("LATE1", "6288888888888888", "Nobody", "45.00"))
    late = fb.bank.run(interbank.list_payments, clerk, direction="in", readonly=True).items
    held = next(p for p in late if p.tx_id == "LATE1")
    assert held.status == "return_pending"
    second = first + timedelta(days=1)
    fb.move_to(second)
    monkeypatch.setattr(fb.bank.uow, "clock", FixedClock(MORNING + timedelta(days=1)))
    clearing_link.send_pending(fb.bank, sim.client)  # our pacs.004, settled on the second day
    sim.house.deliver_pending()
    after = row(fb.bank, held.payment_id)
    assert (after.status, after.value_date, after.return_date) == ("returned", first, second)

    for day in (first, second):
        result = reconcile.reconcile_with_clearing(
            fb.bank.run, fb.bank.settings, clerk, day, client=sim.client
        )
        found = fb.bank.run(reconcile.list_exceptions, clerk, day=day, readonly=True).items
        assert [(e.kind, e.msg_type, e.tx_id) for e in found] == [], day
        assert result.status == "matched", day
    assert suspense(fb.bank) == 0
