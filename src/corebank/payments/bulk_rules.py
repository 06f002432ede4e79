"""The checks every internal line of a bulk file goes through before it is credited, and small pure helpers.

A line to an account of this bank fails (and its amount goes back to the payer) when the account is unknown,
closed, frozen, credit-blocked (只付不收) or in another currency, or when the file would lift it over its
balance cap (a Type III account's ceiling). The checks run in this order, each one set-based UPDATE over the
batch's still-pending lines, so a line carries the first reason that applies; the codes are the ISO 20022
reason codes a return would carry.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, func, not_, or_, select

# (account directory subquery, ledger sub-ledger table, bulk lines table) -> the failing condition
Condition = Callable[[Any, Table, Table], ColumnElement[bool]]


@dataclass(frozen=True)
class LineCheck:
    """One named check: lines meeting `fails` are marked failed with `reason_code` and `reason_text`."""

    name: str
    reason_code: str
    reason_text: str
    fails: Condition
    needs: str  # "none" | "directory" | "ledger": what the condition joins the line to


def _over_cap(d: Any, la: Table, bl: Table) -> ColumnElement[bool]:
    # The whole file's credits to that account count: two lines that fit one by one may not fit together.
    other = bl.alias("same_payee")
    file_total = (
        select(func.coalesce(func.sum(other.c.amount), 0))
        .where(
            other.c.batch_id == bl.c.batch_id,
            other.c.payee_account_id == bl.c.payee_account_id,
            other.c.status == "pending",
        )
        .scalar_subquery()
    )
    return and_(la.c.ceiling.is_not(None), la.c.balance + file_total > la.c.ceiling)


LINE_CHECKS: tuple[LineCheck, ...] = (
    LineCheck(
        "unknown",
        "AC01",
        "no such account at this bank",
        lambda d, la, bl: bl.c.payee_account_id.is_(None),
        "none",
    ),
    LineCheck(
        "closed", "AC04", "the account is closed", lambda d, la, bl: d.c.status == "closed", "directory"
    ),
    LineCheck(
        "frozen", "AC06", "the account is frozen", lambda d, la, bl: d.c.status == "frozen", "directory"
    ),
    LineCheck(
        "credit_blocked",
        "AC06",
        "the account may not receive (只付不收)",
        lambda d, la, bl: d.c.credit_blocked,
        "directory",
    ),
    LineCheck(
        "currency",
        "AM03",
        "the account holds another currency",
        lambda d, la, bl: d.c.currency != bl.c.currency,
        "directory",
    ),
    LineCheck(
        "ledger_blocked",
        "AC06",
        "the account accepts no credits",
        lambda d, la, bl: or_(not_(la.c.allow_increase), la.c.normal_sign != -1),
        "ledger",
    ),
    LineCheck(
        "balance_cap", "AM14", "the credit would exceed the account's balance cap", _over_cap, "ledger"
    ),
)


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def credits_by_account(rows: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sum `(account_id, minor units)` per account: a payee named twice in one chunk gets one credit line of
    the sum (the ledger's bulk credit takes each account once per entry)."""
    total: dict[int, int] = defaultdict(int)
    for aid, amt in rows:
        total[aid] += amt
    return sorted(total.items())
