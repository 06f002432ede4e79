"""The channel registry: open or close a channel, or one transaction type on it, effective at once."""

from __future__ import annotations

from corebank.db.uow import UnitOfWork


def require_open(uow: UnitOfWork, channel: str, tx_type: str) -> None:
    """Raise ChannelClosed or TransactionTypeClosed unless `tx_type` may run on `channel` now."""
    return None
