"""Limits by channel, transaction type, tier, account class and authentication strength; their use."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class ChannelLimit(Base):
    """The bank's limit for a channel and transaction type, for all customers ("*" / 0) or for a tier, an
    account class or an authentication strength. Amounts are minor units of `currency`; NULL means this row
    sets no value for that field (a less specific row's value, or none, applies)."""

    __tablename__ = "channel_limits"
    __table_args__ = (
        UniqueConstraint("channel", "tx_type", "tier", "account_class", "strength", "currency"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(32))
    tier: Mapped[str] = mapped_column(String(16), default="*")  # * | standard | gold | vip
    account_class: Mapped[int] = mapped_column(Integer, default=0)  # 0 = any, else 1 | 2 | 3
    strength: Mapped[str] = mapped_column(String(16), default="*")  # * | password | sms | totp | signed
    single_max: Mapped[int | None] = mapped_column(BigInteger)
    daily_max: Mapped[int | None] = mapped_column(BigInteger)
    yearly_max: Mapped[int | None] = mapped_column(BigInteger)
    daily_count: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class CustomerLimit(Base):
    """A customer's own lower limit for a channel and transaction type (never above the bank's)."""

    __tablename__ = "customer_limits"
    __table_args__ = (UniqueConstraint("customer_id", "channel", "tx_type"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(32))
    single_max: Mapped[int | None] = mapped_column(BigInteger)
    daily_max: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime]


class LimitUsage(Base):
    """What a customer used on a channel and transaction type on one business date (the year's use is the sum
    of the year's rows)."""

    __tablename__ = "limit_usage"
    # The unique key serves the upsert and the day's and the year's reads (customer, channel, type, then day).
    __table_args__ = (UniqueConstraint("customer_id", "channel", "tx_type", "day", "currency"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    channel: Mapped[str] = mapped_column(String(16))
    tx_type: Mapped[str] = mapped_column(String(32))
    day: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    count: Mapped[int] = mapped_column(Integer, default=0)
