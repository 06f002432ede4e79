"""Bulk posting for end of day: one balanced entry that credits many sub-ledger accounts at once.

Interest settlement credits every interest-bearing account on the same day. Posting each through `post()`
would cost a transaction's worth of statements per account; here a chunk of accounts becomes one journal
entry: a credit line per account and, per branch and currency, one debit line to the contra GL account, so
the entry and each branch balance exactly. Balances move by one batched UPDATE per chunk. It is still the
ledger writing balanced entries; nothing else changes a balance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, Date, Select, String, func, insert, literal, select, update

from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL, driver_date
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.ledger.errors import UnbalancedEntry
from corebank.ledger.models import JournalLine, LedgerAccount
from corebank.ledger.reference import _check_refs
from corebank.ledger.service import _INSERT_LINES_FAST, _insert_entry

# Credits only ever raise a deposit's balance; interest is credited even to a credit-blocked or frozen
# account (the money is the customer's either way), so the movement rules of `post()` do not apply here.
_CREDIT_MANY = FastSQL("UPDATE ledger_accounts SET balance = balance + CAST(:amt AS BIGINT) WHERE id = :aid")


def credit_many(
    uow: UnitOfWork,
    *,
    kind: str,
    memo: str,
    contra_gl: str,
    credits: Sequence[tuple[int, int]],
    by: str,
    value_date: date | None = None,
    narrative: str = "",
    channel: str = "system",
) -> int | None:
    """Credit each `(account_id, minor units > 0)` and debit `contra_gl` in each account's branch, as one
    entry; return its id (None when `credits` is empty). Refuses a non-positive amount or an account twice."""
    if not credits:
        return None
    ids = [aid for aid, _ in credits]
    if len(set(ids)) != len(ids):
        raise UnbalancedEntry("an account appears twice in a bulk credit")
    if any(amt <= 0 for _, amt in credits):
        raise InvalidRequest("every bulk credit must be a positive amount")
    accounts = _accounts_of(uow, ids)
    bd = uow.business_date
    uow.check_bookings_open()
    vd = value_date or bd
    lines: list[dict[str, Any]] = []
    per_branch: dict[tuple[str, str], int] = defaultdict(int)
    moves: list[dict[str, Any]] = []
    for aid, amt in sorted(credits):
        acc = accounts.get(aid)
        if acc is None:
            raise InvalidRequest(f"no ledger account {aid}")
        if acc.normal_sign != -1:
            raise InvalidRequest(
                f"ledger account {aid} is not a liability: a bulk credit only raises deposits"
            )
        per_branch[(acc.branch_code, acc.currency)] += amt
        moves.append({"aid": aid, "amt": amt})
        lines.append(
            _line(acc.gl_code, acc.branch_code, aid, acc.currency, -amt, acc.balance + amt, narrative)
        )
    for (branch, currency), total in sorted(per_branch.items()):
        _check_refs(uow, contra_gl, branch)
        lines.append(_line(contra_gl, branch, None, currency, total, None, memo[:120]))
    _CREDIT_MANY.executemany_plain(uow, moves)
    entry_id = _insert_entry(uow, bd, vd, kind, memo, None, None, by, channel)
    booking, value = driver_date(uow, bd), driver_date(uow, vd)
    for i, ln in enumerate(lines, start=1):
        ln.update(entry_id=entry_id, line_no=i, booking_date=booking, value_date=value)
    _INSERT_LINES_FAST.executemany_plain(uow, lines)
    return entry_id


_ACCOUNTS_SQL = (
    "SELECT id, gl_code, branch_code, currency, balance, normal_sign FROM ledger_accounts WHERE id IN "
)


class _Acc(NamedTuple):
    id: int
    gl_code: str
    branch_code: str
    currency: str
    balance: int
    normal_sign: int


def _accounts_of(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, _Acc]:
    """The posting attributes of `ids`, read through the driver in slices (a bulk credit names thousands of
    accounts; compiling an IN list of that size through SQLAlchemy costs more than the read)."""
    mark = "?" if uow.conn.dialect.name == "sqlite" else "%s"
    cur = uow.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    out: dict[int, _Acc] = {}
    for i in range(0, len(ids), 5000):
        part = list(ids[i : i + 5000])
        cur.execute(_ACCOUNTS_SQL + "(" + ",".join([mark] * len(part)) + ")", part)
        for row in cur.fetchall():
            out[int(row[0])] = _Acc(int(row[0]), row[1], row[2], row[3], int(row[4]), int(row[5]))
    cur.close()
    return out


def _line(
    gl: str, branch: str, aid: int | None, currency: str, amount: int, after: int | None, narrative: str
) -> dict[str, Any]:
    return {
        "gl_code": gl,
        "branch_code": branch,
        "account_id": aid,
        "currency": currency,
        "amount": amount,
        "balance_after": after,
        "narrative": narrative[:120],
    }


def credit_many_from(
    uow: UnitOfWork,
    *,
    kind: str,
    memo: str,
    contra_gl: str,
    source: Select[Any],
    by: str,
    value_date: date | None = None,
    narrative: str = "",
    channel: str = "system",
    id_range: tuple[int, int] | None = None,
) -> tuple[int | None, dict[tuple[str, str], int]]:
    """Set-based `credit_many`: credit every row of `source` — a select of `account_id` and `amount` (minor
    units; rows of zero or less are skipped) over liability sub-ledger accounts — as one entry, in three
    statements whatever the number of rows, with a debit to `contra_gl` per branch and currency. Returns the
    entry id (None when nothing was credited) and the total credited per (branch, currency).

    Only for end of day: each line's running balance is the balance read in the same statement plus the
    credit, which holds because bookings are closed while it runs. `id_range` (lo, hi], when the source's
    accounts lie in it, bounds the joins so that PostgreSQL plans key-range merges instead of table scans."""
    bd = uow.business_date
    uow.check_bookings_open()
    if not uow.eod:
        raise InvalidRequest("set-based bulk credits run only inside end of day")
    src = source.subquery()
    rows = select(src.c.account_id, src.c.amount).where(src.c.amount > 0)
    if uow.conn.execute(rows.limit(1)).first() is None:
        return None, {}
    vd = value_date or bd
    entry_id = _insert_entry(uow, bd, vd, kind, memo, None, None, by, channel)
    la, jl = table_of(LedgerAccount), table_of(JournalLine)
    bounds = (la.c.id > id_range[0], la.c.id <= id_range[1]) if id_range else ()
    credited = rows.subquery()
    lines = (
        select(
            literal(entry_id, BigInteger),
            func.row_number().over(order_by=la.c.id),
            la.c.gl_code,
            la.c.branch_code,
            la.c.id,
            la.c.currency,
            -credited.c.amount,
            la.c.balance + credited.c.amount,
            literal(bd, Date),
            literal(vd, Date),
            literal(narrative[:120], String),
        )
        .join_from(credited, la, la.c.id == credited.c.account_id)
        .where(la.c.normal_sign == -1, *bounds)
    )
    columns = ["entry_id", "line_no", "gl_code", "branch_code", "account_id", "currency", "amount"]
    columns += ["balance_after", "booking_date", "value_date", "narrative"]
    uow.conn.execute(insert(jl).from_select(columns, lines))
    uow.conn.execute(
        update(la)
        .where(la.c.id == jl.c.account_id, jl.c.entry_id == entry_id, jl.c.account_id.is_not(None), *bounds)
        .values(balance=jl.c.balance_after)
    )
    totals = {
        (branch, currency): -int(total)
        for branch, currency, total, _n in uow.conn.execute(
            select(jl.c.branch_code, jl.c.currency, func.sum(jl.c.amount), func.count())
            .where(jl.c.entry_id == entry_id)
            .group_by(jl.c.branch_code, jl.c.currency)
            .order_by(jl.c.branch_code, jl.c.currency)
        )
    }
    n = int(uow.conn.execute(select(func.max(jl.c.line_no)).where(jl.c.entry_id == entry_id)).scalar() or 0)
    contra = []
    for (branch, currency), total in totals.items():
        _check_refs(uow, contra_gl, branch)
        n += 1
        contra.append(_line(contra_gl, branch, None, currency, total, None, memo[:120]))
        contra[-1].update(entry_id=entry_id, line_no=n, booking_date=bd, value_date=vd)
    _INSERT_LINES_FAST.executemany(uow, contra)
    return entry_id, totals
