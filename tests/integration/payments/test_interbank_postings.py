"""Outbound interbank payments: what each step posts, and that clearing suspense comes back to zero."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from corebank import ledger
from corebank.bootstrap import Bank
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.payments import interbank
from corebank.payments.interbank_schemas import InterbankCreate
from tests.factories import Staff, funded_account
from tests.integration.payments.interbank_support import (
    OTHER_BANK,
    balance,
    central_bank,
    gl_total,
    row,
    step,
    suspense,
)


class FixedClock:
    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture(autouse=True)
def morning(bank: Bank, monkeypatch: pytest.MonkeyPatch) -> None:
    """10:00 in Shanghai on the bank's business date: HVPS open, before the cut-off."""
    monkeypatch.setattr(bank.uow, "clock", FixedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)))


def send(
    bank: Bank, staff: Staff, payer: str, amount: str, key: str, **kw: object
) -> interbank.InterbankRead:
    cmd = InterbankCreate(
        from_account=payer,
        creditor_bank_code=str(kw.pop("bank_code", OTHER_BANK)),
        creditor_account="6222000011112222",
        creditor_name="Li Na",
        amount=amount,
        **kw,  # type: ignore[arg-type]
    )
    return bank.run(interbank.send_interbank, staff["teller"].actor, cmd, key)  # type: ignore[no-any-return]


def test_counter_payment_debits_amount_and_fee_into_suspense_then_settles(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "20000.00")
    s0, cb0, fee0 = suspense(bank), central_bank(bank), gl_total(bank, chart.FEE_INCOME)
    paid = send(bank, staff, payer.number, "8000.00", "ib-post-1")
    assert (paid.status, paid.system, paid.fee, paid.value_date.isoformat()) == (
        "created",
        "BEPS",
        "5.00",
        "2026-03-02",
    )
    assert balance(bank, payer.number) == "11995.00"
    assert suspense(bank) - s0 == -800000  # 1011 credited (an asset account: credit is negative)
    assert gl_total(bank, chart.FEE_INCOME) - fee0 == -500
    assert step(bank, interbank.mark_settled, paid.payment_id)
    assert suspense(bank) == s0
    assert central_bank(bank) - cb0 == -800000
    assert row(bank, paid.payment_id).status == "settled"
    assert not step(bank, interbank.mark_settled, paid.payment_id)  # a repeated report changes nothing
    assert suspense(bank) == s0


def test_rejected_payment_refunds_amount_and_fee(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "20000.00")
    s0, fee0 = suspense(bank), gl_total(bank, chart.FEE_INCOME)
    paid = send(bank, staff, payer.number, "15000.00", "ib-post-2")
    assert paid.fee == "10.00"
    assert step(bank, interbank.mark_sent, paid.payment_id)
    assert step(bank, interbank.mark_rejected, paid.payment_id, "AM04", "insufficient")
    assert balance(bank, payer.number) == "20000.00"
    assert suspense(bank) == s0
    assert gl_total(bank, chart.FEE_INCOME) == fee0
    r = row(bank, paid.payment_id)
    assert (r.status, r.reason_code) == ("rejected", "AM04")
    assert not step(bank, interbank.mark_settled, paid.payment_id)
    assert not step(bank, interbank.mark_rejected, paid.payment_id, "AM04")
    assert balance(bank, payer.number) == "20000.00"


def test_return_after_settlement_refunds_the_amount_not_the_fee(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "20000.00")
    s0, cb0 = suspense(bank), central_bank(bank)
    paid = send(bank, staff, payer.number, "1000.00", "ib-post-3")
    step(bank, interbank.mark_settled, paid.payment_id)
    assert step(
        bank, interbank.mark_returned, paid.payment_id, return_id="R1", return_msg_id="RM1", reason="AC01"
    )
    assert balance(bank, payer.number) == "19995.00"
    assert (suspense(bank), central_bank(bank)) == (s0, cb0)
    assert row(bank, paid.payment_id).status == "returned"
    assert not step(
        bank, interbank.mark_returned, paid.payment_id, return_id="R1", return_msg_id="RM1", reason="AC01"
    )


def test_funded_outbound_from_a_bulk_file_is_recorded_created(bank: Bank, staff: Staff) -> None:
    payer = funded_account(bank, staff["teller"].actor, "5000.00")
    s0 = suspense(bank)

    def fund(uow):  # type: ignore[no-untyped-def]
        from corebank import accounts

        acc = accounts.load_for_posting(uow, [payer.number])[payer.number]
        amount = Money.of("300.00", "CNY")
        entry = ledger.post(
            uow,
            EntryDraft(
                "bulk.funding",
                (
                    Leg.debit(acc.gl_code, acc.branch_code, amount, acc.id),
                    Leg.credit(chart.CLEARING_SUSPENSE, acc.branch_code, amount),
                ),
            ),
            by="teller",
        )
        return interbank.record_funded_outbound(
            uow,
            by="teller",
            channel="counter",
            payer_account_id=acc.id,
            payer_account=acc.number,
            payer_name=acc.name,
            branch_code=acc.branch_code,
            creditor_bank_code=OTHER_BANK,
            creditor_account="6222000011113333",
            creditor_name="Wang Wei",
            amount=amount,
            end_to_end_id="E2E-BULK-1",
            funding_entry_id=entry.id,
            bulk_line_id=7,
        )

    pid = bank.run(fund)
    r = row(bank, pid)
    assert (r.status, r.system, r.fee, r.bulk_line_id, r.end_to_end_id) == (
        "created",
        "BEPS",
        0,
        7,
        "E2E-BULK-1",
    )
    assert step(bank, interbank.mark_rejected, pid, "RC01")
    assert balance(bank, payer.number) == "5000.00"
    assert suspense(bank) == s0
    assert Decimal(balance(bank, payer.number)) == Decimal("5000.00")
