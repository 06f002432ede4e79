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
from typing import Any

from sqlalchemy import select

from corebank.db.fastsql import FastSQL
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.ledger.errors import UnbalancedEntry
from corebank.ledger.models import LedgerAccount
from corebank.ledger.service import _INSERT_LINES_FAST, _check_refs, _insert_entry

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
    accounts = {
        r.id: r
        for r in uow.conn.execute(
            select(
                LedgerAccount.id,
                LedgerAccount.gl_code,
                LedgerAccount.branch_code,
                LedgerAccount.currency,
                LedgerAccount.balance,
                LedgerAccount.normal_sign,
            ).where(LedgerAccount.id.in_(ids))
        )
    }
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
    _CREDIT_MANY.executemany(uow, moves)
    entry_id = _insert_entry(uow, bd, vd, kind, memo, None, None, by, channel)
    for i, ln in enumerate(lines, start=1):
        ln.update(entry_id=entry_id, line_no=i, booking_date=bd, value_date=vd)
    _INSERT_LINES_FAST.executemany(uow, lines)
    return entry_id


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
