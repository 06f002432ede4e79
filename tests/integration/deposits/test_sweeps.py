"""Sweep agreements (双利丰) on a bank of their own: end of day sweeps the whole yuan above the retained balance
into 7-day notice deposits (once a day), and a debit the demand balance cannot cover draws them back first,
newest first, with interest (7-day rate 1.35 % when held 7 days or more, else demand 0.35 %)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from corebank import accounts, ledger, payments, tellers
from corebank.bootstrap import Bank
from corebank.deposits import notice, notice_withdrawals, sweep
from corebank.deposits.notice_schemas import NoticeCreate, NoticeWithdrawalCreate, SweepAgreementCreate
from corebank.eod import runner
from corebank.kernel.errors import CoreBankError
from corebank.security import SYSTEM, Actor
from tests.factories import deposit, funded_account, ledger_state, new_account
from tests.integration.conftest import FreshBank, _set_business_date

EVERYTHING = 10**12


def advance(fb: FreshBank, day: date) -> None:
    """Move the business date to `day` and open the teller's till for it (only that one, to spare the vaults)."""
    assert day > fb.business_date()
    fb.bank.run(_set_business_date, day)
    fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="200000.00"))


def key() -> str:
    return f"sweep-{uuid.uuid4().hex}"


def sign(
    bank: Bank, actor: Actor, account: str, retained: str | None = "5000.00"
) -> sweep.SweepAgreementRead:
    return bank.run(
        sweep.sign_agreement, actor, SweepAgreementCreate(account=account, retained_balance=retained)
    )


def run_sweep(bank: Bank, day: date) -> int:
    """The end-of-day step's chunk over every agreement, as the runner calls it."""
    return bank.run(sweep.sweep_to_notice, day, 0, EVERYTHING, eod=True)


def agreement(bank: Bank, actor: Actor, ag_id: int) -> sweep.SweepAgreementRead:
    return bank.run(sweep.get_agreement, actor, ag_id, readonly=True)


def balance_of(bank: Bank, actor: Actor, number: str) -> str:
    return bank.run(accounts.get_account, actor, number, readonly=True).balance


def deposit_balance(bank: Bank, actor: Actor, number: str) -> str:
    return bank.run(notice.get_notice_deposit, actor, number, readonly=True).balance


def transfer(bank: Bank, actor: Actor, src: str, dst: str, amount: str) -> payments.TransferRead:
    cmd = payments.TransferCreate(from_account=src, to_account=dst, amount=amount)
    return bank.run(payments.transfer, actor, cmd, key())


def expect(code: str, fn: Any, *args: Any) -> None:
    with pytest.raises(CoreBankError) as err:
        fn(*args)
    assert err.value.code == code, err.value


def books_balance(bank: Bank) -> None:
    assert bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)


def test_end_of_day_sweeps_the_whole_yuan_above_the_retained_balance_once(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "80000.55")
    ag = sign(bank, t, acc.number)
    assert (ag.status, ag.retained_balance, ag.notice_product_code, ag.swept_balance) == (
        "active",
        "5000.00",
        "NOTICE_CNY",
        "0.00",
    )
    assert run_sweep(bank, d0) >= 1
    after = agreement(bank, t, ag.id)
    assert after.last_swept_on == d0 and after.swept_balance == "75000.00" and len(after.deposits) == 1
    assert balance_of(bank, t, acc.number) == "5000.55"
    dep = bank.run(notice.get_notice_deposit, t, after.deposits[0], readonly=True)
    assert (dep.term, dep.swept, dep.sweep_agreement_id, dep.balance) == ("7D", True, ag.id, "75000.00")
    assert dep.interest_from == d0 + timedelta(days=1)  # the demand account earned d0's interest already

    # The same day again (a restarted end of day): nothing moves twice.
    before = ledger_state(bank)
    assert run_sweep(bank, d0) == 0
    assert ledger_state(bank) == before
    books_balance(bank)


def test_no_sweep_when_the_excess_is_under_the_notice_minimum(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "54999.99")  # 49,999.99 above 5,000: under the 50,000 minimum deposit
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    assert agreement(bank, t, ag.id).deposits == []
    assert balance_of(bank, t, acc.number) == "54999.99"


def test_signing_refusals_change_nothing(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    acc = funded_account(bank, t, "100.00")
    type2 = new_account(bank, t, account_class=2, linked=None)
    before = ledger_state(bank)
    expect("SWEEP_RETAINED_BALANCE_TOO_LOW", sign, bank, t, acc.number, "4999.99")
    expect("SWEEP_NEEDS_TYPE_I_ACCOUNT", sign, bank, t, type2.number)
    expect("OUT_OF_BRANCH_SCOPE", sign, bank, fresh_bank.east_teller, acc.number)
    expect("ACCOUNT_NOT_FOUND", sign, bank, t, "0001019999999999")
    assert ledger_state(bank) == before
    ag = sign(bank, t, acc.number, None)
    assert ag.retained_balance == "5000.00"  # the bank's minimum is the default
    expect("SWEEP_AGREEMENT_EXISTS", sign, bank, t, acc.number)
    expect("OUT_OF_BRANCH_SCOPE", agreement, bank, fresh_bank.east_teller, ag.id)
    expect("SWEEP_AGREEMENT_NOT_FOUND", agreement, bank, t, 999_999)


def test_transfer_the_demand_balance_cannot_cover_draws_back_at_the_seven_day_rate(
    fresh_bank: FreshBank,
) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "80000.55")
    payee = funded_account(bank, t, "1.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    swept = agreement(bank, t, ag.id).deposits[0]
    advance(fresh_bank, d0 + timedelta(days=11))  # held d0+1 .. d0+10: 10 days
    sent = transfer(bank, t, acc.number, payee.number, "20000.00")
    # shortfall 20,000.00 - 5,000.55 = 14,999.45 drawn back; 14,999.45 × 1.35 % × 10 ÷ 360 = 5.6247… → 5.62
    assert sent.from_balance_after == "5.62"
    assert deposit_balance(bank, t, swept) == "60000.55"
    assert balance_of(bank, t, payee.number) == "20001.00"
    assert agreement(bank, t, ag.id).swept_balance == "60000.55"
    books_balance(bank)


def test_cash_withdrawal_draws_back_at_the_demand_rate_when_held_under_seven_days(
    fresh_bank: FreshBank,
) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "80000.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    advance(fresh_bank, d0 + timedelta(days=4))  # held 3 days
    paid = bank.run(accounts.cash_withdrawal, t, acc.number, accounts.CashOperation(amount="10000.00"), key())
    # shortfall 5,000.00; 5,000.00 × 0.35 % × 3 ÷ 360 = 0.1458… → 0.15
    assert isinstance(paid, accounts.CashReceipt) and paid.balance == "0.15"
    assert agreement(bank, t, ag.id).swept_balance == "70000.00"


def test_draw_back_takes_the_newest_swept_deposit_first(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "65000.00")
    payee = funded_account(bank, t, "1.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)  # 60,000 swept
    advance(fresh_bank, d0 + timedelta(days=1))
    deposit(bank, t, acc.number, "55000.00")
    run_sweep(bank, d0 + timedelta(days=1))  # 55,000 swept
    older, newer = reversed(agreement(bank, t, ag.id).deposits)
    assert (deposit_balance(bank, t, older), deposit_balance(bank, t, newer)) == ("60000.00", "55000.00")
    advance(fresh_bank, d0 + timedelta(days=2))
    sent = transfer(bank, t, acc.number, payee.number, "63000.00")
    # shortfall 58,000: the newer 55,000 (held 0 days, no interest) closes, then 3,000 of the older
    # (held 1 day at demand: 3,000 × 0.35 % ÷ 360 = 0.029… → 0.03)
    assert sent.from_balance_after == "0.03"
    assert deposit_balance(bank, t, newer) == "0.00"
    assert bank.run(notice.get_notice_deposit, t, newer, readonly=True).status == "closed"
    assert deposit_balance(bank, t, older) == "57000.00"
    assert agreement(bank, t, ag.id).deposits == [older]


def test_debit_beyond_demand_and_swept_money_is_refused_and_draws_nothing_back(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "60000.00")
    payee = funded_account(bank, t, "1.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    before = ledger_state(bank)
    expect("INSUFFICIENT_FUNDS", transfer, bank, t, acc.number, payee.number, "60000.01")
    assert ledger_state(bank) == before
    assert agreement(bank, t, ag.id).swept_balance == "55000.00"


def test_swept_deposits_move_only_through_their_agreement(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "60000.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    dep = agreement(bank, t, ag.id).deposits[0]
    wd = NoticeWithdrawalCreate(amount="50000.00", to_account=acc.number)
    expect(
        "SWEPT_DEPOSIT_MANAGED_BY_AGREEMENT",
        bank.run,
        notice_withdrawals.withdraw_notice_deposit,
        t,
        dep,
        wd,
        key(),
    )
    nc = NoticeCreate(amount="50000.00", withdrawal_date=d0 + timedelta(days=8))
    expect("SWEPT_DEPOSIT_MANAGED_BY_AGREEMENT", bank.run, notice.register_notice, t, dep, nc)


def test_cancelling_draws_everything_back_with_interest_and_stops_sweeping(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "105000.00")
    ag = sign(bank, t, acc.number)
    run_sweep(bank, d0)
    advance(fresh_bank, d0 + timedelta(days=9))  # held 8 days
    k = key()
    done = bank.run(sweep.cancel_agreement, t, ag.id, k)
    # 100,000 × 1.35 % × 8 ÷ 360 = 30.00
    assert (done.drawn_back, done.interest, done.agreement.status) == ("100000.00", "30.00", "cancelled")
    assert done.agreement.deposits == [] and done.agreement.swept_balance == "0.00"
    assert balance_of(bank, t, acc.number) == "105030.00"
    assert bank.run(sweep.cancel_agreement, t, ag.id, k) == done  # a retry answers the same, moves nothing
    expect("SWEEP_AGREEMENT_NOT_ACTIVE", bank.run, sweep.cancel_agreement, t, ag.id, key())
    run_sweep(bank, d0 + timedelta(days=9))
    assert balance_of(bank, t, acc.number) == "105030.00"
    again = sign(bank, t, acc.number, "10000.00")  # a new agreement may be signed after cancelling
    assert again.id != ag.id and again.retained_balance == "10000.00"
    books_balance(bank)


def test_account_without_agreement_is_refused_as_before(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    acc = funded_account(bank, t, "100.00")
    payee = funded_account(bank, t, "1.00")
    before = ledger_state(bank)
    expect("INSUFFICIENT_FUNDS", transfer, bank, t, acc.number, payee.number, "100.01")
    assert ledger_state(bank) == before


def test_the_end_of_day_run_sweeps_after_the_demand_interest(fresh_bank: FreshBank) -> None:
    """The whole end of day (the runner's ordered steps), not only the sweep chunk: the date closes, the excess is
    swept once and the books still balance."""
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "70000.00")
    ag = sign(bank, t, acc.number)
    assert runner.close_day(bank, SYSTEM) == d0
    bank.run(tellers.open_till, t, tellers.TillOpen(opening_cash="200000.00"))
    after = agreement(bank, t, ag.id)
    assert (after.last_swept_on, after.swept_balance) == (d0, "65000.00")
    assert balance_of(bank, t, acc.number) == "5000.00"
    books_balance(bank)


def test_a_large_cash_withdrawal_counts_swept_money_before_it_goes_to_a_supervisor(
    fresh_bank: FreshBank,
) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "125000.00")
    sign(bank, t, acc.number)
    run_sweep(bank, d0)  # 120,000.00 swept, 5,000.00 left on demand
    assert balance_of(bank, t, acc.number) == "5000.00"
    # 60,000.00 is over the approval threshold and over the demand balance: it waits for a supervisor
    # instead of being refused, because the swept deposits come back when it is paid.
    pending = bank.run(
        accounts.cash_withdrawal, t, acc.number, accounts.CashOperation(amount="60000.00"), key()
    )
    assert isinstance(pending, accounts.PendingApproval)
    # More than demand and swept money together is still refused at once, changing nothing.
    before = ledger_state(bank)
    expect(
        "INSUFFICIENT_FUNDS",
        bank.run,
        accounts.cash_withdrawal,
        t,
        acc.number,
        accounts.CashOperation(amount="125000.01"),
        key(),
    )
    assert ledger_state(bank) == before


def test_an_account_under_a_sweep_agreement_does_not_close(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "60000.00")
    sign(bank, t, acc.number)
    run_sweep(bank, d0)
    before = ledger_state(bank)
    expect(
        "SWEEP_AGREEMENT_ACTIVE",
        bank.run,
        accounts.close_account,
        t,
        acc.number,
        accounts.CloseRequest(settle_to="cash"),
        key(),
    )
    assert ledger_state(bank) == before
