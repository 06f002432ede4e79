"""The loan engine: what a loan owes, how money received is split and booked, and how schedules are stored.

No actor here: the use cases (counter repayment, prepayment, disbursement) and end of day call these after
their own checks. Postings:
- principal repaid: Cr the loan's own account under GL 1301 (its balance is the outstanding principal);
- interest and penalty interest repaid: Cr interest receivable 1132, which end of day accrues (Dr 1132, Cr 6011);
- a prepayment fee: Cr fee income 6021.
GL 1132 therefore holds, for each loan, accrued_interest − what was paid early of the current installment's
interest + overdue interest + penalty accrued − penalty paid (`receivable`, checked by the tests).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update

from corebank import accounts, ledger
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.loans import rules
from corebank.loans.models import Loan, LoanInstallment, LoanRepayment, LoanSchedule

MICROS = 1_000_000


def micros_to_minor(micros: int) -> int:
    """Millionths of a minor unit to minor units, half up (accruals are never negative)."""
    return (micros + MICROS // 2) // MICROS


def penalty_rate_e8(annual_rate: str, markup: str) -> int:
    """The annual penalty rate (contract rate × (1 + markup)) as a fraction × 10^8, half up: the integer end of
    day multiplies in SQL (4.90 % with a 50 % markup → 0.0735 → 7_350_000)."""
    value = Decimal(annual_rate) / 100 * (1 + Decimal(markup)) * 10**8
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Owed:
    """What a loan owes now, by part, in the allocation order of DOMAIN.md (minor units)."""

    penalty: int
    overdue_interest: int
    overdue_principal: int
    current_interest: int
    current_principal: int

    @property
    def overdue(self) -> int:
        return self.penalty + self.overdue_interest + self.overdue_principal

    @property
    def total(self) -> int:
        return self.overdue + self.current_interest + self.current_principal


@dataclass(frozen=True, slots=True)
class Split:
    """How a payment was allocated (minor units)."""

    penalty: int = 0
    overdue_interest: int = 0
    overdue_principal: int = 0
    current_interest: int = 0
    current_principal: int = 0
    fee: int = 0
    # Interest paid ahead of its date and owed back to the borrower (a prepayment): it reduces what they pay.
    interest_refund: int = 0

    @property
    def interest(self) -> int:
        return self.overdue_interest + self.current_interest

    @property
    def principal(self) -> int:
        return self.overdue_principal + self.current_principal

    @property
    def total(self) -> int:
        return self.penalty + self.interest + self.principal + self.fee - self.interest_refund


# ---------------------------------------------------------------------------------------------------- reading


def current_installment(uow: UnitOfWork, loan: Loan) -> LoanInstallment | None:
    """The installment of the current schedule due on the loan's next due date (paid early or not)."""
    if loan.next_due_date is None:
        return None
    return uow.session.execute(
        select(LoanInstallment).where(
            LoanInstallment.loan_id == loan.id,
            LoanInstallment.due_date == loan.next_due_date,
            LoanInstallment.status.in_(("pending", "paid")),
        )
    ).scalar_one_or_none()


def overdue_installments(uow: UnitOfWork, loan: Loan) -> list[LoanInstallment]:
    """Installments past their due date with something unpaid, oldest first."""
    return list(
        uow.session.execute(
            select(LoanInstallment)
            .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status == "due")
            .order_by(LoanInstallment.due_date, LoanInstallment.id)
        ).scalars()
    )


def owed(loan: Loan, current: LoanInstallment | None) -> Owed:
    """What the loan owes: penalty, overdue interest and principal, and the current installment's rest."""
    ci = cp = 0
    if current is not None and current.status == "pending":
        ci = current.interest - current.paid_interest
        cp = current.principal - current.paid_principal
    return Owed(
        loan.penalty_accrued - loan.penalty_paid,
        loan.overdue_interest,
        loan.overdue_principal,
        ci,
        cp,
    )


def outstanding_principal(uow: UnitOfWork, loan: Loan) -> int:
    """The principal still owed: the balance of the loan's account in the ledger."""
    return ledger.balances(uow, [loan.id])[loan.id].balance


def receivable(loan: Loan, current: LoanInstallment | None) -> int:
    """What GL 1132 holds for this loan (see the module note)."""
    paid_early = current.paid_interest if current is not None else 0
    return (
        loan.accrued_interest - paid_early + loan.overdue_interest + loan.penalty_accrued - loan.penalty_paid
    )


# ---------------------------------------------------------------------------------------------------- paying


def allocate(amount: int, due: Owed) -> Split:
    """Split `amount` in DOMAIN.md's order (penalty, overdue interest, overdue principal, current interest,
    current principal); never more than is owed."""
    parts, _left = rules.allocate_repayment(
        amount,
        due.penalty,
        due.overdue_interest,
        due.overdue_principal,
        due.current_interest,
        due.current_principal,
    )
    return Split(
        parts["penalty"],
        parts["overdue_interest"],
        parts["overdue_principal"],
        parts["current_interest"],
        parts["current_principal"],
    )


def apply(uow: UnitOfWork, loan: Loan, split: Split, current: LoanInstallment | None, on: date) -> None:
    """Record `split` on the loan and its installments: overdue interest over the oldest installments first,
    then overdue principal likewise, then the current installment."""
    loan.penalty_paid += split.penalty
    interest_left, principal_left = split.overdue_interest, split.overdue_principal
    late = overdue_installments(uow, loan) if interest_left or principal_left else []
    for inst in late:
        take = min(interest_left, inst.interest - inst.paid_interest)
        inst.paid_interest += take
        interest_left -= take
    for inst in late:
        take = min(principal_left, inst.principal - inst.paid_principal)
        inst.paid_principal += take
        principal_left -= take
    for inst in late:
        if inst.paid_interest == inst.interest and inst.paid_principal == inst.principal:
            inst.status = "paid"
            inst.paid_on = on
    loan.overdue_interest -= split.overdue_interest
    loan.overdue_principal -= split.overdue_principal
    if late:
        still = [i for i in late if i.status == "due"]
        loan.overdue_since = still[0].due_date if still else None
    if current is not None and (split.current_interest or split.current_principal):
        current.paid_interest += split.current_interest
        current.paid_principal += split.current_principal
        if current.paid_interest == current.interest and current.paid_principal == current.principal:
            current.status = "paid"
            current.paid_on = on
    if loan.overdue_principal == 0 and loan.overdue_interest == 0:
        loan.overdue_since = None
        if loan.penalty_accrued == loan.penalty_paid:
            loan.days_past_due = 0


@dataclass(frozen=True, slots=True)
class Source:
    """Where a payment comes from: a deposit account (or a till) in the ledger."""

    gl_code: str
    branch_code: str
    account_id: int
    label: str  # an account number, or "cash"


def book(
    uow: UnitOfWork,
    loan: Loan,
    split: Split,
    source: Source,
    *,
    kind: str,
    by: str,
    channel: str,
    memo: str,
    reference: str | None = None,
) -> ledger.PostedEntry:
    """Post a payment of `split` from `source`: Dr the source, Cr the loan's account (principal), Cr 1132
    (interest and penalty), Cr 6021 (fee)."""

    def m(minor: int) -> Money:
        return Money.from_minor(minor, loan.currency)

    legs = []
    if split.total:
        legs.append(Leg.debit(source.gl_code, source.branch_code, m(split.total), source.account_id, memo))
    if split.principal:
        legs.append(Leg.credit(chart.LOANS, loan.branch_code, m(split.principal), loan.id, memo))
    if split.interest + split.penalty:
        legs.append(
            Leg.credit(chart.INTEREST_RECEIVABLE, loan.branch_code, m(split.interest + split.penalty))
        )
    if split.fee:
        legs.append(Leg.credit(chart.FEE_INCOME, loan.branch_code, m(split.fee)))
    if split.interest_refund:
        legs.append(
            Leg.debit(chart.INTEREST_RECEIVABLE, loan.branch_code, m(split.interest_refund), None, memo)
        )
    return ledger.post(
        uow,
        EntryDraft(kind, tuple(legs), memo=memo, reference=reference or loan.loan_number),
        by=by,
        channel=channel,
    )


def record(
    uow: UnitOfWork,
    loan: Loan,
    split: Split,
    *,
    kind: str,
    entry_id: int | None,
    account_number: str | None,
    by: str,
    recovery: int = 0,
) -> LoanRepayment:
    """Keep the repayment in the loan's history."""
    row = LoanRepayment(
        loan_id=loan.id,
        kind=kind,
        amount=split.total + recovery,
        penalty=split.penalty,
        interest=split.interest - split.interest_refund,
        principal=split.principal,
        fee=split.fee,
        recovery=recovery,
        account_number=account_number,
        entry_id=entry_id,
        booked_on=uow.business_date,
        created_by=by,
    )
    uow.session.add(row)
    return row


def account_source(acc: accounts.PostingAccount) -> Source:
    return Source(acc.gl_code, acc.branch_code, acc.id, acc.number)


def collect_from_account(
    uow: UnitOfWork, loan: Loan, on: date, *, by: str, include_current: bool
) -> Split | None:
    """Debit what the linked account can pay toward what is owed (end of day's auto-debit, 自动扣款): overdue
    parts always, the current installment when `include_current` (its due date has come). Partial when funds
    are short; nothing when the account cannot pay out (frozen, closed, dormant, blocked) or is empty."""
    current = current_installment(uow, loan) if include_current else None
    due = owed(loan, current)
    if due.total <= 0:
        return None
    acc = accounts.load_for_posting(uow, [loan.repay_account_number])[loan.repay_account_number]
    try:
        accounts.check_can_debit(acc)
    except CoreBankError:  # frozen, closed, dormant or debit-blocked: it pays nothing today
        return None
    amount = min(acc.available, due.total)
    if amount <= 0:
        return None
    split = allocate(amount, due)
    entry = book(
        uow,
        loan,
        split,
        account_source(acc),
        kind="loan_auto_debit",
        by=by,
        channel="system",
        memo=f"loan {loan.loan_number} repayment",
    )
    apply(uow, loan, split, current, on)
    record(uow, loan, split, kind="auto_debit", entry_id=entry.id, account_number=acc.number, by=by)
    return split


# ---------------------------------------------------------------------------------------------------- periods


def fall_due(uow: UnitOfWork, loan: Loan, on: date) -> int:
    """The current installment's due date has come (`on` ≥ it): what is unpaid of it becomes overdue, and the
    loan moves to the next period. Returns the interest of the closed period not yet accrued (end of day books
    it, Dr 1132 / Cr 6011, so the books hold the period's whole interest)."""
    current = current_installment(uow, loan)
    gap = max(loan.period_interest - loan.accrued_interest, 0)
    if current is not None and current.status == "pending":
        unpaid_i = current.interest - current.paid_interest
        unpaid_p = current.principal - current.paid_principal
        current.status = "due"
        loan.overdue_interest += unpaid_i
        loan.overdue_principal += unpaid_p
        if loan.overdue_since is None:
            loan.overdue_since = current.due_date
    previous_due = loan.next_due_date
    following = uow.session.execute(
        select(LoanInstallment)
        .where(
            LoanInstallment.loan_id == loan.id,
            LoanInstallment.status.in_(("pending", "paid")),
            LoanInstallment.due_date > previous_due,
        )
        .order_by(LoanInstallment.due_date)
        .limit(1)
    ).scalar_one_or_none()
    loan.period_start = previous_due
    loan.accrual_base = 0
    loan.accrued_interest = 0
    if following is None:
        loan.next_due_date = None
        loan.period_interest = 0
    else:
        loan.next_due_date = following.due_date
        loan.period_interest = following.interest
    close_if_repaid(uow, loan, on)
    return gap


def close_if_repaid(uow: UnitOfWork, loan: Loan, on: date) -> bool:
    """Close a loan that owes nothing more: no principal, nothing overdue, no penalty, no installment left."""
    if loan.status != "active":
        return False
    if loan.overdue_principal or loan.overdue_interest or loan.penalty_accrued != loan.penalty_paid:
        return False
    if outstanding_principal(uow, loan) != 0:
        return False
    left = uow.session.execute(
        select(LoanInstallment.id)
        .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status.in_(("pending", "due")))
        .limit(1)
    ).first()
    if left is not None:
        return False
    loan.status = "closed"
    loan.closed_on = on
    loan.next_due_date = None
    loan.period_interest = 0
    loan.days_past_due = 0
    return True


# ---------------------------------------------------------------------------------------------------- schedules


def prorated(interest: int, days_left: int, days_in_period: int) -> int:
    """A first period's interest for the days left of it, half up."""
    if days_in_period <= 0:
        return 0
    return (interest * days_left * 2 + days_in_period) // (2 * days_in_period)


def store_schedule(
    uow: UnitOfWork,
    loan: Loan,
    lines: list[rules.ScheduleLine],
    *,
    reason: str,
    by: str,
    period_start: date,
    annual_rate: str,
    carried_interest: int = 0,
) -> LoanSchedule:
    """Keep `lines` as the loan's next schedule version; the pending installments of the old one are
    superseded (paid and due ones stay as history). The loan's current period becomes the first line:
    `carried_interest` (recognised before the cut) is added to its interest and is the accrual base."""
    uow.session.execute(
        update(LoanSchedule)
        .where(LoanSchedule.loan_id == loan.id, LoanSchedule.status == "current")
        .values(status="superseded")
    )
    uow.session.execute(
        update(LoanInstallment)
        .where(LoanInstallment.loan_id == loan.id, LoanInstallment.status.in_(("pending", "paid")))
        .where(LoanInstallment.due_date >= period_start)
        .values(status="superseded")
    )
    # An installment paid early for a period this schedule restarts keeps its payment in the history rows;
    # what it paid counts through the loan's balances, not through the new rows.
    loan.schedule_version += 1
    sched = LoanSchedule(
        loan_id=loan.id,
        version=loan.schedule_version,
        reason=reason,
        status="current",
        principal=sum(line.principal for line in lines),
        annual_rate=annual_rate,
        method=loan.method,
        made_on=uow.business_date,
        made_by=by,
    )
    uow.session.add(sched)
    uow.session.flush()
    start = period_start
    rows = []
    for i, line in enumerate(lines):
        assert line.due_date is not None
        interest = line.interest + (carried_interest if i == 0 else 0)
        rows.append(
            LoanInstallment(
                schedule_id=sched.id,
                loan_id=loan.id,
                period=i + 1,
                due_date=line.due_date,
                period_start=start,
                principal=line.principal,
                interest=interest,
                paid_principal=0,
                paid_interest=0,
                status="pending",
            )
        )
        start = line.due_date
    uow.session.add_all(rows)
    uow.session.flush()
    first = rows[0]
    loan.period_start = period_start
    loan.next_due_date = first.due_date
    loan.period_interest = first.interest
    loan.accrual_base = carried_interest
    loan.accrued_interest = carried_interest
    loan.maturity_date = rows[-1].due_date
    loan.annual_rate = annual_rate
    return sched


def build_lines(
    principal: int,
    annual_rate: str,
    periods: int,
    method: str,
    first_due: date,
    *,
    start: date,
    full_period_start: date,
) -> list[rules.ScheduleLine]:
    """Schedule lines for `principal` over `periods` monthly periods from `first_due`. When the first period
    starts late (`start` after `full_period_start`, as after a tranche or a prepayment), its interest is cut to
    the days left of it."""
    lines = rules.schedule(principal, Decimal(annual_rate), periods, method, first_due)  # type: ignore[arg-type]
    full_days = (first_due - full_period_start).days
    left_days = (first_due - start).days
    if method != "bullet" and left_days < full_days and lines:
        head = lines[0]
        interest = prorated(head.interest, left_days, full_days)
        lines[0] = rules.ScheduleLine(
            head.period,
            head.due_date,
            head.opening_principal,
            head.principal + interest,
            head.principal,
            interest,
            head.closing_principal,
        )
    return lines


def periods_left(loan: Loan) -> int:
    """Whole monthly periods from the next due date to maturity, that one included."""
    if loan.next_due_date is None or loan.maturity_date is None:
        return 0
    return (
        (loan.maturity_date.year - loan.next_due_date.year) * 12
        + loan.maturity_date.month
        - loan.next_due_date.month
        + 1
    )
