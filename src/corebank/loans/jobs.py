"""The loans area's end-of-day steps (贷款日终), in the runner's order: repricing, due dates and auto-debit,
interest accrual, penalty interest, five-tier classification, provisioning, promises to pay.

Every step but the last works the loan book in chunks of loan ids (a loan's id is its principal account in
the ledger), each chunk one transaction that posts at most one balanced entry per kind, aggregated per branch
and currency. Each is safe to run again on a day it already did:
- repricing moves `next_reprice_date` past the day;
- due dates move `next_due_date` past the day, and an auto-debit of overdue amounts is skipped for a loan
  that already has an auto-debit booked that day;
- the accrual is a function of the day (recomputed, the same figure again books nothing);
- penalty interest stamps `penalty_through` with the day;
- classification and provisioning set targets (nothing changes the second time, nothing is booked).

The accrual, penalty, classification and provisioning steps are set-based SQL, integer arithmetic only (half
up as (2·x·n + d) div (2·d) over non-negative integers). Due dates and repricing load the few loans concerned
(about 1/30 of the book plus the overdue on an ordinary day) and go through the loan engine one by one, but
for the common due loan (paid in full from an account of its own, a next period to roll to), which
`jobs_due` collects and rolls set-based.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    type_coerce,
    update,
)

from corebank import ledger, products
from corebank.db.base import table_of
from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.loans import engine, jobs_due, rules, servicing
from corebank.loans.models import CollectionAction, Loan, LoanClassification, LoanRepayment

log = logging.getLogger("corebank.loans.eod")

_loans = table_of(Loan)
_repayments = table_of(LoanRepayment)
_history = table_of(LoanClassification)
_actions = table_of(CollectionAction)

MICROS = engine.MICROS
_PPM = 1_000_000  # provisioning rates are held as parts per million of the principal
_PENALTY_DIVISOR = 36_000  # micros per minor unit (10^6) × days a year (360) ÷ the rate's scale (10^8)
_LOAD_BATCH = 500  # loans loaded into the session at a time by the per-loan steps (bounded memory)
EOD_BY = "eod"

Deltas = dict[tuple[str, str], int]


# ---------------------------------------------------------------------------------------------------- helpers


def days_between(
    uow: UnitOfWork, later: ColumnElement[date], earlier: ColumnElement[date]
) -> ColumnElement[int]:
    """`later − earlier` in days as an SQL integer. PostgreSQL subtracts dates to an integer; SQLite keeps dates
    as 'YYYY-MM-DD' text, so the difference of their Julian day numbers (whole for dates) is cast."""
    if uow.conn.dialect.name == "postgresql":
        return type_coerce(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _day(uow: UnitOfWork, day: date) -> ColumnElement[date]:
    """The closing date as an SQL date value (typed, so that PostgreSQL subtracts dates)."""
    if uow.conn.dialect.name == "postgresql":
        return cast(literal(day, Date), Date)
    return literal(day, Date)


def _big(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger)


def _half_up(
    numerator: ColumnElement[int], times: ColumnElement[int], divisor: ColumnElement[int]
) -> ColumnElement[int]:
    """round half up(numerator × times ÷ divisor) for non-negative integers, in SQL: (2·x·n + d) div (2·d)."""
    return (_big(2) * numerator * times + divisor) // (_big(2) * divisor)


def _in_chunk(lo: int, hi: int) -> ColumnElement[bool]:
    return and_(_loans.c.id > lo, _loans.c.id <= hi)


def _sum_by_branch(uow: UnitOfWork, delta: ColumnElement[int], *where: ColumnElement[bool]) -> Deltas:
    """Σ `delta` per (branch, currency) over the loans matching `where`."""
    rows = uow.conn.execute(
        select(_loans.c.branch_code, _loans.c.currency, func.sum(delta))
        .where(*where)
        .group_by(_loans.c.branch_code, _loans.c.currency)
    )
    return {(branch, currency): int(total or 0) for branch, currency, total in rows}


def book_by_branch(
    uow: UnitOfWork,
    deltas: Mapping[tuple[str, str], int],
    *,
    debit_gl: str,
    credit_gl: str,
    kind: str,
    memo: str,
) -> int:
    """Post one entry for a chunk: per (branch, currency) Dr `debit_gl` / Cr `credit_gl` for a positive delta
    (minor units), the other way round for a negative one; zeros are left out and an entry with nothing in it
    is not posted. Returns the number of entries posted (0 or 1)."""
    legs: list[Leg] = []
    for (branch, currency), delta in sorted(deltas.items()):
        if not delta:
            continue
        amount = Money.from_minor(abs(delta), currency)
        dr, cr = (debit_gl, credit_gl) if delta > 0 else (credit_gl, debit_gl)
        legs.append(Leg.debit(dr, branch, amount, narrative=memo))
        legs.append(Leg.credit(cr, branch, amount, narrative=memo))
    if not legs:
        return 0
    ledger.post(uow, EntryDraft(kind, tuple(legs), memo=memo), by=EOD_BY, channel="system")
    return 1


def highest_loan_id(uow: UnitOfWork, day: date) -> int:
    """The highest loan id (0 when there is no loan): the upper bound of the chunked loan steps."""
    return int(uow.conn.execute(select(func.max(_loans.c.id))).scalar() or 0)


def _load(uow: UnitOfWork, ids: list[int]) -> Iterable[list[Loan]]:
    """The loans of `ids` in batches, each batch dropped from the session once its changes are written."""
    for start in range(0, len(ids), _LOAD_BATCH):
        part = ids[start : start + _LOAD_BATCH]
        batch = list(uow.session.execute(select(Loan).where(Loan.id.in_(part)).order_by(Loan.id)).scalars())
        yield batch
        uow.session.flush()
        uow.session.expunge_all()


# ---------------------------------------------------------------------------------------------------- 1. reprice


def reprice_loan(uow: UnitOfWork, loan: Loan, day: date) -> bool:
    """Reprice a floating-rate loan on `day` (the business date being closed): base rate in force + the
    loan's spread (never below zero), the penalty rate with it, a new schedule version from `day` for the
    rest of the loan when the rate changed (`servicing.reschedule`), and the next repricing date. Returns
    whether the rate changed."""
    product = products.loan_product(uow, loan.product_code)
    base_code = loan.base_rate_code or product.base_rate
    if base_code is None:
        raise InvalidRequest(f"floating-rate loan {loan.loan_number} names no base rate")
    spread = Decimal(loan.spread if loan.spread is not None else product.spread or "0")
    rate = max(products.base_rate_on(uow, base_code, day) + spread, Decimal(0))
    changed = rate != Decimal(loan.annual_rate)
    if changed:
        new_rate = str(rate)
        # Only principal not yet due is rescheduled: what is overdue stays overdue at its installments.
        not_due = engine.outstanding_principal(uow, loan) - loan.overdue_principal
        if loan.next_due_date is not None and not_due > 0:
            servicing.reschedule(uow, loan, reason="repricing", new_rate=new_rate, by=EOD_BY)
        loan.annual_rate = new_rate
        loan.penalty_rate_e8 = engine.penalty_rate_e8(new_rate, loan.penalty_markup)
    loan.next_reprice_date = rules.next_reprice_date(loan.next_reprice_date, day, product.reprice)
    return changed


def _reprice_due(loan: Loan, day: date) -> bool:
    return (
        loan.status == "active"
        and loan.rate_type == "floating"
        and loan.next_reprice_date is not None
        and loan.next_reprice_date <= day
    )


def reprice_loans(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.reprice`: floating-rate loans whose repricing date has come. A loan whose installment
    falls due today is repriced by `loans.due` right after its period rolls, so the new rate starts with a
    whole period."""
    ids = list(
        uow.conn.execute(
            select(_loans.c.id).where(
                _in_chunk(lo, hi),
                _loans.c.status == "active",
                _loans.c.rate_type == "floating",
                _loans.c.next_reprice_date <= day,
                or_(_loans.c.next_due_date.is_(None), _loans.c.next_due_date > day),
            )
        ).scalars()
    )
    changed = 0
    for batch in _load(uow, ids):
        changed += sum(reprice_loan(uow, loan, day) for loan in batch)
    if ids:
        log.info("loans %s..%s repriced on %s: %d loans, %d at a new rate", lo, hi, day, len(ids), changed)
    return len(ids)


# ---------------------------------------------------------------------------------------------------- 2. due


def collect_due(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.due`: for each loan whose installment falls due today (or before), auto-debit the
    linked account for what is overdue and the installment (自动扣款, partial when short), then roll the
    period (`engine.fall_due`), booking the closed period's interest not yet accrued (Dr 1132 / Cr 6011, one
    entry per chunk); for each other loan with something overdue and money in its linked account, auto-debit
    the overdue parts. One auto-debit per loan per day: a loan that has one booked today is not debited again.
    The simple due loans go set-based first (`jobs_due.collect_simple`, one auto-debit entry for all of them)."""
    la = ledger.subledger_table()
    due_today = and_(_loans.c.next_due_date.is_not(None), _loans.c.next_due_date <= day)
    overdue = (
        _loans.c.overdue_principal
        + _loans.c.overdue_interest
        + _loans.c.penalty_accrued
        - _loans.c.penalty_paid
    ) > 0
    debited_today = (
        select(_repayments.c.loan_id)
        .where(
            _repayments.c.loan_id > lo,
            _repayments.c.loan_id <= hi,
            _repayments.c.kind == "auto_debit",
            _repayments.c.booked_on == day,
        )
        .distinct()
    )
    can_pay = exists().where(
        la.c.id == _loans.c.repay_account_id,
        la.c.allow_decrease,
        la.c.balance - la.c.held - la.c.floor > 0,
    )
    # Due today through ix_loans_status_due; overdue ones with money to take by the chunk's key range.
    candidates = (
        select(_loans.c.id)
        .where(_loans.c.status == "active", due_today, _in_chunk(lo, hi))
        .union_all(
            select(_loans.c.id).where(
                _in_chunk(lo, hi),
                _loans.c.status == "active",
                or_(_loans.c.next_due_date.is_(None), _loans.c.next_due_date > day),
                overdue,
                can_pay,
                _loans.c.id.not_in(debited_today),
            )
        )
        .order_by(_loans.c.id)
    )
    ids = list(uow.conn.execute(candidates).scalars())
    if not ids:
        return 0
    gaps: Deltas = defaultdict(int)
    # The common case (paid in full from an account of its own, a next period to roll to) set-based; the
    # engine takes the rest one by one, as before.
    simple = jobs_due.collect_simple(uow, day, lo, hi, gaps, by=EOD_BY)
    collected = rolled = len(simple)
    rest = [i for i in ids if i not in simple]
    debited = set(uow.conn.execute(debited_today).scalars()) if rest else set()
    for batch in _load(uow, rest):
        for loan in batch:
            due = loan.next_due_date is not None and loan.next_due_date <= day
            if loan.id not in debited:
                split = engine.collect_from_account(uow, loan, day, by=EOD_BY, include_current=due)
                collected += split is not None
            while loan.status == "active" and loan.next_due_date is not None and loan.next_due_date <= day:
                gaps[(loan.branch_code, loan.currency)] += engine.fall_due(uow, loan, day)
                rolled += 1
            if due and _reprice_due(loan, day):
                reprice_loan(uow, loan, day)
    book_by_branch(
        uow,
        gaps,
        debit_gl=chart.INTEREST_RECEIVABLE,
        credit_gl=chart.INTEREST_INCOME,
        kind="loan_interest_accrual",
        memo=f"loan interest of periods due {day}",
    )
    log.info(
        "loans %s..%s due on %s: %d loans, %d auto-debits, %d periods rolled",
        lo,
        hi,
        day,
        len(ids),
        collected,
        rolled,
    )
    return len(ids)


# ---------------------------------------------------------------------------------------------------- 3. accrue


def accrual_sql(uow: UnitOfWork, day: date) -> ColumnElement[int]:
    """The interest accrued of the current period at the close of `day`, as SQL over `loans` (see `Loan`):
    accrual_base + round half up((period_interest − accrual_base) × min(day − period_start + 1, P) ÷ P),
    P = next_due_date − period_start in days."""
    c = _loans.c
    period = days_between(uow, c.next_due_date, c.period_start)
    elapsed = days_between(uow, _day(uow, day), c.period_start) + 1
    days = case((elapsed > period, period), (elapsed < 0, 0), else_=elapsed)
    rest = case((c.period_interest > c.accrual_base, c.period_interest - c.accrual_base), else_=0)
    return case((period <= 0, c.period_interest), else_=c.accrual_base + _half_up(rest, days, period))


def accrue_interest(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.accrue`: set each active loan's accrued interest to the figure of `day` and book the
    chunk's difference (Dr 1132 interest receivable / Cr 6011 interest income per branch and currency)."""
    new = accrual_sql(uow, day)
    where = (
        _in_chunk(lo, hi),
        _loans.c.status == "active",
        _loans.c.next_due_date.is_not(None),
        _loans.c.period_start.is_not(None),
        new != _loans.c.accrued_interest,
    )
    deltas = _sum_by_branch(uow, new - _loans.c.accrued_interest, *where)
    if not deltas:
        return 0
    book_by_branch(
        uow,
        deltas,
        debit_gl=chart.INTEREST_RECEIVABLE,
        credit_gl=chart.INTEREST_INCOME,
        kind="loan_interest_accrual",
        memo=f"loan interest accrual {day}",
    )
    done = uow.conn.execute(update(_loans).where(*where).values(accrued_interest=new))
    return int(done.rowcount or 0)


# ---------------------------------------------------------------------------------------------------- 4. penalty


def penalty_sql() -> tuple[ColumnElement[int], ColumnElement[int]]:
    """(new penalty_micros, new penalty_accrued) after one more day: overdue principal × penalty rate ÷ 360, and
    with `compound` overdue interest × the same rate ÷ 360, in millionths of a minor unit (integer division:
    what is below a millionth is dropped); penalty_accrued is the micros rounded half up."""
    c = _loans.c
    rate = c.penalty_rate_e8
    on_principal = c.overdue_principal * rate // _big(_PENALTY_DIVISOR)
    on_interest = case((c.compound, c.overdue_interest * rate // _big(_PENALTY_DIVISOR)), else_=0)
    micros = c.penalty_micros + on_principal + on_interest
    return micros, (micros + _big(MICROS // 2)) // _big(MICROS)


def accrue_penalty(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.penalty`: one day of penalty (罚息) and compound (复利) interest on loans overdue past
    their grace days, once per day (`penalty_through`); book the rounded increase Dr 1132 / Cr 6011."""
    c = _loans.c
    micros, accrued = penalty_sql()
    where = (
        _in_chunk(lo, hi),
        c.status == "active",
        or_(c.overdue_principal > 0, c.overdue_interest > 0),
        c.overdue_since.is_not(None),
        days_between(uow, _day(uow, day), c.overdue_since) > c.grace_days,
        or_(c.penalty_through.is_(None), c.penalty_through < day),
    )
    deltas = _sum_by_branch(uow, accrued - c.penalty_accrued, *where)
    if not deltas:
        return 0
    book_by_branch(
        uow,
        deltas,
        debit_gl=chart.INTEREST_RECEIVABLE,
        credit_gl=chart.INTEREST_INCOME,
        kind="loan_penalty_accrual",
        memo=f"loan penalty interest {day}",
    )
    done = uow.conn.execute(
        update(_loans)
        .where(*where)
        .values(penalty_micros=micros, penalty_accrued=accrued, penalty_through=day)
    )
    return int(done.rowcount or 0)


# ---------------------------------------------------------------------------------------------------- 5. classify


def _rank(column: ColumnElement[str]) -> ColumnElement[int]:
    """A class's rank, worst highest (normal 0 … loss 4)."""
    return case(*((column == name, i) for i, name in enumerate(rules.CLASSIFICATIONS)), else_=0)


def classify_loans(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.classify`: days past due (0 when nothing is overdue), the five-tier floor by
    `rules.DEFAULT_BANDS` (五级分类), the class (the worse of the floor and a credit officer's), and a history
    row for every loan whose class changed."""
    c = _loans.c
    dpd = case(
        (c.overdue_since.is_(None), 0),
        else_=days_between(uow, _day(uow, day), c.overdue_since),
    )
    bands = sorted(rules.DEFAULT_BANDS, reverse=True)
    floor = case(*((dpd >= first, literal(name, String)) for first, name in bands[:-1]), else_=bands[-1][1])
    worse = case(
        (and_(c.officer_classification.is_not(None), _rank(c.officer_classification) > _rank(floor)),
         c.officer_classification),
        else_=floor,
    )  # fmt: skip
    in_book = (_in_chunk(lo, hi), c.status == "active")
    moved = uow.conn.execute(
        insert(_history).from_select(
            ["loan_id", "from_class", "to_class", "days_past_due", "reason", "changed_on", "changed_by"],
            select(
                c.id,
                c.classification,
                worse,
                dpd,
                literal("days past due ", String) + cast(dpd, String),
                literal(day, Date),
                literal(EOD_BY, String),
            ).where(*in_book, worse != c.classification),
        )
    )
    done = uow.conn.execute(
        update(_loans)
        .where(
            *in_book,
            or_(dpd != c.days_past_due, floor != c.classification_floor, worse != c.classification),
        )
        .values(days_past_due=dpd, classification_floor=floor, classification=worse)
    )
    if moved.rowcount:
        log.info("loans %s..%s classified on %s: %d changed class", lo, hi, day, moved.rowcount)
    return int(done.rowcount or 0)


# ---------------------------------------------------------------------------------------------------- 6. provision


def provision_rates(text: str) -> dict[str, int]:
    """The setting `loan_provision_rates` ("normal=0.01,special_mention=0.02,...") as parts per million of the
    principal per class. Every class must have a rate from 0 to 1 with at most 6 decimals."""
    rates: dict[str, int] = {}
    for pair in text.split(","):
        name, _, value = pair.strip().partition("=")
        name = name.strip()
        if name not in rules.CLASSIFICATIONS:
            raise InvalidRequest(f"loan_provision_rates: {name!r} is not a loan classification")
        try:
            rate = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidRequest(f"loan_provision_rates: {value!r} is not a fraction") from None
        ppm = rate * _PPM
        if not rate.is_finite() or not 0 <= rate <= 1 or ppm != ppm.to_integral_value():
            raise InvalidRequest(
                f"loan_provision_rates: {name}={value} must be 0 to 1 with at most 6 decimals"
            )
        rates[name] = int(ppm)
    missing = [name for name in rules.CLASSIFICATIONS if name not in rates]
    if missing:
        raise InvalidRequest(f"loan_provision_rates: no rate for {', '.join(missing)}")
    return rates


def provision_sql(balance: ColumnElement[int], rates: Mapping[str, int]) -> ColumnElement[int]:
    """The provision a loan should hold: round half up(principal balance × its class's rate); 0 for a loan
    that is not active (closed, written off, not yet disbursed) or holds no principal."""
    c = _loans.c
    ppm = case(*((c.classification == name, _big(v)) for name, v in rates.items()), else_=_big(rates["loss"]))
    return case(
        (and_(c.status == "active", balance > 0), _half_up(balance, ppm, _big(_PPM))),
        else_=0,
    )


def provision_loans(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """Chunk of `loans.provision`: bring each loan's loan-loss provision (贷款损失准备) to its target and book the
    chunk's net change per branch and currency: an increase Dr 6701 impairment loss / Cr 1304 provision, a
    release the other way round."""
    la = ledger.subledger_table()
    c = _loans.c
    target = provision_sql(la.c.balance, provision_rates(str(uow.settings.loan_provision_rates)))
    where = (
        la.c.id == c.id,
        _in_chunk(lo, hi),
        la.c.id > lo,  # the range on both sides: a merge join of two key ranges on PostgreSQL
        la.c.id <= hi,
        or_(c.status == "active", c.provision != 0),
        target != c.provision,
    )
    deltas = _sum_by_branch(uow, target - c.provision, *where)
    if not deltas:
        return 0
    book_by_branch(
        uow,
        deltas,
        debit_gl=chart.IMPAIRMENT_LOSS,
        credit_gl=chart.LOAN_LOSS_PROVISION,
        kind="loan_provision",
        memo=f"loan loss provision {day}",
    )
    done = uow.conn.execute(update(_loans).where(*where).values(provision=target))
    return int(done.rowcount or 0)


# ---------------------------------------------------------------------------------------------------- 7. promises


def check_promises(uow: UnitOfWork, day: date) -> int:
    """`loans.promises`: each open promise to pay (还款承诺) whose date has passed is kept when the loan's
    repayments booked from the day it was made to the promised date add up to the amount, else broken."""
    a, r = _actions.c, _repayments.c
    paid = (
        select(func.coalesce(func.sum(r.amount), 0))
        .where(r.loan_id == a.loan_id, r.booked_on >= a.created_on, r.booked_on <= a.promise_date)
        .scalar_subquery()
    )
    open_past = (a.action == "promise", a.promise_status == "open", a.promise_date < day)
    kept = uow.conn.execute(
        update(_actions)
        .where(*open_past, paid >= func.coalesce(a.promise_amount, 0))
        .values(promise_status="kept")
    )
    broken = uow.conn.execute(update(_actions).where(*open_past).values(promise_status="broken"))
    if kept.rowcount or broken.rowcount:
        log.info("promises to pay on %s: %d kept, %d broken", day, kept.rowcount, broken.rowcount)
    return int((kept.rowcount or 0) + (broken.rowcount or 0))


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep(
        "loans.reprice", "Reprice floating-rate loans", chunk=reprice_loans, upper_bound=highest_loan_id
    ),
    BatchStep(
        "loans.due",
        "Collect installments due and overdue amounts",
        chunk=collect_due,
        upper_bound=highest_loan_id,
    ),
    BatchStep("loans.accrue", "Accrue loan interest", chunk=accrue_interest, upper_bound=highest_loan_id),
    BatchStep(
        "loans.penalty",
        "Accrue penalty and compound interest",
        chunk=accrue_penalty,
        upper_bound=highest_loan_id,
    ),
    BatchStep(
        "loans.classify", "Classify loans by days past due", chunk=classify_loans, upper_bound=highest_loan_id
    ),
    BatchStep(
        "loans.provision", "Provision for loan losses", chunk=provision_loans, upper_bound=highest_loan_id
    ),
    BatchStep("loans.promises", "Mark promises to pay kept or broken", run=check_promises),
)
