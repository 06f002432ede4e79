"""Read models of the back-office screens: one grouped SQL statement per figure (set-based, GROUP BY), never a
loop over accounts or loans. Read only: nothing here writes. Amounts come back in integer minor units and are
turned into `Money` text by the caller's currency; scoped staff (`branches` not None) see their branches only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, func, select

from corebank import ledger
from corebank.accounts.models import DepositAccount
from corebank.channels.monitoring_models import ChannelStat
from corebank.db.models import AuditRecord
from corebank.db.uow import UnitOfWork
from corebank.loans.models import Loan
from corebank.loans.portfolio import NON_PERFORMING


@dataclass(frozen=True, slots=True)
class BranchFigure:
    """One branch's total of deposits or loans, in minor units."""

    branch_code: str
    branch_name: str
    count: int
    total: int  # minor units
    non_performing: int = 0  # minor units (loans only)


@dataclass(frozen=True, slots=True)
class ChannelDay:
    """A channel's requests on one UTC day."""

    day: str
    channel: str
    requests: int
    errors: int


def _scoped(column: object, branches: frozenset[str] | set[str] | None) -> list[object]:
    return [] if branches is None else [column.in_(sorted(branches))]  # type: ignore[attr-defined]


def _branch_names(uow: UnitOfWork) -> dict[str, str]:
    return {b["code"]: b["name"] for b in ledger.list_branches(uow)}


def deposits_by_branch(
    uow: UnitOfWork, currency: str, branches: frozenset[str] | set[str] | None
) -> list[BranchFigure]:
    """Open deposit accounts and their balances per branch, in `currency`."""
    la = ledger.subledger_table()
    q = (
        select(DepositAccount.branch_code, func.count(), func.coalesce(func.sum(la.c.balance), 0))
        .select_from(DepositAccount)
        .join(la, la.c.id == DepositAccount.id)
        .where(
            DepositAccount.currency == currency,
            DepositAccount.status != "closed",
            *_scoped(DepositAccount.branch_code, branches),  # type: ignore[arg-type]
        )
        .group_by(DepositAccount.branch_code)
        .order_by(DepositAccount.branch_code)
    )
    names = _branch_names(uow)
    return [BranchFigure(r[0], str(names.get(r[0], r[0])), int(r[1]), int(r[2])) for r in uow.conn.execute(q)]


def loans_by_branch(
    uow: UnitOfWork, currency: str, branches: frozenset[str] | set[str] | None
) -> list[BranchFigure]:
    """Active loans, their outstanding principal (the ledger balance) and the non-performing part (substandard,
    doubtful and loss) per branch, in `currency`."""
    la = ledger.subledger_table()
    npl = case((Loan.classification.in_(NON_PERFORMING), la.c.balance), else_=0)
    q = (
        select(
            Loan.branch_code,
            func.count(),
            func.coalesce(func.sum(la.c.balance), 0),
            func.coalesce(func.sum(npl), 0),
        )
        .select_from(Loan)
        .join(la, la.c.id == Loan.id)
        .where(Loan.status == "active", Loan.currency == currency, *_scoped(Loan.branch_code, branches))  # type: ignore[arg-type]
        .group_by(Loan.branch_code)
        .order_by(Loan.branch_code)
    )
    names = _branch_names(uow)
    return [
        BranchFigure(r[0], str(names.get(r[0], r[0])), int(r[1]), int(r[2]), int(r[3]))
        for r in uow.conn.execute(q)
    ]


def channel_volume_by_day(uow: UnitOfWork, days: int, now: datetime) -> list[ChannelDay]:
    """Requests and errors per channel per UTC day over the last `days` days (the monitor's flushed counts)."""
    since = datetime.combine(now.date() - timedelta(days=days - 1), time(), tzinfo=UTC)
    day = func.date(ChannelStat.minute)
    q = (
        select(day, ChannelStat.channel, func.sum(ChannelStat.requests), func.sum(ChannelStat.errors))
        .where(ChannelStat.minute >= since)
        .group_by(day, ChannelStat.channel)
        .order_by(day, ChannelStat.channel)
    )
    return [ChannelDay(str(r[0])[:10], r[1], int(r[2] or 0), int(r[3] or 0)) for r in uow.conn.execute(q)]


def audit_start_before(uow: UnitOfWork, day: date) -> int | None:
    """The audit cursor that starts a newest-first listing at the last record made before the end of `day`
    (UTC): one past that record's sequence number; None when no record is that old."""
    end = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    seq = uow.conn.execute(select(func.max(AuditRecord.seq)).where(AuditRecord.at < end)).scalar()
    return None if seq is None else int(seq) + 1
