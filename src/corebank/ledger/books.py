"""The books: GL balances at any date, trial balance per branch and for the bank, daily GL snapshots."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import (
    case,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)

from corebank.db.base import table_of
from corebank.db.models import BankState
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.ledger import chart
from corebank.ledger.models import GLDailyBalance, JournalLine, LedgerAccount
from corebank.ledger.reference import _reference
from corebank.ledger.schemas import (
    TrialBalance,
    TrialBalanceRow,
)

# ---------------------------------------------------------------- GL balances, trial balance, snapshots


def gl_balances(
    uow: UnitOfWork, as_of: date, branch_code: str | None = None
) -> list[tuple[str, str, str, int]]:
    """(gl_code, branch_code, currency, signed balance) at the end of `as_of`: the last daily snapshot on or
    before it, plus the journal lines booked after that snapshot up to `as_of`."""
    snap_date = uow.conn.execute(
        select(func.max(GLDailyBalance.business_date)).where(GLDailyBalance.business_date <= as_of)
    ).scalar()
    snap = select(
        GLDailyBalance.gl_code,
        GLDailyBalance.branch_code,
        GLDailyBalance.currency,
        GLDailyBalance.balance.label("amount"),
    ).where(GLDailyBalance.business_date == snap_date)
    moves = select(
        JournalLine.gl_code, JournalLine.branch_code, JournalLine.currency, JournalLine.amount.label("amount")
    ).where(JournalLine.booking_date <= as_of)
    if snap_date is not None:
        moves = moves.where(JournalLine.booking_date > snap_date)
    if branch_code is not None:
        snap = snap.where(GLDailyBalance.branch_code == branch_code)
        moves = moves.where(JournalLine.branch_code == branch_code)
    both = union_all(snap, moves).subquery() if snap_date is not None else moves.subquery()
    q = (
        select(both.c.gl_code, both.c.branch_code, both.c.currency, func.sum(both.c.amount))
        .group_by(both.c.gl_code, both.c.branch_code, both.c.currency)
        .order_by(both.c.gl_code, both.c.branch_code, both.c.currency)
    )
    return [(r[0], r[1], r[2], int(r[3])) for r in uow.conn.execute(q)]


def trial_balance(uow: UnitOfWork, as_of: date | None = None, branch_code: str | None = None) -> TrialBalance:
    """Debit and credit balances per GL account and currency, for one branch or the whole bank."""
    day = as_of or uow.business_date
    ref = _reference(uow)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for gl, _br, cur, bal in gl_balances(uow, day, branch_code):
        totals[(gl, cur)] += bal
    rows = []
    for (gl, cur), bal in sorted(totals.items()):
        if bal == 0 and gl == chart.INTER_BRANCH and branch_code is None:
            continue
        _s, _sub, cls, name = ref.gl.get(gl, (1, False, "?", gl))
        rows.append(TrialBalanceRow(gl, name, cls, cur, bal if bal > 0 else 0, -bal if bal < 0 else 0))
    return TrialBalance(as_of=day, branch_code=branch_code, rows=tuple(rows))


def subledger_totals(uow: UnitOfWork) -> list[tuple[str, str, str, int]]:
    """(gl_code, branch, currency, signed total) of all sub-ledger balances, to hold against their control GL."""
    q = select(
        LedgerAccount.gl_code,
        LedgerAccount.branch_code,
        LedgerAccount.currency,
        func.sum(LedgerAccount.balance * LedgerAccount.normal_sign),
    ).group_by(LedgerAccount.gl_code, LedgerAccount.branch_code, LedgerAccount.currency)
    return [(r[0], r[1], r[2], int(r[3])) for r in uow.conn.execute(q)]


_bank_state = table_of(BankState)
_OPEN_DATE = select(_bank_state.c.business_date, _bank_state.c.phase).where(_bank_state.c.id == 1)


def snapshot_gl_balances(uow: UnitOfWork, business_date: date) -> int:
    """Write the GL closing balances for `business_date` (end of day calls this), set-based in one statement:
    the previous snapshot plus the day's lines, per GL account, branch and currency. Re-running replaces it.
    The date must be closed already, or be the date end of day is closing (bookings stopped)."""
    # Read the date from the database, not the command's cached copy.
    open_date, phase = uow.conn.execute(_OPEN_DATE).one()
    closing_today = phase == "closing" and business_date == open_date
    if business_date >= open_date and not closing_today:
        raise InvalidRequest(
            f"business date {business_date} is still open (today is {open_date}): stop its bookings (end of day) "
            "first, so that no posting of that day can miss the snapshot"
        )
    uow.conn.execute(delete(GLDailyBalance).where(GLDailyBalance.business_date == business_date))
    prev = uow.conn.execute(
        select(func.max(GLDailyBalance.business_date)).where(GLDailyBalance.business_date < business_date)
    ).scalar()
    zero = literal(0)
    debit = case((JournalLine.amount > 0, JournalLine.amount), else_=0)
    credit = case((JournalLine.amount < 0, -JournalLine.amount), else_=0)
    day_lines = select(
        JournalLine.gl_code.label("gl"),
        JournalLine.branch_code.label("br"),
        JournalLine.currency.label("cur"),
        func.sum(debit).label("dr"),
        func.sum(credit).label("cr"),
        func.sum(JournalLine.amount).label("bal"),
    ).where(JournalLine.booking_date <= business_date)
    if prev is not None:
        day_lines = day_lines.where(JournalLine.booking_date > prev)
    day_lines = day_lines.group_by(JournalLine.gl_code, JournalLine.branch_code, JournalLine.currency)
    parts = [day_lines]
    if prev is not None:
        parts.append(
            select(
                GLDailyBalance.gl_code.label("gl"),
                GLDailyBalance.branch_code.label("br"),
                GLDailyBalance.currency.label("cur"),
                zero.label("dr"),
                zero.label("cr"),
                GLDailyBalance.balance.label("bal"),
            ).where(GLDailyBalance.business_date == prev)
        )
    u = union_all(*parts).subquery()
    src = select(
        literal(business_date).label("business_date"),
        u.c.gl,
        u.c.br,
        u.c.cur,
        func.sum(u.c.dr).label("day_debit"),
        func.sum(u.c.cr).label("day_credit"),
        func.sum(u.c.bal).label("balance"),
    ).group_by(u.c.gl, u.c.br, u.c.cur)
    result = uow.conn.execute(
        insert(GLDailyBalance).from_select(
            ["business_date", "gl_code", "branch_code", "currency", "day_debit", "day_credit", "balance"], src
        ),
        # psycopg reports -1 for INSERT ... SELECT unless SQLAlchemy is asked to keep the row count.
        execution_options={"preserve_rowcount": True},
    )
    return int(result.rowcount or 0)
