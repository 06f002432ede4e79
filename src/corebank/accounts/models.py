"""Deposit accounts and the holds and freezes on them. Balances live in the ledger's sub-ledger account."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class DepositAccount(Base):
    """A customer's deposit account. `id` is its ledger account's id (one sub-ledger account each)."""

    __tablename__ = "deposit_accounts"
    __table_args__ = (Index("ix_deposit_accounts_customer", "customer_id", "status"),)
    id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    account_class: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, 3: Ⅰ/Ⅱ/Ⅲ类户
    linked_account_id: Mapped[int | None] = mapped_column(ForeignKey("deposit_accounts.id"))
    currency: Mapped[str] = mapped_column(String(3))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    status: Mapped[str] = mapped_column(String(16))  # active | dormant | frozen | closed
    debit_blocked: Mapped[bool] = mapped_column(Boolean, default=False)  # 只收不付
    credit_blocked: Mapped[bool] = mapped_column(Boolean, default=False)  # 只付不收
    name: Mapped[str] = mapped_column(String(120))
    opened_on: Mapped[date]
    opened_by: Mapped[str] = mapped_column(String(64))
    closed_on: Mapped[date | None]
    # Class II/III outflow counters (non-linked transfers and cash), reset by date and year.
    out_day: Mapped[date | None]
    out_day_total: Mapped[int] = mapped_column(default=0)
    out_year: Mapped[int | None]
    out_year_total: Mapped[int] = mapped_column(default=0)


class AccountHold(Base):
    """A hold (止付), partial freeze (部分冻结, by amount) or full freeze (全部冻结) on an account."""

    __tablename__ = "account_holds"
    __table_args__ = (Index("ix_account_holds_account_status", "account_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("deposit_accounts.id"))
    kind: Mapped[str] = mapped_column(String(16))  # hold | freeze_partial | freeze_full
    amount: Mapped[int] = mapped_column(default=0)
    reason: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str] = mapped_column(String(120), default="")
    document_no: Mapped[str] = mapped_column(String(60), default="")
    expires_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16))  # active | released | expired
    placed_by: Mapped[str] = mapped_column(String(64))
    placed_at: Mapped[datetime]
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[datetime | None]
