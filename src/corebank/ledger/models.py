"""Ledger tables: branches, chart of accounts, sub-ledger accounts, journal entries and lines, GL snapshots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Branch(Base):
    """A node of the bank's organisation tree (head office → branches → sub-branches); each keeps its own books."""

    __tablename__ = "branches"
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("branches.code"))
    level: Mapped[str] = mapped_column(String(16))  # head_office | branch | sub_branch
    status: Mapped[str] = mapped_column(String(16), default="active")


class GLAccount(Base):
    """A general-ledger account of the chart. `normal_sign` is +1 for debit-normal, -1 for credit-normal."""

    __tablename__ = "gl_accounts"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_zh: Mapped[str] = mapped_column(String(60))
    gl_class: Mapped[str] = mapped_column(String(16))  # asset | liability | equity | income | expense
    normal_sign: Mapped[int] = mapped_column(SmallInteger)
    has_subledger: Mapped[bool] = mapped_column(Boolean, default=False)


class LedgerAccount(Base):
    """A sub-ledger account (a customer deposit, a till, a vault) under a GL control account.

    `balance` is in the GL's natural sign (a deposit of 100 is +100). A decrease must keep
    balance >= floor + held; an increase must keep balance <= ceiling when there is one.
    """

    __tablename__ = "ledger_accounts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    currency: Mapped[str] = mapped_column(String(3))
    balance: Mapped[int] = mapped_column(default=0)
    held: Mapped[int] = mapped_column(default=0)
    floor: Mapped[int] = mapped_column(default=0)
    ceiling: Mapped[int | None]
    allow_decrease: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_increase: Mapped[bool] = mapped_column(Boolean, default=True)
    normal_sign: Mapped[int] = mapped_column(SmallInteger)
    opened_on: Mapped[date]
    last_movement_on: Mapped[date | None]


class JournalEntry(Base):
    """One balanced posting. Never updated or deleted; a reversal (冲正) is a new entry pointing back here."""

    __tablename__ = "journal_entries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_date: Mapped[date] = mapped_column(index=True)
    value_date: Mapped[date]
    kind: Mapped[str] = mapped_column(String(32))
    memo: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str | None] = mapped_column(String(40), index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"), unique=True)
    created_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class JournalLine(Base):
    """A line of an entry: signed minor units, debit positive and credit negative, in one branch's books."""

    __tablename__ = "journal_lines"
    __table_args__ = (
        Index("ix_journal_lines_account_id_id", "account_id", "id"),
        Index("ix_journal_lines_gl_booking", "booking_date", "gl_code", "branch_code", "currency"),
        UniqueConstraint("entry_id", "line_no"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int]
    balance_after: Mapped[int | None]  # the sub-ledger balance right after this line, for statements
    booking_date: Mapped[date]
    value_date: Mapped[date]
    narrative: Mapped[str] = mapped_column(String(120), default="")


class GLDailyBalance(Base):
    """Closing balance of a GL account in one branch and currency at the end of a business date."""

    __tablename__ = "gl_daily_balances"
    business_date: Mapped[date] = mapped_column(primary_key=True)
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"), primary_key=True)
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    day_debit: Mapped[int]
    day_credit: Mapped[int]
    balance: Mapped[int]
