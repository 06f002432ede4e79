"""A quarter of demand interest through real end-of-day runs: daily products, aggregate accrual with a rate
change in the middle, settlement on 20 June at that day's rate, the true-up, interest at closing, dormancy,
the closing phase that refuses bookings, and a second end of day refused while one runs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from corebank import accounts, eod, ledger, tellers
from corebank.db.models import BankState
from corebank.deposits.demand import accrual_micro, interest_on_product
from corebank.deposits.models import InterestAccumulator, ProductAccrual
from corebank.eod.models import EodRun, EodStep
from corebank.kernel.errors import BookingsClosed, CoreBankError
from corebank.ledger import chart
from corebank.ledger.models import GLDailyBalance, JournalLine
from corebank.products.models import ProductRate
from corebank.security import SYSTEM
from tests.factories import deposit, ledger_state, new_account
from tests.integration.conftest import FreshBank

pytestmark = pytest.mark.slow


def _close(fb: FreshBank) -> date:
    return eod.close_day(fb.bank, SYSTEM)


def _till(fb: FreshBank) -> None:
    """Open the teller's till for today if it is not open (a small float: the vault must last the quarter)."""
    try:
        fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="100.00"))
    except CoreBankError as exc:
        assert exc.code == "TILL_ALREADY_OPEN", exc


def _close_through(fb: FreshBank, last: date) -> None:
    while fb.business_date() <= last:
        _close(fb)


def _post_rate(fb: FreshBank, rate: str, effective: date) -> None:
    def add(uow: Any) -> None:
        uow.session.add(
            ProductRate(
                product_code="DEMAND_CNY",
                term="demand",
                min_amount=0,
                annual_rate=rate,
                effective_date=effective,
                created_by="test",
                approved_by="test",
                created_at=uow.now,
            )
        )

    fb.bank.run(add)


def _balance(fb: FreshBank, account_id: int) -> int:
    return fb.bank.run(lambda uow: ledger.balances(uow, [account_id])[account_id].balance, readonly=True)


def _id(fb: FreshBank, number: str) -> int:
    return fb.bank.run(lambda uow: accounts.load_for_posting(uow, [number])[number].id, readonly=True)


def _gl(fb: FreshBank, gl: str, day: date) -> int:
    """The head office's closing balance of a GL account on `day` (debit positive)."""
    return int(
        fb.bank.run(
            lambda uow: uow.session.execute(
                select(func.coalesce(func.sum(GLDailyBalance.balance), 0)).where(
                    GLDailyBalance.business_date == day, GLDailyBalance.gl_code == gl
                )
            ).scalar(),
            readonly=True,
        )
    )


def test_the_oracles_of_the_daily_product_method() -> None:
    # 10,000.00 held 92 days at 0.35 %: 1,000,000 fen × 92 × 0.35 % ÷ 360 = 894.44 fen → 8.94.
    assert interest_on_product(1_000_000 * 92, Decimal("0.35")) == 894
    # Half a fen rounds up, never to even: 360,000 × 0.35 % ÷ 360 = 3.5 fen → 4.
    assert interest_on_product(360_000, Decimal("0.35")) == 4
    assert interest_on_product(0, Decimal("0.35")) == 0 and interest_on_product(-5, Decimal("1")) == 0
    # A day's accrual on 1,000,000 fen at 0.35 %: 9.722222 fen, kept to the millionth.
    assert accrual_micro(1_000_000, Decimal("0.35")) == 9_722_222


def test_a_quarter_with_a_rate_change_settles_at_the_rate_of_the_20th(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    start = fb.business_date()
    assert start == date(2026, 6, 1)
    _post_rate(fb, "0.50", date(2026, 6, 11))  # from the 11th, demand pays 0.50 %
    a = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, a.number, "10000.00")
    b = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, b.number, "2500.55")
    a_id, b_id = _id(fb, a.number), _id(fb, b.number)

    _close_through(fb, date(2026, 6, 10))
    # Ten days of balances in each product; nothing paid yet.
    acc = fb.bank.run(lambda uow: uow.session.get(InterestAccumulator, a_id), readonly=True)
    assert acc.accumulated == 1_000_000 * 10 and acc.accrued_through == date(2026, 6, 10)
    assert _balance(fb, a_id) == 1_000_000

    _till(fb)
    deposit(fb.bank, fb.teller, b.number, "0.45")  # b holds 2,501.00 from the 11th
    _close_through(fb, date(2026, 6, 20))
    assert fb.business_date() == date(2026, 6, 21)

    # Settled on the 20th at the rate posted that day (0.50 %) on 20 days of products.
    a_interest = interest_on_product(1_000_000 * 20, Decimal("0.50"))
    b_interest = interest_on_product(250_055 * 10 + 250_100 * 10, Decimal("0.50"))
    assert (a_interest, b_interest) == (278, 69)
    assert _balance(fb, a_id) == 1_000_000 + 278
    assert _balance(fb, b_id) == 250_100 + 69

    def settlement_lines(uow: Any) -> list[Any]:
        return uow.session.execute(
            select(
                JournalLine.account_id, JournalLine.amount, JournalLine.value_date, JournalLine.booking_date
            )
            .where(JournalLine.account_id.in_([a_id, b_id]), JournalLine.amount == -278)
            .union_all(
                select(
                    JournalLine.account_id,
                    JournalLine.amount,
                    JournalLine.value_date,
                    JournalLine.booking_date,
                ).where(JournalLine.account_id == b_id, JournalLine.amount == -69)
            )
        ).all()

    lines = fb.bank.run(settlement_lines, readonly=True)
    assert {(r[0], r[2], r[3]) for r in lines} == {
        (a_id, date(2026, 6, 21), date(2026, 6, 20)),
        (b_id, date(2026, 6, 21), date(2026, 6, 20)),
    }
    # The products start again; the next quarter's first day is the 21st.
    acc = fb.bank.run(lambda uow: uow.session.get(InterestAccumulator, a_id), readonly=True)
    assert acc.accumulated == 0 and acc.settled_through == date(2026, 6, 20)

    # The aggregate accrual: each day's total balance × the day's rate ÷ 360, carried to the millionth.
    daily = [(1_000_000 + 250_055, "0.35")] * 10 + [(1_000_000 + 250_100, "0.50")] * 10
    accrued_micro = sum(accrual_micro(total, Decimal(r)) for total, r in daily)
    booked = int((Decimal(accrued_micro) / 1_000_000).quantize(Decimal(1), rounding="ROUND_HALF_UP"))

    def accrual_entries(uow: Any) -> tuple[int, int]:
        def total(kind: str) -> int:
            from corebank.ledger.models import JournalEntry

            return int(
                uow.session.execute(
                    select(func.coalesce(func.sum(JournalLine.amount), 0))
                    .join(JournalEntry, JournalEntry.id == JournalLine.entry_id)
                    .where(JournalEntry.kind == kind, JournalLine.gl_code == chart.INTEREST_EXPENSE)
                ).scalar()
            )

        return total("interest_accrual"), total("interest_true_up")

    accrued, trued = fb.bank.run(accrual_entries, readonly=True)
    assert accrued == booked  # the sum of the daily accrual entries is the exact accrual, rounded once
    assert accrued + trued == 278 + 69  # expense in the end is exactly what the accounts were paid
    # Interest payable is empty after settlement; expense for the period equals the interest paid.
    assert _gl(fb, chart.INTEREST_PAYABLE, date(2026, 6, 20)) == 0
    assert _gl(fb, chart.INTEREST_EXPENSE, date(2026, 6, 20)) == 278 + 69
    accrual = fb.bank.run(
        lambda uow: uow.session.get(ProductAccrual, ("DEMAND_CNY", "0001", "CNY")), readonly=True
    )
    assert (accrual.accrued_micro, accrual.booked, accrual.settled) == (0, 0, 0)
    assert accrual.period_start == date(2026, 6, 21)


def test_closing_mid_quarter_pays_interest_to_the_day_before(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    _till(fb)
    acc = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, acc.number, "36000.00")
    aid = _id(fb, acc.number)
    other = new_account(fb.bank, fb.teller)
    opened = fb.business_date()
    for _ in range(5):
        _close(fb)
    closing_day = fb.business_date()
    assert closing_day == opened + timedelta(days=5)
    _post_rate(fb, "0.72", closing_day)  # the closing day's rate is what applies
    _till(fb)
    receipt = fb.bank.run(
        accounts.close_account,
        fb.teller,
        acc.number,
        accounts.CloseRequest(settle_to="account", to_account=other.number, reason="moving away"),
        "close-mid-quarter",
    )
    assert receipt.status == "pending_approval"  # type: ignore[union-attr]
    # 3,600,000 fen × 5 days × 0.72 % ÷ 360 = 360 fen, credited before the balance is settled.
    assert _balance(fb, aid) == 3_600_000 + 360
    from corebank import operations

    done = fb.bank.run(operations.approve, fb.supervisor, receipt.approval_id)  # type: ignore[union-attr]
    assert done.status == "executed"
    assert _balance(fb, aid) == 0
    assert _balance(fb, _id(fb, other.number)) == 3_600_000 + 360
    # The day's end of day still balances with the closed account out of the book.
    _close(fb)


def test_bookings_stop_while_the_day_closes_and_a_second_run_is_refused(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    _till(fb)
    acc = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, acc.number, "100.00")
    day = fb.business_date()
    owner = "elsewhere:1:abcdef"
    plan = eod.steps()
    from corebank.eod import runner

    fb.bank.run(runner._claim, SYSTEM, owner, plan, eod=True)
    # The other process holds a live lease (a foreign host and a fresh heartbeat): a second start changes nothing.
    before = ledger_state(fb.bank)
    with pytest.raises(eod.EodAlreadyRunning) as refused:
        eod.close_day(fb.bank, SYSTEM)
    assert refused.value.code == "EOD_RUNNING"
    assert ledger_state(fb.bank) == before
    assert fb.business_date() == day

    # It stopped bookings for the day: a cash deposit is refused with a stable code and changes nothing.
    fb.bank.run(runner.stop_bookings, day, eod=True)
    with pytest.raises(BookingsClosed) as closed:
        deposit(fb.bank, fb.teller, acc.number, "5.00")
    assert closed.value.code == "BOOKINGS_CLOSED"
    assert ledger_state(fb.bank) == before

    # Its lease goes stale (it died elsewhere): this process takes over and finishes the day.
    fb.bank.run(
        lambda uow: uow.session.execute(
            update(EodRun)
            .where(EodRun.business_date == day)
            .values(heartbeat_at=uow.now - timedelta(hours=1))
        )
    )
    assert _close(fb) == day
    assert fb.business_date() == day + timedelta(days=1)
    _till(fb)
    deposit(fb.bank, fb.teller, acc.number, "5.00")  # bookings are open again on the new date
    steps = fb.bank.run(
        lambda uow: uow.session.execute(
            select(EodStep.name, EodStep.status).where(EodStep.business_date == day).order_by(EodStep.seq)
        ).all(),
        readonly=True,
    )
    assert [s for _n, s in steps] == ["done"] * len(plan)
    assert [n for n, _s in steps] == [s.name for s in plan]


def test_unbalanced_books_stop_end_of_day_and_roll_nothing(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    day = fb.business_date()

    # Corrupt a sub-ledger balance behind the ledger's back (as a faulty migration might).
    def corrupt(uow: Any, delta: int) -> None:
        from corebank.ledger.models import LedgerAccount

        first = uow.session.execute(
            select(LedgerAccount.id).where(LedgerAccount.gl_code == chart.DEMAND_DEPOSITS).limit(1)
        ).scalar()
        uow.session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.id == first)
            .values(balance=LedgerAccount.balance + delta)
        )

    fb.bank.run(corrupt, 1)
    with pytest.raises(eod.EodStepFailed) as stopped:
        eod.close_day(fb.bank, SYSTEM)
    assert "ledger.close_books" in stopped.value.detail and "sub-ledger" in stopped.value.detail
    assert fb.business_date() == day
    snap = fb.bank.run(
        lambda uow: uow.session.execute(
            select(func.count()).select_from(GLDailyBalance).where(GLDailyBalance.business_date == day)
        ).scalar(),
        readonly=True,
    )
    assert snap == 0
    run = fb.bank.run(lambda uow: uow.session.get(EodRun, day), readonly=True)
    assert run.status == "failed" and "sub-ledger" in run.detail
    # Fixed, the next run resumes at the failed step and completes the day.
    fb.bank.run(corrupt, -1)
    assert _close(fb) == day
    phase = fb.bank.run(lambda uow: uow.session.get(BankState, 1).phase, readonly=True)
    assert phase == "open"


def test_quiet_accounts_become_dormant_after_a_year(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    _till(fb)
    quiet = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, quiet.number, "50.00")
    busy = new_account(fb.bank, fb.teller)
    deposit(fb.bank, fb.teller, busy.number, "50.00")
    qid = _id(fb, quiet.number)

    # A year passes without movement on `quiet` (its last movement moved back in time).
    def age(uow: Any) -> None:
        from corebank.ledger.models import LedgerAccount

        uow.session.execute(
            update(LedgerAccount)
            .where(LedgerAccount.id == qid)
            .values(last_movement_on=uow.business_date - timedelta(days=365))
        )

    fb.bank.run(age)
    _close(fb)
    assert fb.bank.run(accounts.get_account, fb.teller, quiet.number, readonly=True).status == "dormant"
    assert fb.bank.run(accounts.get_account, fb.teller, busy.number, readonly=True).status == "active"
