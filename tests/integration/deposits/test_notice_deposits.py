"""Notice deposits (通知存款) through the service layer on a bank of their own (dates move): opening from a demand
account or cash, notices, withdrawals with and without notice, the remainder under the minimum, lapsed notices,
idempotency and refusals that change nothing. Rates: NOTICE_CNY 1D 0.80 %, 7D 1.35 %; demand 0.35 %."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest

from corebank import accounts, ledger, operations, tellers
from corebank.accounts import PendingApproval
from corebank.bootstrap import Bank
from corebank.customers import make_uscc
from corebank.deposits import notice, notice_withdrawals
from corebank.deposits.notice_models import WithdrawalNotice
from corebank.deposits.notice_schemas import NoticeCreate, NoticeDepositOpen, NoticeWithdrawalCreate
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.products.models import Product, ProductRate
from corebank.security import Actor
from tests.factories import deposit, funded_account, ledger_state, new_account, new_customer
from tests.integration.conftest import FreshBank, _set_business_date


def advance(fb: FreshBank, day: date) -> None:
    """Move the business date to `day` and open the teller's till for it (only that one: `move_to` opens three
    tills a day, and this module moves the date often enough to empty the east branch's vault)."""
    assert day > fb.business_date()
    fb.bank.run(_set_business_date, day)
    fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="200000.00"))


def key() -> str:
    return f"notice-{uuid.uuid4().hex}"


def balance_of(bank: Bank, actor: Actor, number: str) -> str:
    return bank.run(accounts.get_account, actor, number, readonly=True).balance


def open_from(
    bank: Bank, actor: Actor, account: str, amount: str, days: int = 7, product: str = "NOTICE_CNY"
) -> notice.NoticeDepositRead:
    cmd = NoticeDepositOpen(product_code=product, notice_days=days, amount=amount, from_account=account)
    return bank.run(notice.open_notice_deposit, actor, cmd, key())


def give_notice(bank: Bank, actor: Actor, number: str, amount: str, on: date) -> Any:
    return bank.run(notice.register_notice, actor, number, NoticeCreate(amount=amount, withdrawal_date=on))


def withdraw(
    bank: Bank, actor: Actor, number: str, amount: str | None, to: str | None, idem: str | None = None
) -> notice_withdrawals.NoticeWithdrawalRead:
    cmd = NoticeWithdrawalCreate(amount=amount, to_account=to)
    out = bank.run(notice_withdrawals.withdraw_notice_deposit, actor, number, cmd, idem or key())
    assert isinstance(out, notice_withdrawals.NoticeWithdrawalRead), out
    return out


def read(bank: Bank, actor: Actor, number: str) -> notice.NoticeDepositRead:
    return bank.run(notice.get_notice_deposit, actor, number, readonly=True)


def expect(code: str, fn: Any, *args: Any) -> None:
    with pytest.raises(CoreBankError) as err:
        fn(*args)
    assert err.value.code == code, err.value


def trial_balanced(bank: Bank) -> bool:
    return bank.run(lambda uow: ledger.trial_balance(uow).balanced, readonly=True)


def test_seven_day_deposit_with_notice_pays_the_seven_day_rate_for_the_days_held(
    fresh_bank: FreshBank,
) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "250000.00")
    dep = open_from(bank, t, acc.number, "200000.00")
    assert (dep.term, dep.notice_days, dep.balance, dep.status) == ("7D", 7, "200000.00", "active")
    assert dep.interest_from == d0 and not dep.swept and dep.number.startswith("000107")
    assert balance_of(bank, t, acc.number) == "50000.00"

    advance(fresh_bank, d0 + timedelta(days=9))
    n = give_notice(bank, t, dep.number, "80000.00", d0 + timedelta(days=16))
    assert n.status == "registered"
    advance(fresh_bank, d0 + timedelta(days=16))
    paid = withdraw(bank, t, dep.number, "80000.00", acc.number)
    # 80,000.00 × 1.35 % × 16 ÷ 360 = 48.00
    assert (paid.principal, paid.at_notice_rate, paid.notice_rate, paid.days_held) == (
        "80000.00",
        "80000.00",
        "1.35",
        16,
    )
    assert (paid.interest, paid.total_paid, paid.deposit_balance) == ("48.00", "80048.00", "120000.00")
    assert balance_of(bank, t, acc.number) == "130048.00"
    after = read(bank, t, dep.number)
    assert after.balance == "120000.00" and after.notices[0].status == "used"

    # The rest, the same day without a notice, in cash: at or above the threshold it waits for a supervisor,
    # and moves nothing until approved; then 120,000.00 × 0.35 % × 16 ÷ 360 = 18.666… → 18.67.
    state = ledger_state(bank)
    pending = bank.run(
        notice_withdrawals.withdraw_notice_deposit, t, dep.number, NoticeWithdrawalCreate(), key()
    )
    assert isinstance(pending, PendingApproval)
    assert ledger_state(bank)["balances"] == state["balances"]
    approved = bank.run(operations.approve, fresh_bank.supervisor, pending.approval_id)
    assert approved.status == "executed"
    cash = notice_withdrawals.NoticeWithdrawalRead(**approved.result)
    assert (cash.at_demand_rate, cash.demand_rate, cash.interest, cash.total_paid) == (
        "120000.00",
        "0.35",
        "18.67",
        "120018.67",
    )
    assert cash.paid_to == "cash" and cash.voucher and cash.deposit_status == "closed"
    assert read(bank, t, dep.number).status == "closed"
    assert trial_balanced(bank)


def test_remainder_under_the_minimum_is_paid_out_with_the_withdrawal(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "100000.00")
    dep = open_from(bank, t, acc.number, "100000.00")
    advance(fresh_bank, d0 + timedelta(days=19))
    give_notice(bank, t, dep.number, "60000.00", d0 + timedelta(days=26))
    advance(fresh_bank, d0 + timedelta(days=26))
    paid = withdraw(bank, t, dep.number, "60000.00", acc.number)
    # 60,000 at 1.35 % plus the 40,000 left (under 50,000) at 0.35 %, 26 days: 58.50 + 10.111… = 68.61
    assert (paid.principal, paid.at_notice_rate, paid.at_demand_rate) == ("100000.00", "60000.00", "40000.00")
    assert (paid.interest, paid.deposit_balance, paid.deposit_status) == ("68.61", "0.00", "closed")
    assert balance_of(bank, t, acc.number) == "100068.61"
    entry = bank.run(ledger.get_entry, paid.entry_id, readonly=True)
    interest_lines = [ln.amount for ln in entry.lines if ln.gl_code == chart.INTEREST_EXPENSE]
    assert interest_lines == [6861]  # Dr 6411 at payment: notice interest is booked when paid, not accrued


def test_withdrawal_before_the_noticed_date_or_above_it_earns_the_demand_rate(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "300000.00")
    dep = open_from(bank, t, acc.number, "300000.00")
    advance(fresh_bank, d0 + timedelta(days=2))
    give_notice(bank, t, dep.number, "50000.00", d0 + timedelta(days=10))
    advance(fresh_bank, d0 + timedelta(days=8))
    early = withdraw(bank, t, dep.number, "50000.00", acc.number)
    # before the noticed date: 50,000 × 0.35 % × 8 ÷ 360 = 3.888… → 3.89
    assert (early.at_notice_rate, early.at_demand_rate, early.interest) == ("0.00", "50000.00", "3.89")
    advance(fresh_bank, d0 + timedelta(days=10))
    over = withdraw(bank, t, dep.number, "70000.00", acc.number)
    # on the date, 20,000 over the notice: 50,000 × 1.35 % × 10 ÷ 360 + 20,000 × 0.35 % × 10 ÷ 360
    # = 18.75 + 1.944… = 20.69
    assert (over.at_notice_rate, over.at_demand_rate, over.interest) == ("50000.00", "20000.00", "20.69")
    assert read(bank, t, dep.number).balance == "180000.00"


def test_cancelled_and_lapsed_notices_earn_nothing_extra(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "200000.00")
    dep = open_from(bank, t, acc.number, "200000.00", days=1)
    n = give_notice(bank, t, dep.number, "50000.00", d0 + timedelta(days=1))
    expect("NOTICE_ALREADY_REGISTERED", give_notice, bank, t, dep.number, "50000.00", d0 + timedelta(days=2))
    cancelled = bank.run(notice.cancel_notice, t, dep.number, n.id)
    assert cancelled.status == "cancelled"
    expect("NOTICE_NOT_CANCELLABLE", bank.run, notice.cancel_notice, t, dep.number, n.id)

    lapsing = give_notice(bank, t, dep.number, "50000.00", d0 + timedelta(days=1))
    advance(fresh_bank, d0 + timedelta(days=1))
    # End of day of d0+1: the notice for that day passed unused and lapses (once: a rerun changes nothing).
    day = d0 + timedelta(days=1)
    assert bank.run(notice.lapse_notices, day, eod=True) >= 1
    assert bank.run(notice.lapse_notices, day, eod=True) == 0
    status = bank.run(lambda uow: uow.session.get(WithdrawalNotice, lapsing.id).status, readonly=True)
    assert status == "lapsed"
    advance(fresh_bank, d0 + timedelta(days=3))
    paid = withdraw(bank, t, dep.number, "50000.00", acc.number)
    # no live notice: 50,000 × 0.35 % × 3 ÷ 360 = 1.458… → 1.46
    assert (paid.at_demand_rate, paid.interest) == ("50000.00", "1.46")


def test_one_day_deposit_withdrawn_the_day_it_opened_earns_nothing(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    acc = funded_account(bank, t, "60000.00")
    dep = open_from(bank, t, acc.number, "60000.00", days=1)
    paid = withdraw(bank, t, dep.number, None, acc.number)
    assert (paid.days_held, paid.interest, paid.total_paid) == (0, "0.00", "60000.00")
    assert balance_of(bank, t, acc.number) == "60000.00"


def test_rate_posted_on_the_withdrawal_day_applies(fresh_bank: FreshBank) -> None:
    """A notice deposit has no fixed rate: a 7-day rate changed while it is held applies to the withdrawal."""
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    code = f"NTC_{uuid.uuid4().hex[:6].upper()}"

    def add_product(uow: Any) -> None:
        base = uow.session.get(Product, "NOTICE_CNY")
        cols = {c.key: getattr(base, c.key) for c in Product.__table__.columns}
        uow.session.add(Product(**{**cols, "code": code, "name": f"Notice {code}"}))
        uow.session.flush()
        for term, rate, on in (
            ("1D", "0.80", d0),
            ("7D", "1.35", d0),
            ("7D", "1.10", d0 + timedelta(days=20)),
        ):
            uow.session.add(
                ProductRate(
                    product_code=code,
                    term=term,
                    min_amount=0,
                    annual_rate=rate,
                    effective_date=on,
                    created_by="test",
                    approved_by="test",
                    created_at=uow.now,
                )
            )

    bank.run(add_product)
    acc = funded_account(bank, t, "100000.00")
    dep = open_from(bank, t, acc.number, "100000.00", product=code)
    advance(fresh_bank, d0 + timedelta(days=23))
    give_notice(bank, t, dep.number, "100000.00", d0 + timedelta(days=30))
    advance(fresh_bank, d0 + timedelta(days=30))
    paid = withdraw(bank, t, dep.number, None, acc.number)
    # 100,000 × 1.10 % × 30 ÷ 360 = 91.666… → 91.67 (not 112.50 at the opening day's 1.35 %)
    assert (paid.notice_rate, paid.interest) == ("1.10", "91.67")


def test_cash_opening_and_corporate_minimums(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    cust = new_customer(bank, t)
    cmd = NoticeDepositOpen(term="7D", amount="50000.00", customer_number=cust.number)
    dep = bank.run(notice.open_notice_deposit, t, cmd, key())
    assert dep.customer_number == cust.number and dep.balance == "50000.00"

    company = new_customer(
        bank,
        t,
        type="corporate",
        name="Minjiang Trading Co",
        id_type="uscc",
        id_number=make_uscc("91350100MA2Y0C1A0"),
    )
    corp = new_account(bank, t, company.number, product_code="CORP_DEMAND_CNY")
    deposit(bank, t, corp.number, "600000.00")
    before = ledger_state(bank)
    expect("BELOW_OPENING_MINIMUM", open_from, bank, t, corp.number, "499999.99", 7, "CORP_NOTICE_CNY")
    expect("PRODUCT_NOT_AVAILABLE", open_from, bank, t, corp.number, "500000.00", 7, "NOTICE_CNY")
    assert ledger_state(bank) == before
    cdep = open_from(bank, t, corp.number, "500000.00", 7, "CORP_NOTICE_CNY")
    before = ledger_state(bank)
    expect("BELOW_MINIMUM_WITHDRAWAL", withdraw, bank, t, cdep.number, "99999.99", corp.number)
    assert ledger_state(bank) == before
    paid = withdraw(bank, t, cdep.number, "100000.00", corp.number)
    # 400,000 would be left, under the 500,000 corporate minimum balance: paid out with it, and the deposit closes
    assert (paid.principal, paid.at_demand_rate, paid.deposit_status) == ("500000.00", "500000.00", "closed")
    assert balance_of(bank, t, corp.number) == "600000.00"


def test_refusals_change_nothing(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    d0 = fresh_bank.business_date()
    acc = funded_account(bank, t, "120000.00")
    dep = open_from(bank, t, acc.number, "100000.00")
    stranger = funded_account(bank, t, "10.00")
    before = ledger_state(bank)
    expect("BELOW_MINIMUM_WITHDRAWAL", withdraw, bank, t, dep.number, "49999.99", acc.number)
    expect("EXCEEDS_DEPOSIT_BALANCE", withdraw, bank, t, dep.number, "100000.01", acc.number)
    expect("NOT_CUSTOMERS_OWN_ACCOUNT", withdraw, bank, t, dep.number, "50000.00", stranger.number)
    expect("OUT_OF_BRANCH_SCOPE", withdraw, bank, fresh_bank.east_teller, dep.number, "50000.00", acc.number)
    expect("OUT_OF_BRANCH_SCOPE", read, bank, fresh_bank.east_teller, dep.number)
    expect("NOTICE_DEPOSIT_NOT_FOUND", read, bank, t, "000107999999999")
    expect("BELOW_OPENING_MINIMUM", open_from, bank, t, acc.number, "49999.99")
    expect("INSUFFICIENT_FUNDS", open_from, bank, t, acc.number, "50000.00")
    expect(
        "NOTICE_TERM_INVALID",
        bank.run,
        notice.open_notice_deposit,
        t,
        NoticeDepositOpen(notice_days=1, term="7D", amount="50000.00", from_account=acc.number),
        key(),
    )
    expect(
        "IDEMPOTENCY_KEY_REQUIRED",
        bank.run,
        notice_withdrawals.withdraw_notice_deposit,
        t,
        dep.number,
        NoticeWithdrawalCreate(amount="50000.00", to_account=acc.number),
        None,
    )
    expect("NOTICE_PERIOD_TOO_SHORT", give_notice, bank, t, dep.number, "50000.00", d0 + timedelta(days=6))
    expect("BELOW_MINIMUM_WITHDRAWAL", give_notice, bank, t, dep.number, "10000.00", d0 + timedelta(days=7))
    assert ledger_state(bank) == before
    assert read(bank, t, dep.number).notices == []


def test_withdrawal_retried_with_its_key_pays_once(fresh_bank: FreshBank) -> None:
    bank, t = fresh_bank.bank, fresh_bank.teller
    acc = funded_account(bank, t, "100000.00")
    dep = open_from(bank, t, acc.number, "100000.00")
    k = key()
    first = withdraw(bank, t, dep.number, "50000.00", acc.number, k)
    again = withdraw(bank, t, dep.number, "50000.00", acc.number, k)
    assert again == first
    assert read(bank, t, dep.number).balance == "50000.00"
    assert balance_of(bank, t, acc.number) == "50000.00"
    expect("IDEMPOTENCY_KEY_REUSED", withdraw, bank, t, dep.number, "50000.01", acc.number, k)
