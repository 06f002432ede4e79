"""The ledger's end-of-day step: close the day's books — snapshot the GL, prove they balance."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select

from corebank.db.batch import BatchStep
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import CoreBankError
from corebank.kernel.money import minor_to_text
from corebank.ledger.books import snapshot_gl_balances, subledger_totals
from corebank.ledger.models import GLAccount, GLDailyBalance


class BooksOutOfBalance(CoreBankError):
    """End of day found the books not balancing: it stops, rolls nothing, and reports where."""

    code = "EOD_BOOKS_UNBALANCED"
    status = 409
    title = "The books do not balance: end of day stopped"


def close_books(uow: UnitOfWork, day: date) -> int:
    """Snapshot the GL balances of `day`, then check that every branch and the bank balance to zero in each
    currency and that each control account equals the sum of its sub-ledger accounts. Raises
    BooksOutOfBalance with the differences; the snapshot rolls back with it."""
    written = snapshot_gl_balances(uow, day)
    rows = uow.conn.execute(
        select(
            GLDailyBalance.gl_code,
            GLDailyBalance.branch_code,
            GLDailyBalance.currency,
            GLDailyBalance.balance,
        ).where(GLDailyBalance.business_date == day)
    ).all()
    problems: list[str] = []
    per_branch: dict[tuple[str, str], int] = defaultdict(int)
    for _gl, branch, currency, balance in rows:
        per_branch[(branch, currency)] += balance
    for (branch, currency), net in sorted(per_branch.items()):
        if net:
            problems.append(f"branch {branch} {currency} is out by {minor_to_text(net, currency)}")
    controlled = set(uow.conn.execute(select(GLAccount.code).where(GLAccount.has_subledger)).scalars())
    control = {(g, b, c): bal for g, b, c, bal in rows if g in controlled}
    subs = {(g, b, c): total for g, b, c, total in subledger_totals(uow)}
    for key in sorted(set(control) | set(subs)):
        if control.get(key, 0) != subs.get(key, 0):
            g, b, c = key
            problems.append(
                f"GL {g} branch {b} {c}: control {minor_to_text(control.get(key, 0), c)} "
                f"but sub-ledger accounts total {minor_to_text(subs.get(key, 0), c)}"
            )
    if problems:
        raise BooksOutOfBalance("; ".join(problems[:20]), problems=problems)
    return written


EOD_STEPS: tuple[BatchStep, ...] = (
    BatchStep("ledger.close_books", "Snapshot the GL and check the trial balance", run=close_books),
)
