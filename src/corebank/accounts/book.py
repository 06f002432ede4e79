"""The deposit book as end of day reads it, set-based: which accounts hold which product, and dormancy.

Other areas' bulk jobs build their SQL on these selectables instead of naming this area's tables.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Select, func, not_, select, update

from corebank.accounts.models import DepositAccount
from corebank.db.uow import UnitOfWork
from corebank.kernel.events import Event
from corebank.ledger import subledger_table
from corebank.security import SYSTEM


def accounts_of_products(product_codes: list[str]) -> Select[int, str, str, str]:
    """Open accounts (not closed) of the products: id, product code, branch code, currency."""
    d = DepositAccount
    return select(d.id, d.product_code, d.branch_code, d.currency).where(
        d.product_code.in_(product_codes), d.status != "closed"
    )


def payable_accounts() -> Select[int, str]:
    """Accounts whose state lets them pay out (active, not debit-blocked): id, number. What the ledger account
    allows (blocks, floor, holds) is read from the ledger's own table."""
    d = DepositAccount
    return select(d.id, d.number).where(d.status == "active", not_(d.debit_blocked))


def account_directory() -> Select[int, str, str, bool, str, str]:
    """Every deposit account, closed ones too: id, number, status, credit-blocked flag, currency, branch code.
    Bulk payment files resolve and check their payees on it, set-based."""
    d = DepositAccount
    return select(d.id, d.number, d.status, d.credit_blocked, d.currency, d.branch_code)


def account_holders() -> Select[int, int]:
    """Every deposit account, closed ones too: id (its ledger account's) and the customer id. Other areas'
    end-of-day jobs (points) find whose money a ledger line moved on it, set-based."""
    d = DepositAccount
    return select(d.id, d.customer_id)


def highest_account_id(uow: UnitOfWork) -> int:
    """The highest deposit account id (0 when there is none): the upper bound of chunked book jobs."""
    return int(uow.conn.execute(select(func.max(DepositAccount.id))).scalar() or 0)


def flag_dormant(uow: UnitOfWork, day: date, lo: int, hi: int) -> int:
    """End-of-day step (chunk): mark active accounts dormant (睡眠户) whose last customer movement (or opening)
    is `dormant_after_days` or more before `day`. Interest credits do not count as movement."""
    la = subledger_table()
    cutoff = day - timedelta(days=int(uow.settings.dormant_after_days))
    quiet = select(la.c.id).where(
        la.c.id > lo, la.c.id <= hi, func.coalesce(la.c.last_movement_on, la.c.opened_on) <= cutoff
    )
    d = DepositAccount
    flagged = uow.conn.execute(
        update(d)
        .where(d.id > lo, d.id <= hi, d.status == "active", d.id.in_(quiet))
        .values(status="dormant")
        .returning(d.number)
    ).all()
    for (number,) in flagged:
        uow.audit(SYSTEM, "account.dormant", "account", number, since=str(cutoff))
        uow.publish(Event("AccountDormant", "account", number, {"cutoff": str(cutoff)}))
    return len(flagged)


def first_opened_on(uow: UnitOfWork, customer_id: int) -> date | None:
    """The day the customer's first deposit account was opened (their history with the bank), or None."""
    d = DepositAccount
    la = subledger_table()
    return uow.conn.execute(
        select(func.min(la.c.opened_on))
        .select_from(d)
        .join(la, la.c.id == d.id)
        .where(d.customer_id == customer_id)
    ).scalar()
