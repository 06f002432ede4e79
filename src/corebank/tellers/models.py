"""Vaults and teller tills (尾箱). Their cash balances are sub-ledger accounts, floored at zero."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Vault(Base):
    """A branch's vault for one currency."""

    __tablename__ = "vaults"
    __table_args__ = (UniqueConstraint("branch_code", "currency"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    currency: Mapped[str] = mapped_column(String(3))
    ledger_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), unique=True)


class Till(Base):
    """A teller's cash drawer for one business day."""

    __tablename__ = "tills"
    __table_args__ = (UniqueConstraint("username", "business_date", "currency"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    business_date: Mapped[date]
    currency: Mapped[str] = mapped_column(String(3))
    ledger_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # open | closed
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    counted: Mapped[int | None]
    difference: Mapped[int | None]  # counted minus system: positive = over (长款), negative = short (短款)
