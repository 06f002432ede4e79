"""The channel registry: each channel and transaction type, open or closed.

A channel, or a transaction type on it, is open unless a closure row names it: `tx_type` "*" closes the whole
channel. Opening deletes the row (the audit trail keeps who closed and opened what, and when).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class ChannelClosure(Base):
    """One closed channel ("*") or one closed transaction type on a channel."""

    __tablename__ = "channel_closures"
    # The unique key is also the index `require_open` reads on every customer and ATM/POS request.
    __table_args__ = (UniqueConstraint("channel", "tx_type"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(32))  # "*" = the whole channel
    closed_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(200), default="")
