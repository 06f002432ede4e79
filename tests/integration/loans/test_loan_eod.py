"""Loans through real end-of-day runs on a bank of their own: interest accrues day by day to the installment's
figure on the day before the due date; on the due date the linked account is debited in the allocation order
(in full, partially when short, nothing from a frozen account) and the rest becomes overdue; money arriving
later is taken penalty first; penalty interest accrues to the hand-computed figure; days past due move a loan
to special mention and, after 91 days, substandard; provisions follow the class; promises to pay are kept or
broken; a floating-rate loan is repriced on its anniversary; GL 1132 equals what the loans say is receivable,
the books balance every day, and re-running a step on a day it did changes nothing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from corebank import accounts, eod, ledger, tellers
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.ledger.models import JournalEntry
from corebank.loans import applications, engine, jobs, portfolio, rules, servicing, workouts
from corebank.loans.models import (
    CollectionAction,
    Loan,
    LoanClassification,
    LoanInstallment,
    LoanRepayment,
    LoanSchedule,
)
from corebank.loans.schemas import ApprovalTerms, Disbursement
from corebank.loans.workout_schemas import CollectionActionCreate
from corebank.products.models import BaseRate
from corebank.security import SYSTEM, Actor
from tests.factories import deposit, new_account, new_customer
from tests.factories.loans import application
from tests.integration.conftest import FreshBank

pytestmark = pytest.mark.slow

START = date(2026, 6, 1)
FIRST_DUE = date(2026, 7, 1)
INSTALLMENT = 855_617  # DOMAIN.md: 100,000.00 at 4.90 % over 12 months, equal installment
INTEREST_1 = 40_833  # month 1 interest
PRINCIPAL_1 = 814_784
_keys = itertools.count(1)


@dataclass
class Book:
    officer: Actor
    approver: Actor
    good: Made  # pays every installment in full
    short: Made  # holds 3,000.00 on the first due date
    empty: Made  # nothing on the due date; money comes in later
    frozen: Made  # money, but the account is frozen
    floating: Made  # a working capital loan at LPR1Y + 0.85 %, repriced on its anniversary
    floating_late: Made  # the same, with nothing to pay from: repriced while overdue


@dataclass
class Made:
    loan_number: str
    loan_id: int
    repay_account: str
    repay_id: int


def _loan(fb: FreshBank, officer: Actor, approver: Actor, funds: str | None, **terms: Any) -> Made:
    """A 12-month loan repaid from a Type I account holding `funds`; the money lent goes to the borrower's
    Type II account, so that the repayment account holds only what the story needs."""
    bank, teller = fb.bank, fb.teller
    cust = new_customer(bank, teller)
    repay = new_account(bank, teller, cust.number)
    if funds:
        deposit(bank, teller, repay.number, funds)
    spend = new_account(bank, teller, cust.number, account_class=2, linked=repay.number)
    app_id = application(bank, officer, cust.number, repay.number, **terms)
    bank.run(applications.score_application, officer, app_id)
    rate = None if terms.get("product_code") == "WORKING_CAPITAL_CNY" else "4.90"
    approved = bank.run(applications.approve_application, approver, app_id, ApprovalTerms(annual_rate=rate))
    assert approved.loan_number is not None
    bank.run(
        servicing.disburse,
        officer,
        approved.loan_number,
        Disbursement(to_account=spend.number),
        f"eod-disb-{next(_keys)}",
    )
    loan_id = bank.run(
        lambda uow: uow.session.execute(
            select(Loan.id).where(Loan.loan_number == approved.loan_number)
        ).scalar()
    )
    repay_id = bank.run(lambda uow: accounts.load_for_posting(uow, [repay.number])[repay.number].id)
    return Made(approved.loan_number, loan_id, repay.number, repay_id)


@pytest.fixture(scope="module")
def book(fresh_bank: FreshBank) -> Book:
    fb = fresh_bank
    assert fb.business_date() == START
    officer = fb.add_staff("officer", "credit_officer", "0001")
    approver = fb.add_staff("approver", "credit_approver", "0001")
    good = _loan(fb, officer, approver, "40000.00")
    short = _loan(fb, officer, approver, "3000.00")
    empty = _loan(fb, officer, approver, None)
    frozen = _loan(fb, officer, approver, "10000.00")
    floating = _loan(
        fb,
        officer,
        approver,
        "200000.00",
        product_code="WORKING_CAPITAL_CNY",
        amount="500000.00",
        method="equal_installment",
        monthly_income="200000.00",
        employment="private_enterprise",
    )
    floating_late = _loan(
        fb,
        officer,
        approver,
        None,
        product_code="WORKING_CAPITAL_CNY",
        amount="500000.00",
        method="equal_installment",
        monthly_income="200000.00",
        employment="private_enterprise",
    )
    return Book(officer, approver, good, short, empty, frozen, floating, floating_late)


# ---------------------------------------------------------------------------------------------------- helpers


def _loan_row(fb: FreshBank, made: Made) -> Loan:
    def read(uow: Any) -> Loan:
        loan = uow.session.get(Loan, made.loan_id)
        uow.session.expunge(loan)
        return loan

    return fb.bank.run(read, readonly=True)


def _balance(fb: FreshBank, account_id: int) -> int:
    return fb.bank.run(lambda uow: ledger.balances(uow, [account_id])[account_id].balance, readonly=True)


def _gl(uow: Any, code: str) -> int:
    return sum(bal for gl, _b, _c, bal in ledger.gl_balances(uow, uow.business_date) if gl == code)


def _check_books(fb: FreshBank) -> None:
    """Trial balance zero; GL 1132 = Σ receivable over the loans; GL 1304 = − Σ provisions."""

    def read(uow: Any) -> None:
        tb = ledger.trial_balance(uow)
        assert all(d == c for d, c in tb.totals().values()), tb
        receivable = provision = 0
        for loan in uow.session.execute(select(Loan).where(Loan.status != "contracted")).scalars():
            receivable += engine.receivable(loan, engine.current_installment(uow, loan))
            provision += loan.provision
        assert _gl(uow, chart.INTEREST_RECEIVABLE) == receivable
        assert _gl(uow, chart.LOAN_LOSS_PROVISION) == -provision

    fb.bank.run(read, readonly=True)


def _close_through(fb: FreshBank, last: date) -> None:
    while fb.business_date() <= last:
        eod.close_day(fb.bank, SYSTEM)


def _till(fb: FreshBank) -> None:
    try:
        fb.bank.run(tellers.open_till, fb.teller, tellers.TillOpen(opening_cash="100.00"))
    except CoreBankError as exc:
        assert exc.code == "TILL_ALREADY_OPEN", exc


def _half_up(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _loan_state(fb: FreshBank) -> tuple[Any, ...]:
    """Everything the loan steps write: loans, installments, repayments, history, promises, journal."""

    def read(uow: Any) -> tuple[Any, ...]:
        s = uow.session

        def rows(model: Any) -> list[tuple[Any, ...]]:
            table = model.__table__
            return [tuple(r) for r in s.execute(select(table).order_by(*table.primary_key.columns))]

        entries = s.execute(select(func.count()).select_from(JournalEntry)).scalar()
        return (
            rows(Loan),
            rows(LoanInstallment),
            rows(LoanSchedule),
            rows(LoanRepayment),
            rows(LoanClassification),
            rows(CollectionAction),
            entries,
        )

    return fb.bank.run(read, readonly=True)


def _run_loan_steps(fb: FreshBank, day: date) -> None:
    """Every loan step for `day`, as the runner would (each chunk its own transaction)."""
    for step in jobs.EOD_STEPS:
        if step.run is not None:
            fb.bank.run(step.run, day, eod=True)
            continue
        assert step.chunk is not None and step.upper_bound is not None
        hi = fb.bank.run(step.upper_bound, day, readonly=True)
        fb.bank.run(step.chunk, day, 0, hi, eod=True)


# ---------------------------------------------------------------------------------------------------- the story


def test_interest_accrues_to_the_installment_on_the_day_before_the_due_date(
    fresh_bank: FreshBank, book: Book
) -> None:
    fb = fresh_bank
    loan = _loan_row(fb, book.good)
    assert (loan.period_start, loan.next_due_date, loan.period_interest) == (START, FIRST_DUE, INTEREST_1)
    eod.close_day(fb.bank, SYSTEM)  # 1 June: the first day of 30
    assert _loan_row(fb, book.good).accrued_interest == _half_up(Decimal(INTEREST_1) / 30)
    _check_books(fb)
    _close_through(fb, date(2026, 6, 15))
    # 15 of 30 days: 40,833 × 15 ÷ 30 = 20,416.5 fen, half up.
    assert _loan_row(fb, book.good).accrued_interest == 20_417
    _close_through(fb, date(2026, 6, 29))
    assert _loan_row(fb, book.good).accrued_interest == _half_up(Decimal(INTEREST_1) * 29 / 30) < INTEREST_1
    _close_through(fb, date(2026, 6, 30))
    for made in (book.good, book.short, book.empty, book.frozen):
        assert _loan_row(fb, made).accrued_interest == INTEREST_1
    _check_books(fb)


def test_the_due_date_debits_in_full_partially_or_not_at_all(fresh_bank: FreshBank, book: Book) -> None:
    fb = fresh_bank
    assert fb.business_date() == FIRST_DUE
    # Demand interest was settled on 20 June: read what the accounts hold now.
    good_funds, short_funds = _balance(fb, book.good.repay_id), _balance(fb, book.short.repay_id)
    frozen_funds = _balance(fb, book.frozen.repay_id)
    assert 300_000 < short_funds < 300_100
    fb.bank.run(
        accounts.freeze,
        fb.supervisor,
        book.frozen.repay_account,
        accounts.FreezeRequest(kind="full", reason="court order", authority="court"),
    )
    # Re-running the loan steps on the due date changes nothing the second time.
    _run_loan_steps(fb, FIRST_DUE)
    once = _loan_state(fb)
    _run_loan_steps(fb, FIRST_DUE)
    assert _loan_state(fb) == once
    eod.close_day(fb.bank, SYSTEM)
    assert _loan_state(fb)[:6] == once[:6]  # the end of day's own loan steps found nothing left to do

    def repayments(made: Made) -> list[LoanRepayment]:
        return fb.bank.run(
            lambda uow: list(
                uow.session.execute(
                    select(LoanRepayment).where(LoanRepayment.loan_id == made.loan_id)
                ).scalars()
            ),
            readonly=True,
        )

    # In full: interest first, then principal; the next period starts, one day accrued.
    (paid,) = repayments(book.good)
    assert (paid.kind, paid.amount, paid.interest, paid.principal, paid.penalty) == (
        "auto_debit",
        INSTALLMENT,
        INTEREST_1,
        PRINCIPAL_1,
        0,
    )
    assert _balance(fb, book.good.repay_id) == good_funds - INSTALLMENT
    good = _loan_row(fb, book.good)
    assert (good.period_start, good.next_due_date, good.overdue_principal) == (FIRST_DUE, date(2026, 8, 1), 0)
    assert good.accrued_interest == _half_up(Decimal(good.period_interest) / 31)
    assert _balance(fb, book.good.loan_id) == 10_000_000 - PRINCIPAL_1
    # Short: about 3,000.00 pays the interest and the rest toward principal; what is left is overdue since
    # the due date.
    (part,) = repayments(book.short)
    assert (part.amount, part.interest, part.principal) == (short_funds, INTEREST_1, short_funds - INTEREST_1)
    short = _loan_row(fb, book.short)
    assert (short.overdue_principal, short.overdue_interest, short.overdue_since) == (
        INSTALLMENT - short_funds,
        0,
        FIRST_DUE,
    )
    assert _balance(fb, book.short.repay_id) == 0
    # Empty and frozen: nothing taken, the whole installment overdue.
    assert repayments(book.empty) == [] and repayments(book.frozen) == []
    for made in (book.empty, book.frozen):
        loan = _loan_row(fb, made)
        assert (loan.overdue_principal, loan.overdue_interest) == (PRINCIPAL_1, INTEREST_1)
    assert _balance(fb, book.frozen.repay_id) == frozen_funds
    # Due today, nothing past due yet: still normal, no penalty.
    assert (short.days_past_due, short.classification, short.penalty_accrued) == (0, "normal", 0)
    _check_books(fb)


def test_overdue_loans_turn_special_mention_and_accrue_penalty(fresh_bank: FreshBank, book: Book) -> None:
    fb = fresh_bank
    eod.close_day(fb.bank, SYSTEM)  # 2 July: one day past due
    short = _loan_row(fb, book.short)
    assert (short.days_past_due, short.classification_floor, short.classification) == (
        1,
        "special_mention",
        "special_mention",
    )

    def history(made: Made) -> list[tuple[str, str, int, str, str]]:
        return fb.bank.run(
            lambda uow: [
                (h.from_class, h.to_class, h.days_past_due, h.reason, h.changed_by)
                for h in uow.session.execute(
                    select(LoanClassification)
                    .where(LoanClassification.loan_id == made.loan_id)
                    .order_by(LoanClassification.id)
                ).scalars()
            ],
            readonly=True,
        )

    assert history(book.short) == [("normal", "special_mention", 1, "days past due 1", "eod")]
    assert history(book.good) == []
    # Provision: 2 % of the principal for special mention, 1 % for normal.
    for made, rate in ((book.short, Decimal("0.02")), (book.good, Decimal("0.01"))):
        assert _loan_row(fb, made).provision == _half_up(_balance(fb, made.loan_id) * rate)
    # Promises to pay: the empty loan's borrower promises 500.00 by 10 July, the short one's 1,000.00 by 8 July.
    for made, amount, by in (
        (book.empty, "500.00", date(2026, 7, 10)),
        (book.short, "1000.00", date(2026, 7, 8)),
    ):
        fb.bank.run(
            workouts.add_collection_action,
            book.officer,
            made.loan_number,
            CollectionActionCreate(action="promise", promise_amount=amount, promise_date=by),
        )
    _close_through(fb, date(2026, 7, 9))

    def promises() -> dict[int, str | None]:
        return fb.bank.run(
            lambda uow: {
                a.loan_id: a.promise_status for a in uow.session.execute(select(CollectionAction)).scalars()
            },
            readonly=True,
        )

    assert promises() == {book.short.loan_id: "broken", book.empty.loan_id: "open"}
    # Money reaches the empty loan's account on 10 July: end of day takes it, penalty first, then the overdue
    # interest, then overdue principal.
    penalty_so_far = _loan_row(fb, book.empty).penalty_accrued
    _till(fb)
    deposit(fb.bank, fb.teller, book.empty.repay_account, "500.00")
    _close_through(fb, date(2026, 7, 11))
    paid = fb.bank.run(
        lambda uow: uow.session.execute(
            select(LoanRepayment).where(LoanRepayment.loan_id == book.empty.loan_id)
        ).scalar_one(),
        readonly=True,
    )
    assert paid.booked_on == date(2026, 7, 10)
    assert (paid.penalty, paid.interest, paid.principal) == (
        penalty_so_far,
        INTEREST_1,
        50_000 - penalty_so_far - INTEREST_1,
    )
    assert promises()[book.empty.loan_id] == "kept"
    # Penalty on the short loan: 30 days (2 to 31 July) on the overdue principal at 4.90 % × 1.5 ÷ 360.
    _close_through(fb, date(2026, 7, 31))
    short = _loan_row(fb, book.short)
    expected = rules.penalty_interest(short.overdue_principal, Decimal("4.90"), 30)
    assert short.penalty_accrued == _half_up(expected)
    assert short.penalty_through == date(2026, 7, 31)
    assert abs(Decimal(short.penalty_micros) / engine.MICROS - expected) < Decimal("0.0001")
    # Compound interest: the frozen loan's overdue interest bears the penalty rate too.
    frozen = _loan_row(fb, book.frozen)
    both = rules.penalty_interest(PRINCIPAL_1, Decimal("4.90"), 30) + rules.penalty_interest(
        INTEREST_1, Decimal("4.90"), 30
    )
    assert frozen.penalty_accrued == _half_up(both)
    _check_books(fb)


def test_floating_rate_loan_is_repriced_on_its_anniversary(fresh_bank: FreshBank, book: Book) -> None:
    fb = fresh_bank
    today = fb.business_date()
    loan = _loan_row(fb, book.floating)
    assert (loan.rate_type, loan.annual_rate, loan.next_reprice_date) == (
        "floating",
        "3.85",
        date(2027, 6, 1),
    )
    # The LPR falls to 2.80 % from 1 August; pretend the anniversary is the 5th, mid-period.
    fb.bank.run(
        lambda uow: uow.session.add(
            BaseRate(
                code="LPR1Y",
                annual_rate="2.80",
                effective_date=date(2026, 8, 1),
                created_by="test",
                created_at=uow.now,
            )
        )
    )
    anniversary = date(2026, 8, 5)
    fb.bank.run(
        lambda uow: uow.session.execute(
            update(Loan)
            .where(Loan.id.in_([book.floating.loan_id, book.floating_late.loan_id]))
            .values(next_reprice_date=anniversary)
        )
    )
    assert today < anniversary
    _close_through(fb, anniversary - timedelta(days=1))
    before = _loan_row(fb, book.floating)
    _close_through(fb, anniversary)
    after = _loan_row(fb, book.floating)
    assert (after.annual_rate, after.next_reprice_date) == ("3.65", date(2027, 8, 5))
    assert after.penalty_rate_e8 == engine.penalty_rate_e8("3.65", after.penalty_markup)
    assert after.schedule_version == before.schedule_version + 1
    assert after.period_start == anniversary and after.next_due_date == before.next_due_date
    # What accrued at 3.85 % until the 4th is carried; the days from the 5th bear 3.65 %.
    assert after.accrual_base == before.accrued_interest
    assert after.accrued_interest > after.accrual_base
    reason = fb.bank.run(
        lambda uow: uow.session.execute(
            select(LoanSchedule.reason).where(
                LoanSchedule.loan_id == book.floating.loan_id, LoanSchedule.status == "current"
            )
        ).scalar_one(),
        readonly=True,
    )
    assert reason == "repricing"
    # Repriced while overdue: the new schedule covers the principal not yet due; the overdue stays overdue.
    late = _loan_row(fb, book.floating_late)
    assert (late.annual_rate, late.schedule_version, late.next_reprice_date) == ("3.65", 2, date(2027, 8, 5))
    assert late.overdue_principal > 0 and late.overdue_since == FIRST_DUE
    scheduled = fb.bank.run(
        lambda uow: uow.session.execute(
            select(func.sum(LoanInstallment.principal))
            .join(LoanSchedule, LoanSchedule.id == LoanInstallment.schedule_id)
            .where(LoanSchedule.loan_id == book.floating_late.loan_id, LoanSchedule.status == "current")
        ).scalar(),
        readonly=True,
    )
    assert scheduled == _balance(fb, book.floating_late.loan_id) - late.overdue_principal
    _check_books(fb)


def test_after_91_days_past_due_a_loan_is_substandard(fresh_bank: FreshBank, book: Book) -> None:
    fb = fresh_bank
    _close_through(fb, FIRST_DUE + timedelta(days=90))
    short = _loan_row(fb, book.short)
    assert (short.days_past_due, short.classification) == (90, "special_mention")
    _close_through(fb, FIRST_DUE + timedelta(days=91))
    short = _loan_row(fb, book.short)
    assert (short.days_past_due, short.classification) == (91, "substandard")
    assert short.provision == _half_up(_balance(fb, book.short.loan_id) * Decimal("0.25"))
    # The good payer has paid every installment on its due date and stays normal.
    good = _loan_row(fb, book.good)
    assert (good.overdue_principal, good.classification, good.next_due_date) == (
        0,
        "normal",
        date(2026, 10, 1),
    )
    changed = fb.bank.run(
        lambda uow: uow.session.execute(
            select(LoanClassification.to_class, LoanClassification.days_past_due)
            .where(LoanClassification.loan_id == book.short.loan_id)
            .order_by(LoanClassification.id)
        ).all(),
        readonly=True,
    )
    assert [tuple(r) for r in changed] == [("special_mention", 1), ("substandard", 91)]
    # Re-running every loan step on the day just closed changes nothing.
    closed = fb.business_date() - timedelta(days=1)
    once = _loan_state(fb)
    _run_loan_steps(fb, closed)
    assert _loan_state(fb) == once
    _check_books(fb)


def test_the_portfolio_report_groups_the_book_by_aging_and_class(fresh_bank: FreshBank, book: Book) -> None:
    """After the 91st day: the report's buckets and classes add up to the loans, with the substandard loan in
    91-180, and its NPL ratio and coverage computed from the same figures."""
    fb = fresh_bank
    admin = fb.add_staff("portfolio_admin", "admin", "0001")
    report = fb.bank.run(portfolio.portfolio, admin, readonly=True)
    loans = fb.bank.run(
        lambda uow: uow.session.execute(select(Loan).where(Loan.status == "active")).scalars().all(),
        readonly=True,
    )
    assert sum(r.loans for r in report.aging) == sum(r.loans for r in report.classification) == len(loans)
    buckets = {r.group: r for r in report.aging}
    short = _loan_row(fb, book.short)
    assert buckets["91-180"].loans >= 1
    expected_bucket = next(
        label for first, label in reversed(portfolio.AGING_BUCKETS) if short.days_past_due >= first
    )
    assert expected_bucket == "91-180"
    outstanding = sum(_balance(fb, loan.id) for loan in loans)
    npl = sum(
        _balance(fb, loan.id) for loan in loans if loan.classification in ("substandard", "doubtful", "loss")
    )
    assert Decimal(report.total_outstanding) * 100 == outstanding
    assert Decimal(report.non_performing) * 100 == npl
    assert Decimal(report.npl_ratio) == (Decimal(npl) * 100 / outstanding).quantize(
        Decimal("0.01"), ROUND_HALF_UP
    )
    assert Decimal(report.provision) * 100 == sum(loan.provision for loan in loans)
    csv_text = portfolio.portfolio_csv(report).decode()
    assert "aging,91-180" in csv_text and "summary,npl_ratio" in csv_text
    teller = fb.teller
    with pytest.raises(CoreBankError) as err:
        fb.bank.run(portfolio.portfolio, teller, readonly=True)
    assert err.value.code in ("PERMISSION_DENIED", "INVALID_REQUEST")
