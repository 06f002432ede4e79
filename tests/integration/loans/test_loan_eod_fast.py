"""The set-based fast path of `loans.due` against the loan engine, on twin banks: the same book is built twice,
one bank closes its days with the fast path and the other with the engine alone, and after each due date the
two agree on every ledger balance, every GL total, every loan, installment, schedule and repayment row; only
the number of journal entries differs (one auto-debit entry per chunk instead of one per loan). The loans the
fast path must leave to the engine (a short account, two loans on one account, the last installment, an
overdue loan, a frozen or debit-blocked account, an installment paid early, a repricing due) go there and come
out as before."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from corebank import accounts, bootstrap, eod, ledger
from corebank.config import Settings
from corebank.kernel.money import minor_to_text
from corebank.ledger.models import JournalEntry, LedgerAccount
from corebank.loans import applications, engine, jobs, jobs_due, servicing, statement
from corebank.loans.models import Loan, LoanInstallment, LoanRepayment, LoanSchedule
from corebank.loans.schemas import ApprovalTerms, Disbursement, PrepaymentRequest, RepaymentRequest
from corebank.security import SYSTEM, Actor
from tests.factories import deposit, new_account, new_customer, phone, resident_id
from tests.factories.loans import application
from tests.integration.conftest import (
    FRESH_START,
    FreshBank,
    _create_database,
    _drop_database,
    _seed_east_branch,
)

pytestmark = pytest.mark.slow

ACCRUED_TO = date(2026, 6, 20)  # one end of day before the due date: the periods are part accrued
FIRST_DUE = date(2026, 7, 1)
SECOND_DUE = date(2026, 8, 1)
FAST = ("full", "east", "part_paid_early", "floating")
_keys = itertools.count(1)


@dataclass
class Made:
    loan_number: str
    loan_id: int
    repay_account: str
    customer: str


@dataclass
class Twin:
    """One of the two banks and its loans by story name."""

    fb: FreshBank
    officer: Actor
    approver: Actor
    loans: dict[str, Made] = field(default_factory=dict)


def _fresh(settings: Settings, tmp: pytest.TempPathFactory, name: str) -> Iterator[FreshBank]:
    """A bank of its own, as the `fresh_bank` fixture makes it."""
    admin_url = os.environ.get("COREBANK_TEST_DATABASE_URL")
    url = _create_database(admin_url) if admin_url else f"sqlite:///{tmp.mktemp(name)}/bank.db"
    b = bootstrap.build(settings.model_copy(update={"database_url": url}))
    try:
        bootstrap.upgrade_db(b)
        assert bootstrap.initialize(b, FRESH_START).created
        b.run(_seed_east_branch, "0002")
        fb = FreshBank(b)
        fb.add_staff("teller", "teller", "0001")
        fb.add_staff("supervisor", "supervisor", "0001")
        fb.add_staff("east_teller", "teller", "0002")
        fb.open_tills()
        yield fb
    finally:
        b.dispose()
        if admin_url:
            _drop_database(admin_url, url)


def _loan(
    twin: Twin, name: str, funds: str | None, *, same_as: str | None = None, east: bool = False, **terms: Any
) -> None:
    """A loan repaid from a Type I account holding `funds` (or by the borrower of loan `same_as`, from the same
    account); the money lent goes to the borrower's Type II account. `east`: the repayment account is kept at
    branch 0002."""
    fb, teller = twin.fb, twin.fb.teller
    if same_as is None:
        # The same borrower on both banks (the factories' own numbering moves on between the two).
        k = 700_000 + len(twin.loans)
        cust = new_customer(
            fb.bank, teller, name=f"Borrower {k}", id_number=resident_id(k), phone=phone(k)
        ).number
        opener = fb.east_teller if east else teller
        repay = new_account(fb.bank, opener, cust).number
        if funds:
            deposit(fb.bank, opener, repay, funds)
    else:
        cust, repay = twin.loans[same_as].customer, twin.loans[same_as].repay_account
    spend = new_account(fb.bank, teller, cust, account_class=2, linked=repay if same_as is None else None)
    app_id = application(fb.bank, twin.officer, cust, repay, **terms)
    fb.bank.run(applications.score_application, twin.officer, app_id)
    rate = None if terms.get("product_code") == "WORKING_CAPITAL_CNY" else "4.90"
    approved = fb.bank.run(
        applications.approve_application, twin.approver, app_id, ApprovalTerms(annual_rate=rate)
    )
    assert approved.loan_number is not None
    fb.bank.run(
        servicing.disburse,
        twin.officer,
        approved.loan_number,
        Disbursement(to_account=spend.number),
        f"fast-disb-{next(_keys)}",
    )
    loan_id = fb.bank.run(
        lambda uow: uow.session.execute(
            select(Loan.id).where(Loan.loan_number == approved.loan_number)
        ).scalar_one()
    )
    twin.loans[name] = Made(approved.loan_number, loan_id, repay, cust)


def _build(fb: FreshBank) -> Twin:
    """The book, made the same way on each bank (so that every id is the same on both)."""
    twin = Twin(
        fb,
        fb.add_staff("officer", "credit_officer", "0001"),
        fb.add_staff("approver", "credit_approver", "0001"),
    )
    _loan(twin, "full", "40000.00")
    _loan(twin, "east", "40000.00", east=True)
    _loan(twin, "part_paid_early", "40000.00")
    _loan(twin, "short", "3000.00")
    _loan(twin, "shared_a", "60000.00")
    _loan(twin, "shared_b", None, same_as="shared_a")
    _loan(twin, "last", "150000.00")
    _loan(twin, "overdue", None)
    _loan(twin, "frozen", "10000.00")
    _loan(twin, "blocked", "10000.00")
    _loan(twin, "paid_early", "40000.00")
    working_capital = dict(
        product_code="WORKING_CAPITAL_CNY",
        amount="500000.00",
        method="equal_installment",
        monthly_income="200000.00",
        employment="private_enterprise",
    )
    _loan(twin, "repricing", "200000.00", **working_capital)
    _loan(twin, "floating", "200000.00", **working_capital)
    # Twenty days accrued, the deposits' quarterly interest settled on 20 June.
    fb.move_to(ACCRUED_TO)
    eod.close_day(fb.bank, SYSTEM)
    # Lent after the others, due on the 21st: the book's due dates differ from loan to loan.
    fb.open_tills()
    _loan(twin, "later", "40000.00")
    loans, officer = twin.loans, twin.officer
    # Part of the installment paid at the counter (it stays pending); all of another one.
    fb.bank.run(
        servicing.repay,
        officer,
        loans["part_paid_early"].loan_number,
        RepaymentRequest(amount="300.00", from_account=loans["part_paid_early"].repay_account),
        f"fast-repay-{next(_keys)}",
    )

    def owed(uow: Any) -> int:
        loan = uow.session.get(Loan, loans["paid_early"].loan_id)
        return engine.owed(loan, engine.current_installment(uow, loan)).total

    due = minor_to_text(fb.bank.run(owed, readonly=True), "CNY")
    fb.bank.run(
        servicing.repay,
        officer,
        loans["paid_early"].loan_number,
        RepaymentRequest(amount=due, from_account=loans["paid_early"].repay_account),
        f"fast-repay-{next(_keys)}",
    )
    # Most of the principal prepaid, the term shortened: the installment due on 1 July is the last.
    fb.bank.run(
        servicing.prepay,
        officer,
        loans["last"].loan_number,
        PrepaymentRequest(amount="95000.00", mode="shorten_term", from_account=loans["last"].repay_account),
        f"fast-prepay-{next(_keys)}",
    )
    fb.bank.run(
        accounts.freeze,
        fb.supervisor,
        loans["frozen"].repay_account,
        accounts.FreezeRequest(kind="full", reason="court order", authority="court"),
    )
    fb.bank.run(
        accounts.set_blocks,
        fb.supervisor,
        loans["blocked"].repay_account,
        accounts.BlockRequest(debit_blocked=True, reason="customer request"),
    )
    # The working capital loan's anniversary falls on its due date: the engine reprices after the roll.
    fb.bank.run(
        lambda uow: uow.session.execute(
            update(Loan).where(Loan.id == loans["repricing"].loan_id).values(next_reprice_date=FIRST_DUE)
        )
    )
    return twin


@pytest.fixture(scope="module")
def twins(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Twin, Twin]]:
    """(fast, engine): the same book on two banks."""
    fast_bank = _fresh(settings, tmp_path_factory, "fast")
    slow_bank = _fresh(settings, tmp_path_factory, "slow")
    try:
        fast, slow = _build(next(fast_bank)), _build(next(slow_bank))
        yield fast, slow
    finally:
        fast_bank.close()
        slow_bank.close()


# ---------------------------------------------------------------------------------------------------- helpers


def _close_both(fast: Twin, slow: Twin, day: date) -> set[int]:
    """Move both banks to `day` and close it, the first with the fast path, the second with the engine alone;
    return the loan ids the fast path took."""
    taken: set[int] = set()
    real = jobs_due.collect_simple

    def spy(*args: Any, **kwargs: Any) -> set[int]:
        got = real(*args, **kwargs)
        taken.update(got)
        return got

    for twin in (fast, slow):
        if twin.fb.business_date() < day:
            twin.fb.move_to(day)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(jobs_due, "collect_simple", spy)
        mp.setattr(jobs_due, "_SLICE", 2)  # the rows written a few loans at a time, as a big chunk would be
        assert eod.close_day(fast.fb.bank, SYSTEM) == day
        mp.setattr(jobs_due, "collect_simple", lambda *args, **kwargs: set())
        assert eod.close_day(slow.fb.bank, SYSTEM) == day
    return taken


def _rows(uow: Any, model: Any, *, leave_out: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    table = model.__table__
    cols = [c for c in table.columns if c.name not in leave_out]
    return sorted(tuple(r) for r in uow.conn.execute(select(*cols)))


def _state(twin: Twin) -> dict[str, Any]:
    """What the loan steps can change, in a form two banks can be compared by: every ledger account, the GL
    totals, the loan rows; repayments without their own id and journal entry id."""

    def read(uow: Any) -> dict[str, Any]:
        gl: dict[tuple[str, str, str], int] = {}
        for code, branch, currency, bal in ledger.gl_balances(uow, uow.business_date):
            gl[(code, branch, currency)] = bal
        return {
            "ledger_accounts": _rows(uow, LedgerAccount),
            "gl": gl,
            "loans": _rows(uow, Loan),
            "installments": _rows(uow, LoanInstallment),
            "schedules": _rows(uow, LoanSchedule),
            "repayments": _rows(uow, LoanRepayment, leave_out=("id", "entry_id")),
            "subledger_totals": sorted(ledger.subledger_totals(uow)),
        }

    return twin.fb.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def _entries(twin: Twin, kind: str, day: date) -> int:
    return twin.fb.bank.run(  # type: ignore[no-any-return]
        lambda uow: uow.session.execute(
            select(func.count()).where(JournalEntry.kind == kind, JournalEntry.booking_date == day)
        ).scalar_one(),
        readonly=True,
    )


def _assert_same(fast: Twin, slow: Twin) -> None:
    a, b = _state(fast), _state(slow)
    for key in a:
        assert a[key] == b[key], key


def _check_books(twin: Twin) -> None:
    """Trial balance zero; GL 1132 = Σ what the loans say is receivable; the loans' statements balance."""

    def read(uow: Any) -> None:
        tb = ledger.trial_balance(uow)
        assert all(d == c for d, c in tb.totals().values()), tb
        receivable = sum(
            engine.receivable(loan, engine.current_installment(uow, loan))
            for loan in uow.session.execute(select(Loan).where(Loan.status != "contracted")).scalars()
        )
        held = sum(bal for gl, _b, _c, bal in ledger.gl_balances(uow, uow.business_date) if gl == "1132")
        assert held == receivable
        for made in twin.loans.values():
            statement.loan_statement(uow, twin.officer, made.loan_number)

    twin.fb.bank.run(read)


def _repayment(twin: Twin, name: str, day: date) -> LoanRepayment | None:
    def read(uow: Any) -> LoanRepayment | None:
        row = uow.session.execute(
            select(LoanRepayment).where(
                LoanRepayment.loan_id == twin.loans[name].loan_id,
                LoanRepayment.kind == "auto_debit",
                LoanRepayment.booked_on == day,
            )
        ).scalar_one_or_none()
        if row is not None:
            uow.session.expunge(row)
        return row

    return twin.fb.bank.run(read, readonly=True)  # type: ignore[no-any-return]


def _loan_row(twin: Twin, name: str) -> Loan:
    def read(uow: Any) -> Loan:
        loan = uow.session.get(Loan, twin.loans[name].loan_id)
        uow.session.expunge(loan)
        return loan

    return twin.fb.bank.run(read, readonly=True)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------------- the story


def test_the_twin_books_start_the_same(twins: tuple[Twin, Twin]) -> None:
    fast, slow = twins
    assert {k: m.loan_id for k, m in fast.loans.items()} == {k: m.loan_id for k, m in slow.loans.items()}
    _assert_same(fast, slow)


def test_the_due_date_ends_the_same_with_the_fast_path_as_with_the_engine(twins: tuple[Twin, Twin]) -> None:
    fast, slow = twins
    taken = _close_both(fast, slow, FIRST_DUE)
    # Only the simple loans went the fast way.
    assert taken == {fast.loans[name].loan_id for name in FAST}
    _assert_same(fast, slow)
    # One auto-debit entry for the chunk's simple loans instead of one each; the engine's loans as before.
    debits = _entries(slow, "loan_auto_debit", FIRST_DUE)
    assert _entries(fast, "loan_auto_debit", FIRST_DUE) == debits - len(FAST) + 1
    entries = {_repayment(fast, name, FIRST_DUE).entry_id for name in FAST}  # type: ignore[union-attr]
    assert len(entries) == 1
    for twin in (fast, slow):
        _check_books(twin)


def test_the_loans_left_to_the_engine_behave_as_before(twins: tuple[Twin, Twin]) -> None:
    fast, _slow = twins
    day = FIRST_DUE
    # Paid in full: the installment's rest (the part paid early is not taken again), next period started.
    for name in FAST:
        loan = _loan_row(fast, name)
        assert (loan.period_start, loan.next_due_date, loan.overdue_principal) == (day, SECOND_DUE, 0)
        assert _repayment(fast, name, day) is not None
    part = _repayment(fast, "part_paid_early", day)
    whole = _repayment(fast, "full", day)
    assert part is not None and whole is not None and part.amount == whole.amount - 30_000
    # Short: a partial debit, the rest overdue.
    short = _loan_row(fast, "short")
    assert _repayment(fast, "short", day) is not None and short.overdue_principal > 0
    # Two loans on one account: both paid by the engine, the lower id first.
    for name in ("shared_a", "shared_b"):
        assert _repayment(fast, name, day) is not None and _loan_row(fast, name).overdue_principal == 0
    # The last installment paid: the loan closes.
    last = _loan_row(fast, "last")
    assert (last.status, last.closed_on, last.next_due_date) == ("closed", day, None)
    # Nothing to take from an empty, a frozen or a debit-blocked account: the installment is overdue.
    for name in ("overdue", "frozen", "blocked"):
        assert _repayment(fast, name, day) is None
        assert _loan_row(fast, name).overdue_since == day
    # Paid early at the counter: nothing to debit, the period rolls.
    assert _repayment(fast, "paid_early", day) is None
    assert _loan_row(fast, "paid_early").next_due_date == SECOND_DUE
    # Repricing due with the installment: debited, rolled, then repriced by the engine.
    assert _repayment(fast, "repricing", day) is not None
    assert _loan_row(fast, "repricing").next_reprice_date == date(2027, 7, 1)


def test_an_overdue_loan_due_again_goes_to_the_engine_and_the_rest_stay_fast(
    twins: tuple[Twin, Twin],
) -> None:
    fast, slow = twins
    # A day past due: penalty interest starts on the loans the engine left overdue; nothing falls due.
    assert _close_both(fast, slow, FIRST_DUE + timedelta(days=1)) == set()
    _assert_same(fast, slow)
    for twin in (fast, slow):
        twin.fb.move_to(SECOND_DUE)
        deposit(twin.fb.bank, twin.fb.teller, twin.loans["overdue"].repay_account, "20000.00")
    taken = _close_both(fast, slow, SECOND_DUE)
    ids = {name: m.loan_id for name, m in fast.loans.items()}
    assert ids["overdue"] not in taken and ids["short"] not in taken
    assert {ids[name] for name in (*FAST, "floating", "repricing", "paid_early")} <= taken
    _assert_same(fast, slow)
    overdue = _loan_row(fast, "overdue")
    paid = _repayment(fast, "overdue", SECOND_DUE)
    assert paid is not None and paid.penalty > 0 and overdue.overdue_principal == 0
    for twin in (fast, slow):
        _check_books(twin)
    # Running the due step of the day again changes nothing.
    before = _state(fast)
    hi = fast.fb.bank.run(jobs.highest_loan_id, SECOND_DUE, readonly=True)
    fast.fb.bank.run(jobs.collect_due, SECOND_DUE, 0, hi, eod=True)
    assert _state(fast) == before
