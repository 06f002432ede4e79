"""Notice deposit (通知存款) tables: the deposits, their withdrawal notices and withdrawals, and sweep agreements
(双利丰). Balances live in each deposit's own ledger account under GL 2014; amounts here are minor units."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class SweepAgreement(Base):
    """A sweep agreement on a Type I demand account: end of day moves what is above `retained_balance` into
    7-day notice deposits; a debit the demand balance cannot cover draws them back. `active_account_id` is the
    demand account while the agreement is active and NULL after, so one account has one active agreement
    (a unique column that both SQLite and PostgreSQL enforce the same way)."""

    __tablename__ = "sweep_agreements"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    active_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"), unique=True)
    account_number: Mapped[str] = mapped_column(String(24))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    branch_code: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    notice_product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    retained_balance: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # active | cancelled
    signed_on: Mapped[date]
    signed_by: Mapped[str] = mapped_column(String(64))
    last_swept_on: Mapped[date | None]  # end of day's guard: a day is swept once
    cancelled_on: Mapped[date | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))


class NoticeDeposit(Base):
    """A notice deposit. `id` is its ledger account's id (one sub-ledger account under GL 2014 each).
    `interest_from` is the value date interest counts from; `swept` marks one a sweep agreement opened
    (it rolls over by itself and needs no notice)."""

    __tablename__ = "notice_deposits"
    __table_args__ = (
        Index("ix_notice_deposits_customer", "customer_id", "status"),
        Index("ix_notice_deposits_agreement", "sweep_agreement_id", "status"),
    )
    id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    term: Mapped[str] = mapped_column(String(4))  # 1D | 7D
    currency: Mapped[str] = mapped_column(String(3))
    branch_code: Mapped[str] = mapped_column(String(8))
    gl_code: Mapped[str] = mapped_column(String(8))
    principal: Mapped[int]  # as opened
    status: Mapped[str] = mapped_column(String(16))  # active | closed
    swept: Mapped[bool] = mapped_column(Boolean, default=False)
    sweep_agreement_id: Mapped[int | None] = mapped_column(ForeignKey("sweep_agreements.id"))
    source_account_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_accounts.id"))
    opened_on: Mapped[date]
    interest_from: Mapped[date]
    opened_by: Mapped[str] = mapped_column(String(64))
    closed_on: Mapped[date | None]


class WithdrawalNotice(Base):
    """A withdrawal notice (支取通知): an amount and the date it will be withdrawn."""

    __tablename__ = "withdrawal_notices"
    __table_args__ = (
        Index("ix_withdrawal_notices_deposit", "deposit_id", "status"),
        Index("ix_withdrawal_notices_due", "status", "withdrawal_date"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("notice_deposits.id"))
    amount: Mapped[int]
    withdrawal_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # registered | used | cancelled | lapsed
    registered_on: Mapped[date]
    registered_by: Mapped[str] = mapped_column(String(64))
    registered_at: Mapped[datetime]
    closed_on: Mapped[date | None]  # used, cancelled or lapsed on
    closed_by: Mapped[str | None] = mapped_column(String(64))


class NoticeWithdrawal(Base):
    """One withdrawal (or sweep draw-back) of a notice deposit and how its interest was worked out."""

    __tablename__ = "notice_withdrawals"
    __table_args__ = (Index("ix_notice_withdrawals_deposit", "deposit_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("notice_deposits.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("withdrawal_notices.id"))
    withdrawn_on: Mapped[date]
    days_held: Mapped[int]
    at_notice_rate: Mapped[int]
    notice_rate: Mapped[str] = mapped_column(String(12))  # percent a year, as posted that day
    at_demand_rate: Mapped[int]
    demand_rate: Mapped[str] = mapped_column(String(12))
    interest: Mapped[int]
    paid_to: Mapped[str] = mapped_column(String(24))  # an account number, or "cash"
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    kind: Mapped[str] = mapped_column(String(16))  # withdrawal | draw_back | sweep_cancel
    created_by: Mapped[str] = mapped_column(String(64))
