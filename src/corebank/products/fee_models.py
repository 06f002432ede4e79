"""The fee table: fees by transaction type, channel, customer tier, branch and amount band."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class FeeRule(Base):
    """One band of a fee rule: for amounts up to `band_upto` (minor units; NULL = no upper bound) the fee is
    `fixed_fee` plus `rate` times the amount, rounded half up to the minor unit, at most `cap` (NULL = no cap).
    "*" in channel, tier or branch_code matches any."""

    __tablename__ = "fee_rules"
    __table_args__ = (Index("ix_fee_rules_lookup", "tx_type", "currency", "channel"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tx_type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), default="*")
    tier: Mapped[str] = mapped_column(String(16), default="*")
    branch_code: Mapped[str] = mapped_column(String(8), default="*")
    band_upto: Mapped[int | None] = mapped_column(BigInteger)
    fixed_fee: Mapped[int] = mapped_column(BigInteger, default=0)
    rate: Mapped[str] = mapped_column(String(20), default="0")  # a decimal fraction: 0.002 % = "0.00002"
    cap: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]
