"""The set-based fast path of `loans.due`: the installments that fall due today and are paid in full from their
linked account, a whole chunk at a time.

On an ordinary day about 1/30 of the book falls due and nearly all of it is the simple case: nothing overdue,
money enough in the account, a next installment to roll to. Going through the loan engine one loan at a time
costs some 14 statements per loan; here a chunk's simple loans take one SELECT, one `ledger.post` (its entry, its
lines in one executemany, and the ledger's one conditional UPDATE per account moved: two per loan) and three
statements per 5,000 loans for the rows, and end exactly where the engine would leave them: the same balances,
GL totals, loan, installment and repayment rows. Only the journal differs: one auto-debit entry per chunk
instead of one per loan, each line still naming its loan. Every other loan stays with the engine.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    String,
    and_,
    case,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)

from corebank import accounts, ledger
from corebank.db.base import table_of
from corebank.db.uow import UnitOfWork
from corebank.kernel.money import Money
from corebank.ledger import EntryDraft, Leg, chart
from corebank.loans.models import Loan, LoanInstallment, LoanRepayment

_loans = table_of(Loan)
_installments = table_of(LoanInstallment)
_repayments = table_of(LoanRepayment)
# Loans per statement when their rows are written: IN lists stay bounded (SQLite takes at most 32,766 values).
_SLICE = 5_000


def _big(value: int) -> ColumnElement[int]:
    return literal(value, BigInteger)


def _in_chunk(lo: int, hi: int) -> ColumnElement[bool]:
    return and_(_loans.c.id > lo, _loans.c.id <= hi)


class _Due(NamedTuple):
    """One simple loan falling due (amounts in minor units)."""

    loan_id: int
    loan_number: str
    branch_code: str
    currency: str
    repay_id: int
    repay_gl: str
    repay_branch: str
    installment_id: int
    interest: int  # what is unpaid of the installment
    principal: int
    gap: int  # the period's interest not yet accrued

    @property
    def total(self) -> int:
        return self.interest + self.principal


def _simple_loans(uow: UnitOfWork, day: date, lo: int, hi: int) -> list[_Due]:
    """The chunk's loans the fast path takes, one row each with what booking and rolling them needs.

    A loan is simple when it is active and due today with nothing overdue (principal, interest, penalty); its
    current installment (pending, due today) has something unpaid and is not its last (a later one is pending:
    closing a loan stays with the engine); no repricing is due (the engine reprices right after the roll); no
    auto-debit is booked for it today; and its repayment account can pay the whole installment: the deposit
    account active and not debit-blocked, the ledger account open for debits in the loan's currency with
    balance − held − floor ≥ the unpaid total. That account must serve no other loan of the chunk that is due
    or overdue, so a balance checked here cannot be spent twice nor taken first by a loan the engine would
    have debited before this one."""
    c = _loans.c
    la = ledger.subledger_table()
    payable = accounts.payable_accounts().subquery()
    cur = _installments.alias("cur")
    later = _installments.alias("later")
    # The chunk's loans the step could debit (due or overdue), each with the number of active ones among them
    # that its repayment account serves: one scan of the chunk's key range, no join of the book to itself.
    arrears = c.overdue_principal + c.overdue_interest + c.penalty_accrued - c.penalty_paid
    debtors = (
        select(
            c.id,
            c.loan_number,
            c.branch_code,
            c.currency,
            c.status,
            c.next_due_date,
            c.repay_account_id,
            c.repay_account_number,
            c.rate_type,
            c.next_reprice_date,
            c.period_interest,
            c.accrued_interest,
            c.overdue_principal,
            c.overdue_interest,
            (c.penalty_accrued - c.penalty_paid).label("penalty_due"),
            func.sum(case((c.status == "active", 1), else_=0))
            .over(partition_by=c.repay_account_id)
            .label("sharing"),
        )
        .where(
            _in_chunk(lo, hi), or_(and_(c.next_due_date.is_not(None), c.next_due_date <= day), arrears > 0)
        )
        .subquery("debtors")
    )
    d = debtors.c
    unpaid_interest = cur.c.interest - cur.c.paid_interest
    unpaid_principal = cur.c.principal - cur.c.paid_principal
    unpaid = unpaid_interest + unpaid_principal
    debited_today = select(_repayments.c.loan_id).where(
        _repayments.c.loan_id > lo,
        _repayments.c.loan_id <= hi,
        _repayments.c.kind == "auto_debit",
        _repayments.c.booked_on == day,
    )
    pending_after = exists().where(
        later.c.loan_id == d.id, later.c.status == "pending", later.c.due_date > day
    )
    query = (
        select(
            d.id,
            d.loan_number,
            d.branch_code,
            d.currency,
            la.c.id,
            la.c.gl_code,
            la.c.branch_code,
            cur.c.id,
            unpaid_interest,
            unpaid_principal,
            case((d.period_interest > d.accrued_interest, d.period_interest - d.accrued_interest), else_=0),
        )
        .select_from(debtors)
        .join(cur, and_(cur.c.loan_id == d.id, cur.c.status == "pending", cur.c.due_date == day))
        .join(la, la.c.id == d.repay_account_id)
        .join(payable, and_(payable.c.id == d.repay_account_id, payable.c.number == d.repay_account_number))
        .where(
            d.sharing == 1,
            d.status == "active",
            d.next_due_date == day,
            d.overdue_principal == 0,
            d.overdue_interest == 0,
            d.penalty_due == 0,
            or_(d.rate_type != "floating", d.next_reprice_date.is_(None), d.next_reprice_date > day),
            d.id.not_in(debited_today),
            pending_after,
            unpaid > 0,
            unpaid_interest >= 0,
            unpaid_principal >= 0,
            la.c.allow_decrease,
            la.c.currency == d.currency,
            la.c.balance - la.c.held - la.c.floor >= unpaid,
        )
        .order_by(d.id)
    )
    return [_Due._make(r) for r in uow.conn.execute(query)]


def _next_period(column: str, day: date) -> ColumnElement[Any]:
    """`column` of the loan's first installment after `day` still current (pending, or paid early): its next
    period, as `engine.fall_due` takes it. Correlated to the UPDATE of `loans`."""
    following = _installments.alias("following")
    return (
        select(following.c[column])
        .where(
            following.c.loan_id == _loans.c.id,
            following.c.status.in_(("pending", "paid")),
            following.c.due_date > day,
        )
        .order_by(following.c.due_date)
        .limit(1)
        .scalar_subquery()
    )


def _settle(
    uow: UnitOfWork, day: date, installment_ids: list[int], loan_ids: list[int], entry_id: int, by: str
) -> None:
    """The rows of loans paid in full and rolled, three statements whatever their number: the repayments (read
    from the installments before they are marked paid), the installments paid, the loans in their next period
    (`_next_period`); with nothing overdue, `engine.apply` would also clear overdue_since and days past due."""
    i, c = _installments.c, _loans.c
    uow.conn.execute(
        insert(_repayments).from_select(
            [
                "loan_id",
                "kind",
                "amount",
                "penalty",
                "interest",
                "principal",
                "fee",
                "recovery",
                "account_number",
                "entry_id",
                "booked_on",
                "created_by",
            ],
            select(
                c.id,
                literal("auto_debit", String),
                (i.interest - i.paid_interest) + (i.principal - i.paid_principal),
                _big(0),
                i.interest - i.paid_interest,
                i.principal - i.paid_principal,
                _big(0),
                _big(0),
                c.repay_account_number,
                _big(entry_id),
                literal(uow.business_date, Date),
                literal(by, String),
            )
            .join_from(_installments, _loans, c.id == i.loan_id)
            .where(i.id.in_(installment_ids))
            .order_by(c.id),
        )
    )
    uow.conn.execute(
        update(_installments)
        .where(i.id.in_(installment_ids))
        .values(paid_interest=i.interest, paid_principal=i.principal, status="paid", paid_on=day)
    )
    uow.conn.execute(
        update(_loans)
        .where(c.id.in_(loan_ids))
        .values(
            period_start=day,
            next_due_date=_next_period("due_date", day),
            period_interest=_next_period("interest", day),
            accrual_base=0,
            accrued_interest=0,
            overdue_since=None,
            days_past_due=0,
        )
    )


def collect_simple(
    uow: UnitOfWork, day: date, lo: int, hi: int, gaps: MutableMapping[tuple[str, str], int], *, by: str
) -> set[int]:
    """Collect and roll the chunk's simple due loans (see `_simple_loans`) set-based; return their ids.

    Money: one balanced entry (kind loan_auto_debit) for the chunk, per loan Dr its repayment account the
    installment's unpaid interest + principal and Cr the loan's own account (GL 1301) the principal, and per
    branch and currency Cr 1132 interest receivable the interest (minor units, nothing rounded: the amounts are
    the installment's). Rows: each installment paid, a repayment row per loan, each loan moved to its next
    period with its accrual restarted; the closed period's interest not yet accrued is added to `gaps` per
    (branch, currency), for the caller to book with the engine's own."""
    rows = _simple_loans(uow, day, lo, hi)
    if not rows:
        return set()
    legs: list[Leg] = []
    interest_by_branch: dict[tuple[str, str], int] = {}
    for r in rows:
        memo = f"loan {r.loan_number} repayment"
        legs.append(
            Leg.debit(r.repay_gl, r.repay_branch, Money.from_minor(r.total, r.currency), r.repay_id, memo)
        )
        if r.principal:
            legs.append(
                Leg.credit(
                    chart.LOANS, r.branch_code, Money.from_minor(r.principal, r.currency), r.loan_id, memo
                )
            )
        key = (r.branch_code, r.currency)
        interest_by_branch[key] = interest_by_branch.get(key, 0) + r.interest
    for (branch, currency), interest in sorted(interest_by_branch.items()):
        if interest:
            legs.append(Leg.credit(chart.INTEREST_RECEIVABLE, branch, Money.from_minor(interest, currency)))
    entry = ledger.post(
        uow,
        EntryDraft("loan_auto_debit", tuple(legs), memo=f"loan installments auto-debited {day}"),
        by=by,
        channel="system",
    )
    for start in range(0, len(rows), _SLICE):
        part = rows[start : start + _SLICE]
        _settle(uow, day, [r.installment_id for r in part], [r.loan_id for r in part], entry.id, by)
    for r in rows:
        gaps[(r.branch_code, r.currency)] = gaps.get((r.branch_code, r.currency), 0) + r.gap
    return {r.loan_id for r in rows}
