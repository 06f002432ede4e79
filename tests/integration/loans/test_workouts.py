"""Loan workouts on the shared bank (the date does not move here): a credit officer classifies worse than the
floor, never better, and the history keeps it; collections, restructuring, write-off and recoveries are refused
where the rules say so, changing nothing; and a loan an officer found doubtful is written off and recovered,
the books holding. The story with end of day, overdue days and penalty is in test_walkthrough.py."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, update

from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.ledger import chart
from corebank.loans import engine, servicing, workouts
from corebank.loans.models import CollectionAction, Loan, LoanClassification, LoanSchedule
from corebank.loans.workout_schemas import (
    ClassificationChange,
    CollectionActionCreate,
    Recovery,
    Restructuring,
    WriteOff,
)
from tests.factories import Staff, deposit, ledger_state
from tests.factories.loans import MadeLoan, active_loan
from tests.integration.loans.test_lifecycle import check_books, gl_value, key


def loan_state(bank: Bank, loan_number: str) -> dict[str, Any]:
    """The loan's row and its history counts, beside the ledger fingerprint: what a refusal must not touch."""

    def read(uow: Any) -> dict[str, Any]:
        loan = uow.session.execute(select(Loan).where(Loan.loan_number == loan_number)).scalar_one()
        row = {c.key: getattr(loan, c.key) for c in Loan.__table__.columns}

        def count(model: Any) -> int:
            q = select(func.count()).select_from(model).where(model.loan_id == loan.id)
            return int(uow.session.execute(q).scalar() or 0)

        return {
            "loan": row,
            "history": count(LoanClassification),
            "actions": count(CollectionAction),
            "schedules": count(LoanSchedule),
        }

    return {"ledger": ledger_state(bank), **bank.run(read, readonly=True)}


def refused(code: str, bank: Bank, loan_number: str, fn: Any, *args: Any) -> CoreBankError:
    """`fn` is refused with `code`; the loan, its histories, the books, audit trail and idempotency records stay
    as they were."""
    before = loan_state(bank, loan_number)
    with pytest.raises(CoreBankError) as err:
        bank.run(fn, *args)
    assert err.value.code == code, err.value
    assert loan_state(bank, loan_number) == before
    return err.value


def as_end_of_day_would(bank: Bank, loan_number: str, floor: str, days_past_due: int) -> None:
    """Give the loan the days-past-due floor end of day would (the date cannot move on the shared bank; the
    walk-through reaches it through end of day)."""
    bank.run(
        lambda uow: uow.session.execute(
            update(Loan)
            .where(Loan.loan_number == loan_number)
            .values(classification_floor=floor, classification=floor, days_past_due=days_past_due)
        )
    )


@pytest.fixture(scope="module")
def made(bank: Bank, staff: Staff) -> MadeLoan:
    return active_loan(bank, staff["teller"].actor, staff["credit"].actor, staff["approver"].actor)


def test_an_officer_classifies_worse_than_the_floor_and_the_history_keeps_why(
    bank: Bank, staff: Staff, made: MadeLoan
) -> None:
    officer = staff["credit"].actor
    read = bank.run(
        workouts.classify,
        officer,
        made.loan_number,
        ClassificationChange(classification="substandard", reason="borrower's business closed"),
    )
    assert (read.classification, read.classification_floor, read.officer_classification) == (
        "substandard",
        "normal",
        "substandard",
    )
    assert read.classification_reason == "borrower's business closed"
    # Naming the floor itself clears the officer's class.
    cleared = bank.run(
        workouts.classify,
        officer,
        made.loan_number,
        ClassificationChange(classification="normal", reason="business reopened, paying again"),
    )
    assert (cleared.classification, cleared.officer_classification) == ("normal", None)
    history = bank.run(workouts.classification_history, officer, made.loan_number, readonly=True)
    assert [(h.from_class, h.to_class, h.changed_by) for h in history] == [
        ("normal", "substandard", "credit"),
        ("substandard", "normal", "credit"),
    ]
    assert history[0].reason == "borrower's business closed" and history[0].changed_on == date(2026, 3, 2)
    loan = bank.run(servicing.get_loan, officer, made.loan_number, readonly=True)
    assert loan.classification == "normal"


def test_a_class_better_than_the_floor_is_refused_and_changes_nothing(bank: Bank, staff: Staff) -> None:
    t, officer, approver = staff["teller"].actor, staff["credit"].actor, staff["approver"].actor
    made = active_loan(bank, t, officer, approver, balance="10.00")
    as_end_of_day_would(bank, made.loan_number, "substandard", 95)
    err = refused(
        "INVALID_CLASSIFICATION",
        bank,
        made.loan_number,
        workouts.classify,
        officer,
        made.loan_number,
        ClassificationChange(classification="special_mention", reason="promised to pay"),
    )
    assert "floor" in err.detail and "substandard" in err.detail
    refused(
        "INVALID_CLASSIFICATION",
        bank,
        made.loan_number,
        workouts.classify,
        officer,
        made.loan_number,
        ClassificationChange(classification="dreadful", reason="no such class"),
    )
    refused(
        "PERMISSION_DENIED",
        bank,
        made.loan_number,
        workouts.classify,
        t,
        made.loan_number,
        ClassificationChange(classification="loss", reason="a teller may not"),
    )
    worse = bank.run(
        workouts.classify,
        officer,
        made.loan_number,
        ClassificationChange(classification="doubtful", reason="collateral lost"),
    )
    assert (worse.classification, worse.classification_floor, worse.days_past_due) == (
        "doubtful",
        "substandard",
        95,
    )


def test_a_collection_action_is_refused_on_a_loan_with_nothing_overdue(
    bank: Bank, staff: Staff, made: MadeLoan
) -> None:
    officer = staff["credit"].actor
    refused(
        "LOAN_NOT_OVERDUE",
        bank,
        made.loan_number,
        workouts.add_collection_action,
        officer,
        made.loan_number,
        CollectionActionCreate(action="call", note="courtesy call"),
    )
    tomorrow = date(2026, 3, 3)
    for code, cmd in (
        ("INVALID_COLLECTION_ACTION", CollectionActionCreate(action="promise", promise_date=tomorrow)),
        ("INVALID_COLLECTION_ACTION", CollectionActionCreate(action="promise", promise_amount="100.00")),
        (
            "INVALID_COLLECTION_ACTION",
            CollectionActionCreate(action="promise", promise_amount="0.00", promise_date=tomorrow),
        ),
        (
            "INVALID_COLLECTION_ACTION",
            CollectionActionCreate(action="promise", promise_amount="100.00", promise_date=date(2026, 3, 2)),
        ),
        ("INVALID_COLLECTION_ACTION", CollectionActionCreate(action="call", promise_amount="100.00")),
        ("INVALID_COLLECTION_ACTION", CollectionActionCreate(action="threaten")),
    ):
        refused(code, bank, made.loan_number, workouts.add_collection_action, officer, made.loan_number, cmd)
    assert bank.run(workouts.collection_actions, officer, made.loan_number, readonly=True) == []
    queue = bank.run(workouts.collections_queue, officer, None, 200, readonly=True)
    assert made.loan_number not in [item.loan_number for item in queue.items]


def test_restructuring_and_write_off_are_refused_where_not_allowed(bank: Bank, staff: Staff) -> None:
    t, officer, approver, risk = (
        staff["teller"].actor,
        staff["credit"].actor,
        staff["approver"].actor,
        staff["risk"].actor,
    )
    made = active_loan(bank, t, officer, approver, balance="10.00")
    n = made.loan_number
    terms = Restructuring(term_months=24, reason="hardship")
    refused("RESTRUCTURING_NOT_ALLOWED", bank, n, workouts.restructure, risk, n, terms, key())
    refused("PERMISSION_DENIED", bank, n, workouts.restructure, officer, n, terms, key())
    refused("WRITE_OFF_NOT_ALLOWED", bank, n, workouts.write_off, risk, n, WriteOff(reason="hopeless"), key())
    bank.run(
        workouts.classify, officer, n, ClassificationChange(classification="substandard", reason="job lost")
    )
    refused("WRITE_OFF_NOT_ALLOWED", bank, n, workouts.write_off, risk, n, WriteOff(reason="hopeless"), key())
    refused("PERMISSION_DENIED", bank, n, workouts.write_off, officer, n, WriteOff(reason="hopeless"), key())
    refused(
        "INVALID_TERM",
        bank,
        n,
        workouts.restructure,
        risk,
        n,
        Restructuring(term_months=0, reason="x" * 5),
        key(),
    )
    refused(
        "INVALID_RATE",
        bank,
        n,
        workouts.restructure,
        risk,
        n,
        Restructuring(term_months=12, annual_rate="120", reason="rate out of range"),
        key(),
    )
    refused(
        "LOAN_STATUS_CONFLICT",
        bank,
        n,
        workouts.recover,
        risk,
        n,
        Recovery(amount="10.00", from_account=made.account_number),
        key(),
    )
    check_books(bank)


def test_a_classified_loan_is_restructured_without_anything_to_capitalise(bank: Bank, staff: Staff) -> None:
    t, officer, approver, risk = (
        staff["teller"].actor,
        staff["credit"].actor,
        staff["approver"].actor,
        staff["risk"].actor,
    )
    made = active_loan(bank, t, officer, approver, balance="10.00", amount="36000.00", term_months=12)
    n = made.loan_number
    bank.run(
        workouts.classify, officer, n, ClassificationChange(classification="substandard", reason="job lost")
    )
    k = key()
    cmd = Restructuring(term_months=36, annual_rate="3.85", reason="longer term after job loss")
    done = bank.run(workouts.restructure, risk, n, cmd, k)
    assert (done.capitalised_interest, done.capitalised_penalty, done.entry_id) == ("0.00", "0.00", None)
    assert (done.outstanding_principal, done.annual_rate, done.schedule_version) == ("36000.00", "3.85", 2)
    assert done.next_due_date == date(2026, 4, 2) and done.maturity_date == date(2029, 3, 2)
    # Classified at least special mention after restructuring: substandard is worse, so it stays.
    assert (done.classification, done.restructured) == ("substandard", True)
    assert bank.run(workouts.restructure, risk, n, cmd, k) == done  # a retry answers the first result
    sched = bank.run(servicing.get_schedule, officer, n, readonly=True)
    assert (sched.reason, len(sched.lines), sched.annual_rate) == ("restructuring", 36, "3.85")
    history = bank.run(workouts.classification_history, officer, n, readonly=True)
    assert (history[-1].to_class, history[-1].reason, history[-1].changed_by) == (
        "substandard",
        "restructured",
        "risk",
    )
    check_books(bank)


def gl(bank: Bank, code: str) -> int:
    return int(bank.run(lambda uow: gl_value(uow, code), readonly=True))


def test_a_doubtful_loan_is_written_off_against_its_provision_and_recovered(bank: Bank, staff: Staff) -> None:
    t, officer, approver, risk = (
        staff["teller"].actor,
        staff["credit"].actor,
        staff["approver"].actor,
        staff["risk"].actor,
    )
    made = active_loan(bank, t, officer, approver, balance="10.00", amount="20000.00", term_months=6)
    n = made.loan_number
    bank.run(
        workouts.classify, officer, n, ClassificationChange(classification="doubtful", reason="fraud found")
    )
    before = {
        code: gl(bank, code) for code in (chart.IMPAIRMENT_LOSS, chart.LOAN_LOSS_PROVISION, chart.LOANS)
    }
    k = key()
    off = bank.run(workouts.write_off, risk, n, WriteOff(reason="borrower absconded"), k)
    # No end of day has provisioned it: the whole principal is charged to impairment loss first.
    assert (off.written_off_amount, off.provision_used, off.provision_topped_up, off.interest_reversed) == (
        "20000.00",
        "0.00",
        "20000.00",
        "0.00",
    )
    assert (off.status, off.written_off_on) == ("written_off", date(2026, 3, 2))
    assert bank.run(workouts.write_off, risk, n, WriteOff(reason="borrower absconded"), k) == off
    refused("LOAN_CLOSED", bank, n, workouts.write_off, risk, n, WriteOff(reason="borrower absconded"), key())
    after = {code: gl(bank, code) for code in before}
    assert after[chart.IMPAIRMENT_LOSS] - before[chart.IMPAIRMENT_LOSS] == 2_000_000
    assert after[chart.LOAN_LOSS_PROVISION] == before[chart.LOAN_LOSS_PROVISION]  # topped up, then used
    assert after[chart.LOANS] - before[chart.LOANS] == -2_000_000
    loan = bank.run(servicing.get_loan, officer, n, readonly=True)
    assert (loan.status, loan.outstanding_principal, loan.provision, loan.written_off_amount) == (
        "written_off",
        "0.00",
        "0.00",
        "20000.00",
    )
    sched = bank.run(servicing.get_schedule, officer, n, readonly=True)
    assert {line.status for line in sched.lines} == {"written_off"}
    refused(
        "LOAN_CLOSED",
        bank,
        n,
        workouts.classify,
        officer,
        n,
        ClassificationChange(classification="loss", reason="already written off"),
    )
    check_books(bank)

    deposit(bank, t, made.account_number, "1500.00")
    loss = gl(bank, chart.IMPAIRMENT_LOSS)
    got = bank.run(
        workouts.recover, risk, n, Recovery(amount="1200.00", from_account=made.account_number), key()
    )
    assert (got.amount, got.recovered_amount, got.source, got.status) == (
        "1200.00",
        "1200.00",
        made.account_number,
        "written_off",
    )
    assert gl(bank, chart.IMPAIRMENT_LOSS) - loss == -120_000  # the impairment loss is reversed
    refused(
        "RECOVERY_EXCEEDS_WRITTEN_OFF",
        bank,
        n,
        workouts.recover,
        risk,
        n,
        Recovery(amount="18800.01", from_account=made.account_number),
        key(),
    )
    refused(
        "PERMISSION_DENIED",  # a risk officer keeps no till
        bank,
        n,
        workouts.recover,
        risk,
        n,
        Recovery(amount="10.00", cash=True),
        key(),
    )
    rows = bank.run(servicing.repayments_of, officer, n, readonly=True)
    assert [(r.kind, r.amount, r.principal, r.interest) for r in rows] == [
        ("recovery", "1200.00", "0.00", "0.00")
    ]

    def receivable(uow: Any) -> int:
        row = uow.session.execute(select(Loan).where(Loan.loan_number == n)).scalar_one()
        return engine.receivable(row, engine.current_installment(uow, row))

    assert bank.run(receivable, readonly=True) == 0
    check_books(bank)
