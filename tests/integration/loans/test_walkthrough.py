"""The issue's walk-through (issue 4): one personal loan on a bank of its own, the date moved only by end of day.

Disbursed on 1 June 2026 and spent at once, the linked account left with 1,000.00; the first installment is
debited in part, the next ones not at all; penalty and compound interest accrue daily and match a hand
computation; the loan is special mention from the first day past due and substandard from day 91; the credit
officer records a call and a promise to pay, which a counter repayment keeps; a risk officer restructures it;
it misses the new schedule's first installment, the officer classifies it doubtful, the risk officer writes it
off, and later recovers part of it. At every step (and after every end of day) the books hold: the trial
balance per currency and per branch, GL 1132 = Σ receivable, GL 1304 = −Σ provision, every control account
(1301 among them) equal to its sub-ledgers, and the audit chain verifies.

The stages are tests run in order over one module-scoped story; each starts where the one before stopped."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import eod, ledger, payments, tellers
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.ledger.models import GLAccount
from corebank.loans import engine, rules, servicing, workouts
from corebank.loans.models import Loan, LoanClassification
from corebank.loans.schemas import RepaymentRequest
from corebank.loans.workout_schemas import (
    ClassificationChange,
    CollectionActionCreate,
    Recovery,
    Restructuring,
    WriteOff,
)
from corebank.security import SYSTEM, Actor
from corebank.security.service import verify_audit_chain
from tests.factories import deposit, new_account
from tests.factories.loans import MadeLoan, active_loan
from tests.integration.conftest import FreshBank

pytestmark = pytest.mark.slow

RATE = Decimal("4.90")
MARKUP = Decimal("0.5")


def key() -> str:
    return f"walk-{uuid.uuid4().hex}"


@dataclass
class Story:
    fb: FreshBank
    credit: Actor
    approver: Actor
    risk: Actor
    made: MadeLoan | None = None
    # Days of penalty accrued at each (overdue principal, overdue interest), for the hand computation.
    penalty_days: Counter[tuple[int, int]] = field(default_factory=Counter)
    closes: int = 0

    @property
    def number(self) -> str:
        assert self.made is not None
        return self.made.loan_number

    @property
    def teller(self) -> Actor:
        return self.fb.teller


@pytest.fixture(scope="module")
def story(fresh_bank: FreshBank) -> Story:
    fb = fresh_bank
    return Story(
        fb,
        credit=fb.add_staff("credit", "credit_officer", "0001"),
        approver=fb.add_staff("approver", "credit_approver", "0001"),
        risk=fb.add_staff("risk", "risk_officer", "0001"),
    )


# ---------------------------------------------------------------------------------------------- helpers


def loan_row(s: Story) -> Loan:
    def read(uow: Any) -> Loan:
        loan = uow.session.execute(select(Loan).where(Loan.loan_number == s.number)).scalar_one()
        uow.session.expunge(loan)
        return loan

    return s.fb.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def gl(s: Story, code: str) -> int:
    """The bank's GL balance of `code` today, debit positive."""

    def read(uow: Any) -> int:
        return sum(v for g, _b, _c, v in ledger.gl_balances(uow, uow.business_date) if g == code)

    return int(s.fb.bank.run(read, readonly=True))


def books_hold(s: Story, *, audit: bool = True) -> None:
    """The ledger invariants of DESIGN.md and the loan book's own (the audit chain too unless told not)."""

    def check(uow: Any) -> None:
        assert ledger.trial_balance(uow).balanced, ledger.trial_balance(uow).totals()
        assert all(d == c for d, c in ledger.trial_balance(uow).totals().values())
        for branch in ("0001", "0002"):
            assert ledger.trial_balance(uow, branch_code=branch).balanced, branch
        rows = ledger.gl_balances(uow, uow.business_date)
        loans = list(uow.session.execute(select(Loan).where(Loan.status != "contracted")).scalars())
        receivable = sum(engine.receivable(x, engine.current_installment(uow, x)) for x in loans)
        assert sum(v for g, _b, _c, v in rows if g == chart.INTEREST_RECEIVABLE) == receivable
        assert sum(v for g, _b, _c, v in rows if g == chart.LOAN_LOSS_PROVISION) == -sum(
            x.provision for x in loans
        )
        with_sub = set(
            uow.session.execute(select(GLAccount.code).where(GLAccount.has_subledger.is_(True))).scalars()
        )
        control = {(g, b, c): v for g, b, c, v in rows if g in with_sub}
        sub = {(g, b, c): v for g, b, c, v in ledger.subledger_totals(uow)}
        assert chart.LOANS in {g for g, _b, _c in sub}
        for k in set(control) | set(sub):
            assert control.get(k, 0) == sub.get(k, 0), (k, control.get(k, 0), sub.get(k, 0))
        if audit:
            chain = verify_audit_chain(uow)
            assert chain.ok, chain.detail

    s.fb.bank.run(check, readonly=True)


def close(s: Story) -> date:
    """Run end of day, note the penalty day it accrued, and hold the books (the audit chain is verified at each
    stage: verifying the whole chain every day would cost the square of the days)."""
    day = eod.close_day(s.fb.bank, SYSTEM)
    s.closes += 1
    if s.made is not None:
        loan = loan_row(s)
        if loan.penalty_through == day:
            s.penalty_days[(loan.overdue_principal, loan.overdue_interest)] += 1
    books_hold(s, audit=False)
    return day


def close_through(s: Story, last: date) -> None:
    while s.fb.business_date() <= last:
        close(s)


def open_till(s: Story) -> None:
    try:
        s.fb.bank.run(tellers.open_till, s.teller, tellers.TillOpen(opening_cash="20000.00"))
    except CoreBankError as exc:
        assert exc.code == "TILL_ALREADY_OPEN", exc


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def history(s: Story) -> list[tuple[str, str, date, str]]:
    rows = s.fb.bank.run(workouts.classification_history, s.credit, s.number, readonly=True)
    return [(h.from_class, h.to_class, h.changed_on, h.changed_by) for h in rows]


def balance(s: Story) -> int:
    assert s.made is not None
    acc_id = loan_row(s).repay_account_id
    return int(s.fb.bank.run(lambda uow: ledger.balances(uow, [acc_id])[acc_id].available, readonly=True))


# ---------------------------------------------------------------------------------------------- the story


def test_1_the_loan_is_disbursed_and_the_money_spent(story: Story) -> None:
    s, bank = story, story.fb.bank
    s.made = active_loan(bank, s.teller, s.credit, s.approver, balance="1000.00")
    contractor = new_account(bank, s.teller)
    bank.run(
        payments.transfer,
        s.teller,
        payments.TransferCreate(
            from_account=s.made.account_number,
            to_account=contractor.number,
            amount="100000.00",
            memo="renovation contractor",
        ),
        key(),
    )
    assert balance(s) == 100_000
    loan = bank.run(servicing.get_loan, s.credit, s.number, readonly=True)
    assert (loan.status, loan.outstanding_principal, loan.next_due_date, loan.next_payment) == (
        "active",
        "100000.00",
        date(2026, 7, 1),
        "8556.17",
    )
    books_hold(s)


def test_2_missed_installments_fall_overdue_and_accrue_penalty_and_compound_interest(story: Story) -> None:
    s, bank = story, story.fb.bank
    close_through(s, date(2026, 6, 30))
    available = balance(s)  # 1,000.00 and the quarter's deposit interest settled on 20 June
    assert available > 100_000
    close(s)  # 1 July: the first installment, 408.33 interest + 8,147.84 principal, is debited in part
    loan = loan_row(s)
    assert (loan.overdue_interest, loan.overdue_principal) == (0, 814_784 - (available - 40_833))
    assert (loan.overdue_since, loan.days_past_due, loan.classification) == (date(2026, 7, 1), 0, "normal")
    repaid = bank.run(servicing.repayments_of, s.credit, s.number, readonly=True)
    assert [(r.kind, r.interest, r.booked_on) for r in repaid] == [("auto_debit", "408.33", date(2026, 7, 1))]
    assert balance(s) == 0
    close(s)  # 2 July: one day past due
    assert (loan_row(s).days_past_due, loan_row(s).classification) == (1, "special_mention")
    close_through(s, date(2026, 9, 29))
    loan = loan_row(s)
    assert (loan.days_past_due, loan.classification, loan.classification_floor) == (
        90,
        "special_mention",
        "special_mention",
    )
    assert loan.overdue_interest > 0  # the August and September installments' interest: compound interest too
    close(s)  # 30 September: 91 days past due
    loan = loan_row(s)
    assert (loan.days_past_due, loan.classification, loan.classification_floor) == (
        91,
        "substandard",
        "substandard",
    )
    assert history(s) == [
        ("normal", "special_mention", date(2026, 7, 2), "eod"),
        ("special_mention", "substandard", date(2026, 9, 30), "eod"),
    ]
    # Penalty (罚息) on overdue principal and compound interest (复利) on overdue interest, both at the contract
    # rate × 1.5, daily ÷ 360 (DOMAIN.md), summed unrounded over the days and rounded half up once.
    assert sum(s.penalty_days.values()) == 91  # 2 July to 30 September, each day counted once
    exact = sum(
        rules.penalty_interest(principal, RATE, days, MARKUP)
        + rules.penalty_interest(interest, RATE, days, MARKUP)
        for (principal, interest), days in s.penalty_days.items()
    )
    assert loan.penalty_accrued == half_up(Decimal(exact))
    assert loan.penalty_accrued > 0
    outstanding = bank.run(lambda uow: engine.outstanding_principal(uow, loan), readonly=True)
    assert loan.provision == rules.provision(outstanding, "substandard")  # 25 %
    with pytest.raises(CoreBankError) as err:
        bank.run(
            workouts.classify,
            s.credit,
            s.number,
            ClassificationChange(classification="special_mention", reason="the borrower called back"),
        )
    assert err.value.code == "INVALID_CLASSIFICATION" and "substandard" in err.value.detail


def test_3_the_officer_calls_and_takes_a_promise_to_pay(story: Story) -> None:
    s, bank = story, story.fb.bank
    assert s.fb.business_date() == date(2026, 10, 1)
    bank.run(
        workouts.add_collection_action,
        s.credit,
        s.number,
        CollectionActionCreate(action="call", note="reached the borrower; lost his job in June"),
    )
    promise = bank.run(
        workouts.add_collection_action,
        s.credit,
        s.number,
        CollectionActionCreate(
            action="promise",
            note="will pay 3,000 from severance",
            promise_amount="3000.00",
            promise_date=date(2026, 10, 2),
        ),
    )
    assert (promise.promise_status, promise.promise_amount) == ("open", "3000.00")
    queue = bank.run(workouts.collections_queue, s.credit, None, 50, readonly=True)
    [item] = [i for i in queue.items if i.loan_number == s.number]
    loan = loan_row(s)
    owed = loan.overdue_principal + loan.overdue_interest + loan.penalty_accrued - loan.penalty_paid
    assert (item.days_past_due, item.classification, item.overdue_since) == (
        91,
        "substandard",
        date(2026, 7, 1),
    )
    assert Decimal(item.overdue_total) * 100 == owed
    assert item.last_action is not None and item.last_action.action == "promise"
    assert item.open_promise is not None and item.open_promise.id == promise.id
    books_hold(s)


def test_4_a_counter_repayment_recovers_part_of_the_overdue_amounts_and_keeps_the_promise(
    story: Story,
) -> None:
    s, bank = story, story.fb.bank
    close(s)  # 1 October
    open_till(s)
    before = loan_row(s)
    penalty = before.penalty_accrued - before.penalty_paid
    paid = bank.run(servicing.repay, s.teller, s.number, RepaymentRequest(amount="3000.00", cash=True), key())
    # DOMAIN.md's order: penalty, overdue interest, then overdue principal.
    assert Decimal(paid.penalty) * 100 == penalty
    assert Decimal(paid.interest) * 100 == before.overdue_interest
    assert Decimal(paid.principal) * 100 == 300_000 - penalty - before.overdue_interest
    after = loan_row(s)
    assert (after.overdue_interest, after.penalty_accrued - after.penalty_paid) == (0, 0)
    assert 0 < after.overdue_principal < before.overdue_principal  # a partial recovery: still overdue
    books_hold(s)
    close(s)  # 2 October: the promised day
    close(s)  # 3 October: the promise's date has passed, and the repayment kept it
    actions = bank.run(workouts.collection_actions, s.credit, s.number, readonly=True)
    assert [(a.action, a.promise_status) for a in actions] == [("call", None), ("promise", "kept")]


def test_5_a_risk_officer_restructures_the_loan(story: Story) -> None:
    s, bank = story, story.fb.bank
    assert s.fb.business_date() == date(2026, 10, 4)
    before = loan_row(s)
    outstanding = bank.run(lambda uow: engine.outstanding_principal(uow, before), readonly=True)
    interest, penalty = before.overdue_interest, before.penalty_accrued - before.penalty_paid
    assert (
        before.overdue_principal > 0 and interest + penalty > 0
    )  # penalty has accrued again since the repayment
    cmd = Restructuring(term_months=12, annual_rate="4.35", reason="job lost; a longer plan at a lower rate")
    k = key()
    done = bank.run(workouts.restructure, s.risk, s.number, cmd, k)
    assert Decimal(done.capitalised_interest) * 100 == interest
    assert Decimal(done.capitalised_penalty) * 100 == penalty
    assert Decimal(done.outstanding_principal) * 100 == outstanding + interest + penalty
    assert (done.annual_rate, done.term_months, done.schedule_version) == ("4.35", 12, 2)
    assert (done.next_due_date, done.maturity_date) == (date(2026, 11, 4), date(2027, 10, 4))
    assert (done.classification, done.restructured) == ("substandard", True)
    assert bank.run(workouts.restructure, s.risk, s.number, cmd, k) == done  # a retry posts nothing twice
    loan = loan_row(s)
    assert (loan.overdue_principal, loan.overdue_interest, loan.overdue_since, loan.days_past_due) == (
        0,
        0,
        None,
        0,
    )
    assert loan.penalty_paid == loan.penalty_accrued and loan.penalty_rate_e8 == 6_525_000  # 4.35 % × 1.5
    assert (loan.officer_classification, loan.classification_reason) == ("substandard", "restructured")
    new = bank.run(servicing.get_schedule, s.credit, s.number, readonly=True)
    assert (new.reason, len(new.lines)) == ("restructuring", 12)
    assert sum(Decimal(x.principal) for x in new.lines) == Decimal(done.outstanding_principal)
    old = bank.run(servicing.get_schedule, s.credit, s.number, 1, readonly=True)
    # July to October fell due unpaid; November on were still to come.
    assert [x.status for x in old.lines[:4]] == ["restructured"] * 4 and old.lines[4].status == "superseded"
    queue = bank.run(workouts.collections_queue, s.credit, None, 50, readonly=True)
    assert s.number not in [i.loan_number for i in queue.items]
    books_hold(s)
    close(s)  # end of day keeps the officer's class over the floor, now normal
    loan = loan_row(s)
    assert (loan.classification_floor, loan.classification, loan.days_past_due) == (
        "normal",
        "substandard",
        0,
    )


def test_6_it_misses_again_and_the_officer_classifies_it_doubtful(story: Story) -> None:
    s, bank = story, story.fb.bank
    close_through(s, date(2026, 11, 5))  # the first installment of the new schedule, due 4 November, unpaid
    loan = loan_row(s)
    assert (loan.overdue_since, loan.days_past_due, loan.classification_floor) == (
        date(2026, 11, 4),
        1,
        "special_mention",
    )
    assert loan.classification == "substandard" and loan.overdue_principal > 0
    read = bank.run(
        workouts.classify,
        s.credit,
        s.number,
        ClassificationChange(classification="doubtful", reason="defaulted again after restructuring"),
    )
    assert (read.classification, read.officer_classification) == ("doubtful", "doubtful")
    assert history(s)[-1] == ("substandard", "doubtful", date(2026, 11, 6), "credit")
    books_hold(s)


def test_7_the_risk_officer_writes_it_off(story: Story) -> None:
    s, bank = story, story.fb.bank
    before = loan_row(s)
    principal = bank.run(lambda uow: engine.outstanding_principal(uow, before), readonly=True)
    receivable = bank.run(
        lambda uow: engine.receivable(before, engine.current_installment(uow, before)), readonly=True
    )
    held = before.provision  # 25 %: end of day provisioned it as substandard
    assert held == rules.provision(principal, "substandard") and receivable > 0
    gls = {
        code: gl(s, code)
        for code in (chart.IMPAIRMENT_LOSS, chart.INTEREST_INCOME, chart.INTEREST_RECEIVABLE)
    }
    off = bank.run(
        workouts.write_off, s.risk, s.number, WriteOff(reason="no means to pay; legal action failed"), key()
    )
    assert Decimal(off.written_off_amount) * 100 == principal
    assert (Decimal(off.provision_used) * 100, Decimal(off.provision_topped_up) * 100) == (
        held,
        principal - held,
    )
    assert Decimal(off.interest_reversed) * 100 == receivable
    assert gl(s, chart.IMPAIRMENT_LOSS) - gls[chart.IMPAIRMENT_LOSS] == principal - held
    assert gl(s, chart.INTEREST_INCOME) - gls[chart.INTEREST_INCOME] == receivable  # income is credit-normal
    assert gl(s, chart.INTEREST_RECEIVABLE) - gls[chart.INTEREST_RECEIVABLE] == -receivable
    assert (gl(s, chart.LOAN_LOSS_PROVISION), gl(s, chart.LOANS)) == (0, 0)  # the only loan of this bank
    loan = loan_row(s)
    assert (loan.status, loan.written_off_on, loan.provision, loan.accrued_interest) == (
        "written_off",
        date(2026, 11, 6),
        0,
        0,
    )
    sched = bank.run(servicing.get_schedule, s.credit, s.number, readonly=True)
    assert {x.status for x in sched.lines} == {"written_off"}
    books_hold(s)

    def history_rows(uow: Any) -> int:
        return int(uow.session.execute(select(func.count()).select_from(LoanClassification)).scalar() or 0)

    rows = bank.run(history_rows, readonly=True)
    close(s)  # end of day leaves a written-off loan alone
    after = loan_row(s)
    assert (after.accrued_interest, after.penalty_accrued, after.penalty_through, after.provision) == (
        0,
        loan.penalty_accrued,
        loan.penalty_through,
        0,
    )
    assert (after.classification, bank.run(history_rows, readonly=True)) == ("doubtful", rows)


def test_8_money_recovered_after_write_off_reverses_impairment_loss(story: Story) -> None:
    s, bank = story, story.fb.bank
    assert s.made is not None
    open_till(s)
    deposit(bank, s.teller, s.made.account_number, "5000.00")
    loss = gl(s, chart.IMPAIRMENT_LOSS)
    got = bank.run(
        workouts.recover,
        s.risk,
        s.number,
        Recovery(amount="5000.00", from_account=s.made.account_number),
        key(),
    )
    assert (got.amount, got.recovered_amount, got.status) == ("5000.00", "5000.00", "written_off")
    assert gl(s, chart.IMPAIRMENT_LOSS) - loss == -500_000
    repaid = bank.run(servicing.repayments_of, s.credit, s.number, readonly=True)
    assert (repaid[-1].kind, repaid[-1].amount) == ("recovery", "5000.00")
    books_hold(s)
    close(s)
    assert loan_row(s).recovered_amount == 500_000
    print(f"walk-through: {s.closes} days of end of day")
