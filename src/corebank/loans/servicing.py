"""Servicing a loan: disbursement (whole or in tranches), repayment at the counter, prepayment (full, or
partial shortening the term or lowering the installment), rescheduling (repricing), and reading loans.

Each money movement takes an Idempotency-Key: a retry returns the first answer and posts nothing twice.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select, update

from corebank import accounts, customers, ledger, products, tellers
from corebank.db import idempotency
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.loans import engine, rules
from corebank.loans.applications import borrower_account
from corebank.loans.errors import (
    DisbursementExceedsContract,
    InvalidPrepayment,
    LoanClosed,
    LoanStatusConflict,
    NothingDue,
    OverdueFirst,
    RepaymentExceedsDue,
)
from corebank.loans.models import Loan, LoanDisbursement, LoanInstallment, LoanRepayment, LoanSchedule
from corebank.loans.schemas import (
    Disbursement,
    DisbursementRead,
    LoanPage,
    LoanRead,
    PrepaymentRequest,
    RepaymentRead,
    RepaymentRequest,
    ScheduleRead,
)
from corebank.loans.store import find_loan, loan_read, schedule_read
from corebank.security import Actor, P


def _positive(field: str, text: str, currency: str) -> int:
    minor = Money.of(text, currency).to_minor()
    if minor <= 0:
        raise InvalidRequest(f"{field}: must be above zero, got {text!r}")
    return minor


def _servicing(loan: Loan) -> None:
    if loan.status in ("closed", "written_off"):
        raise LoanClosed(f"loan {loan.loan_number} is {loan.status.replace('_', ' ')}")
    if loan.status != "active":
        raise LoanStatusConflict(f"loan {loan.loan_number} is {loan.status}: disburse it first")


# ---------------------------------------------------------------------------------------------------- periods


def cut_period(loan: Loan, current: LoanInstallment | None) -> int:
    """The interest of the current period accrued through yesterday (the day of a change is the new period's
    first day) less what was paid of the installment ahead of its date: negative when the borrower paid more
    interest ahead than has accrued (that is then owed back to them)."""
    paid_early = current.paid_interest if current is not None else 0
    return loan.accrued_interest - paid_early


def recognise(uow: UnitOfWork, loan: Loan, amount: int, *, by: str, memo: str) -> None:
    """Take `amount` of interest paid ahead as income now (Dr 1132 / Cr 6011), when it can be credited to
    nothing else."""
    if amount <= 0:
        return
    m = Money.from_minor(amount, loan.currency)
    ledger.post(
        uow,
        EntryDraft(
            "loan_interest_accrual",
            (
                Leg.debit(chart.INTEREST_RECEIVABLE, loan.branch_code, m),
                Leg.credit(chart.INTEREST_INCOME, loan.branch_code, m),
            ),
            memo=f"loan {loan.loan_number} {memo}",
            reference=loan.loan_number,
        ),
        by=by,
        channel="system",
    )


def reschedule(
    uow: UnitOfWork,
    loan: Loan,
    *,
    reason: str,
    by: str,
    new_rate: str | None = None,
    periods: int | None = None,
    first_due: date | None = None,
) -> LoanSchedule:
    """A new schedule version for the outstanding principal from today: at `new_rate` (repricing), over
    `periods` monthly periods from `first_due` (restructuring), by default the rest of the current grid. The
    interest accrued so far in the cut period is carried into the first new installment. Principal already
    overdue is not part of it (it stays owed at its installments)."""
    day = uow.business_date
    carried = cut_period(loan, engine.current_installment(uow, loan))
    # What is overdue stays overdue at its installments: only principal not yet due is scheduled again.
    principal = engine.outstanding_principal(uow, loan) - loan.overdue_principal
    rate = new_rate or loan.annual_rate
    due = first_due or loan.next_due_date or rules.add_months(day, 1)
    n = periods or max(engine.periods_left(loan), 1)
    full_start = loan.period_start if first_due is None and loan.period_start else day
    lines = _lines(loan, principal, rate, n, due, start=day, full_start=full_start)
    if carried < 0:
        # Interest paid ahead counts toward the first new installment's interest; any rest is income now.
        credited = max(carried, -lines[0].interest)
        recognise(uow, loan, credited - carried, by=by, memo="interest paid ahead, recognised")
        carried = credited
    if new_rate is not None and new_rate != loan.annual_rate:
        loan.penalty_rate_e8 = engine.penalty_rate_e8(new_rate, loan.penalty_markup)
    return engine.store_schedule(
        uow,
        loan,
        lines,
        reason=reason,
        by=by,
        period_start=day,
        annual_rate=rate,
        carried_interest=carried,
    )


def _lines(
    loan: Loan, principal: int, rate: str, n: int, first_due: date, *, start: date, full_start: date
) -> list[rules.ScheduleLine]:
    """The lines of a new schedule. A bullet loan has one line at maturity; restarted mid-term, its interest is
    the whole-term figure on the new principal cut to the days left."""
    if loan.method == "bullet" and start != full_start:
        maturity = rules.add_months(first_due, n - 1)
        months = max((maturity.year - full_start.year) * 12 + maturity.month - full_start.month, 1)
        whole = rules.bullet_interest(principal, Decimal(rate), months)
        interest = engine.prorated(whole, (maturity - start).days, max((maturity - full_start).days, 1))
        return [rules.ScheduleLine(months, maturity, principal, principal + interest, principal, interest, 0)]
    return engine.build_lines(
        principal, rate, n, loan.method, first_due, start=start, full_period_start=full_start
    )


# ---------------------------------------------------------------------------------------------------- disburse


def disburse(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Disbursement, idempotency_key: str | None
) -> DisbursementRead:
    """Disburse the loan (放款) into the borrower's account: Dr the loan's account under 1301, Cr the deposit
    account. The first disbursement makes the schedule; a later tranche remakes it on the larger principal."""
    actor.require(P.LOAN_OPERATE)

    def work() -> dict[str, Any]:
        return _disburse(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.disburse:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return DisbursementRead(**stored)


def _disburse(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: Disbursement) -> DisbursementRead:
    loan = find_loan(uow, actor, loan_number)
    if loan.status in ("closed", "written_off"):
        raise LoanClosed(f"loan {loan_number} is {loan.status}")
    remaining = loan.contract_amount - loan.disbursed_amount
    amount = _positive("amount", cmd.amount, loan.currency) if cmd.amount else remaining
    if amount > remaining or remaining <= 0:
        raise DisbursementExceedsContract(
            f"loan {loan_number} has {minor_to_text(remaining, loan.currency)} left to disburse of "
            f"{minor_to_text(loan.contract_amount, loan.currency)}"
        )
    acc = borrower_account(uow, cmd.to_account or loan.repay_account_number, loan.customer_id, loan.currency)
    day = uow.business_date
    m = Money.from_minor(amount, loan.currency)
    entry = ledger.post(
        uow,
        EntryDraft(
            "loan_disbursement",
            (
                Leg.debit(chart.LOANS, loan.branch_code, m, loan.id, f"loan {loan_number}"),
                Leg.credit(acc.gl_code, acc.branch_code, m, acc.id, f"loan {loan_number} disbursed"),
            ),
            memo=f"loan {loan_number} disbursement",
            reference=loan_number,
        ),
        by=actor.username,
        channel=actor.channel,
    )
    first = loan.status == "contracted"
    if first:
        loan.status = "active"
        loan.first_disbursed_on = day
        first_due = rules.add_months(day, 1)
        lines = _lines(loan, amount, loan.annual_rate, loan.term_months, first_due, start=day, full_start=day)
        engine.store_schedule(
            uow,
            loan,
            lines,
            reason="disbursement",
            by=actor.username,
            period_start=day,
            annual_rate=loan.annual_rate,
        )
        if loan.rate_type == "floating":
            reprice = products.loan_product(uow, loan.product_code).reprice
            loan.next_reprice_date = rules.next_reprice_date(day, day, reprice)
    else:
        reschedule(uow, loan, reason="tranche", by=actor.username)
    loan.disbursed_amount += amount
    uow.session.add(
        LoanDisbursement(
            loan_id=loan.id,
            amount=amount,
            account_number=acc.number,
            entry_id=entry.id,
            disbursed_on=day,
            disbursed_by=actor.username,
        )
    )
    uow.session.flush()
    uow.audit(
        actor,
        "loan.disburse",
        "loan",
        loan_number,
        amount=m.text(),
        to_account=acc.number,
        tranche=not first,
    )
    uow.publish(Event("LoanDisbursed", "loan", loan_number, {"amount": m.text(), "to_account": acc.number}))
    return DisbursementRead(
        loan_number=loan_number,
        amount=m.text(),
        to_account=acc.number,
        entry_id=entry.id,
        disbursed_amount=minor_to_text(loan.disbursed_amount, loan.currency),
        outstanding_principal=minor_to_text(engine.outstanding_principal(uow, loan), loan.currency),
        schedule_version=loan.schedule_version,
        status=loan.status,
    )


# ---------------------------------------------------------------------------------------------------- repay


def payment_source(
    uow: UnitOfWork, actor: Actor, loan: Loan, from_account: str | None, cash: bool
) -> engine.Source:
    if cash == bool(from_account):
        raise InvalidRequest("say where the money comes from: from_account, or cash: true (not both)")
    if from_account:
        acc = accounts.load_for_posting(uow, [from_account])[from_account]
        if acc.customer_id != loan.customer_id:
            raise InvalidRequest(f"account {from_account} is not the borrower's")
        accounts.check_can_debit(acc)
        return engine.account_source(acc)
    actor.require(P.CASH_OPERATE)
    till = tellers.current_till(uow, actor.username, loan.currency)
    return engine.Source(chart.TELLER_CASH, till.branch_code, till.ledger_account_id, "cash")


def _repayment_read(uow: UnitOfWork, loan: Loan, row: LoanRepayment) -> RepaymentRead:
    cur = loan.currency

    def text(minor: int) -> str:
        return minor_to_text(minor, cur)

    return RepaymentRead(
        loan_number=loan.loan_number,
        kind=row.kind,
        amount=text(row.amount),
        penalty=text(row.penalty),
        interest=text(row.interest),
        principal=text(row.principal),
        fee=text(row.fee),
        entry_id=row.entry_id,
        booked_on=row.booked_on,
        outstanding_principal=text(engine.outstanding_principal(uow, loan)),
        status=loan.status,
        next_due_date=loan.next_due_date,
        schedule_version=loan.schedule_version,
    )


def repay(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: RepaymentRequest, idempotency_key: str | None
) -> RepaymentRead:
    """Repay at the counter what is due: penalty, overdue interest, overdue principal, then the installment
    due next (paying it before its date is allowed). More than is due is refused: that is a prepayment."""
    actor.require(P.LOAN_OPERATE)

    def work() -> dict[str, Any]:
        return _repay(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.repay:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return RepaymentRead(**stored)


def _repay(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: RepaymentRequest) -> RepaymentRead:
    loan = find_loan(uow, actor, loan_number)
    _servicing(loan)
    amount = _positive("amount", cmd.amount, loan.currency)
    current = engine.current_installment(uow, loan)
    due = engine.owed(loan, current)
    if due.total <= 0:
        raise NothingDue(f"nothing is due on loan {loan_number} now; prepay to repay early")
    if amount > due.total:
        raise RepaymentExceedsDue(
            f"{minor_to_text(amount, loan.currency)} is more than the {minor_to_text(due.total, loan.currency)} "
            f"due on loan {loan_number}; prepay the rest"
        )
    source = payment_source(uow, actor, loan, cmd.from_account, cmd.cash)
    split = engine.allocate(amount, due)
    entry = engine.book(
        uow,
        loan,
        split,
        source,
        kind="loan_repayment",
        by=actor.username,
        channel=actor.channel,
        memo=f"loan {loan_number} repayment",
    )
    engine.apply(uow, loan, split, current, uow.business_date)
    row = engine.record(
        uow,
        loan,
        split,
        kind="counter",
        entry_id=entry.id,
        account_number=source.label,
        by=actor.username,
    )
    uow.session.flush()
    uow.audit(
        actor,
        "loan.repay",
        "loan",
        loan_number,
        amount=minor_to_text(amount, loan.currency),
        penalty=split.penalty,
        interest=split.interest,
        principal=split.principal,
        source=source.label,
    )
    uow.publish(Event("LoanRepaid", "loan", loan_number, {"amount": minor_to_text(amount, loan.currency)}))
    return _repayment_read(uow, loan, row)


def prepay(
    uow: UnitOfWork, actor: Actor, loan_number: str, cmd: PrepaymentRequest, idempotency_key: str | None
) -> RepaymentRead:
    """Repay early (提前还款): the interest accrued to yesterday, the principal, and the product's prepayment fee
    on the principal prepaid. Full: the loan closes. Partial: a new schedule from today, shorter
    (shorten_term) or with a lower installment (lower_installment). Anything overdue must be repaid first."""
    actor.require(P.LOAN_OPERATE)

    def work() -> dict[str, Any]:
        return _prepay(uow, actor, loan_number, cmd).model_dump(mode="json")

    stored = idempotency.once(uow, f"loan.prepay:{loan_number}", idempotency_key, cmd.model_dump(), work)
    return RepaymentRead(**stored)


def _fee(loan: Loan, principal: int) -> int:
    rate = Decimal(loan.prepayment_fee_rate or "0")
    return int((Decimal(principal) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _prepay(uow: UnitOfWork, actor: Actor, loan_number: str, cmd: PrepaymentRequest) -> RepaymentRead:
    loan = find_loan(uow, actor, loan_number)
    _servicing(loan)
    if cmd.mode not in ("shorten_term", "lower_installment"):
        raise InvalidPrepayment(f"mode: {cmd.mode!r} is not shorten_term or lower_installment")
    if cmd.full == bool(cmd.amount):
        raise InvalidPrepayment("say how much: full: true, or the amount of principal to prepay (not both)")
    current = engine.current_installment(uow, loan)
    if engine.owed(loan, current).overdue > 0:
        raise OverdueFirst(f"loan {loan_number} has overdue amounts; repay them before prepaying")
    outstanding = engine.outstanding_principal(uow, loan)
    principal = outstanding if cmd.full else _positive("amount", cmd.amount or "", loan.currency)
    if principal > outstanding:
        raise InvalidPrepayment(
            f"amount: {minor_to_text(principal, loan.currency)} is more than the outstanding "
            f"{minor_to_text(outstanding, loan.currency)}; prepay in full instead"
        )
    full = principal == outstanding
    source = payment_source(uow, actor, loan, cmd.from_account, cmd.cash)
    old_regular = _regular_payment(loan, outstanding)
    interest = cut_period(loan, current)
    fee = _fee(loan, principal)
    # Interest paid ahead of its date beyond what has accrued is credited against this payment.
    refund = min(max(-interest, 0), principal + fee)
    recognise(
        uow, loan, max(-interest, 0) - refund, by=actor.username, memo="interest paid ahead, recognised"
    )
    split = engine.Split(
        current_interest=max(interest, 0), current_principal=principal, fee=fee, interest_refund=refund
    )
    entry = engine.book(
        uow,
        loan,
        split,
        source,
        kind="loan_prepayment",
        by=actor.username,
        channel=actor.channel,
        memo=f"loan {loan_number} prepayment",
    )
    day = uow.business_date
    if full:
        _supersede_pending(uow, loan)
        loan.accrued_interest = 0
        loan.accrual_base = 0
        loan.status = "active"
        engine.close_if_repaid(uow, loan, day)
    else:
        left = outstanding - principal
        n = _periods_after_prepayment(loan, left, old_regular, cmd.mode)
        due = loan.next_due_date or rules.add_months(day, 1)
        full_start = loan.period_start or day
        lines = _lines(loan, left, loan.annual_rate, n, due, start=day, full_start=full_start)
        engine.store_schedule(
            uow,
            loan,
            lines,
            reason="prepayment",
            by=actor.username,
            period_start=day,
            annual_rate=loan.annual_rate,
        )
    row = engine.record(
        uow,
        loan,
        split,
        kind="prepayment",
        entry_id=entry.id,
        account_number=source.label,
        by=actor.username,
    )
    uow.session.flush()
    uow.audit(
        actor,
        "loan.prepay",
        "loan",
        loan_number,
        principal=minor_to_text(principal, loan.currency),
        interest=minor_to_text(interest, loan.currency),
        fee=minor_to_text(split.fee, loan.currency),
        full=full,
        mode=cmd.mode,
    )
    uow.publish(Event("LoanPrepaid", "loan", loan_number, {"full": full}))
    return _repayment_read(uow, loan, row)


def _supersede_pending(uow: UnitOfWork, loan: Loan) -> None:
    uow.session.execute(
        update(LoanInstallment)
        .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status.in_(("pending", "paid")))
        .where(LoanInstallment.due_date >= uow.business_date)
        .values(status="superseded")
    )
    uow.session.execute(
        update(LoanSchedule)
        .where(LoanSchedule.loan_id == loan.id, LoanSchedule.status == "current")
        .values(status="superseded")
    )


def _regular_payment(loan: Loan, outstanding: int) -> int:
    """The installment (equal installment) or principal part (equal principal) the loan pays now."""
    n = max(engine.periods_left(loan), 1)
    if loan.method == "equal_installment":
        return rules.installment(outstanding, Decimal(loan.annual_rate), n)
    if loan.method == "equal_principal":
        return max((outstanding + n // 2) // n, 1)
    return 0


def _periods_after_prepayment(loan: Loan, left: int, regular: int, mode: str) -> int:
    n = max(engine.periods_left(loan), 1)
    if mode == "lower_installment" or loan.method in ("interest_only", "bullet") or regular <= 0:
        return n
    if loan.method == "equal_principal":
        return max(min(math.ceil(left / regular), n), 1)
    rate = Decimal(loan.annual_rate)
    for k in range(1, n + 1):  # the shortest term whose installment is no more than before
        if rules.installment(left, rate, k) <= regular:
            return k
    return n


# ---------------------------------------------------------------------------------------------------- read


def get_loan(uow: UnitOfWork, actor: Actor, loan_number: str) -> LoanRead:
    actor.require(P.LOAN_READ)
    return loan_read(uow, find_loan(uow, actor, loan_number))


def get_schedule(uow: UnitOfWork, actor: Actor, loan_number: str, version: int | None = None) -> ScheduleRead:
    actor.require(P.LOAN_READ)
    return schedule_read(uow, find_loan(uow, actor, loan_number), version)


def list_loans(
    uow: UnitOfWork,
    actor: Actor,
    *,
    customer_number: str | None = None,
    status: str | None = None,
    classification: str | None = None,
    overdue: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> LoanPage:
    """Loans in the actor's branches by id, filtered; `overdue=true` with the worst first is the collections
    view. Follow next_cursor."""
    actor.require(P.LOAN_READ)
    q = select(Loan)
    if customer_number:
        q = q.where(Loan.customer_id == customers.customer_ref(uow, customer_number, must_be_active=False).id)
    if status:
        q = q.where(Loan.status == status)
    if classification:
        q = q.where(Loan.classification == classification)
    if overdue:
        q = q.where(Loan.overdue_since.is_not(None))
    if actor.branches is not None:
        q = q.where(Loan.branch_code.in_(actor.branches))
    if cursor:
        if not cursor.isdigit():
            raise InvalidRequest("cursor is not one this API gave out")
        q = q.where(Loan.id > int(cursor))
    limit = max(1, min(limit, 200))
    rows = list(uow.session.execute(q.order_by(Loan.id).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return LoanPage(
        items=[loan_read(uow, r) for r in rows], next_cursor=str(rows[-1].id) if more and rows else None
    )


def repayments_of(uow: UnitOfWork, actor: Actor, loan_number: str) -> list[RepaymentRead]:
    """Every repayment of the loan, oldest first."""
    actor.require(P.LOAN_READ)
    loan = find_loan(uow, actor, loan_number)
    rows = uow.session.execute(
        select(LoanRepayment).where(LoanRepayment.loan_id == loan.id).order_by(LoanRepayment.id)
    ).scalars()
    return [_repayment_read(uow, loan, r) for r in rows]
