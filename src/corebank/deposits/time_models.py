"""Time deposit (整存整取) tables: the deposits, their certificates (存单), loss reports (挂失) and interest paid."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class TimeDeposit(Base):
    """One time deposit. `id` is its sub-ledger account's id under GL 2012 (its balance is the principal);
    `principal` mirrors it for the rules. `term_start`, `annual_rate` and `maturity_date` describe the
    current term (a rollover starts a new one). `status`: active · matured (held past maturity, waiting for
    the holder) · closed."""

    __tablename__ = "time_deposits"
    __table_args__ = (
        Index("ix_time_deposits_maturity", "status", "maturity_date"),
        Index("ix_time_deposits_customer", "customer_id", "id"),
    )
    id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False)
    certificate_number: Mapped[str] = mapped_column(String(24), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    currency: Mapped[str] = mapped_column(String(3))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    gl_code: Mapped[str] = mapped_column(ForeignKey("gl_accounts.code"))
    term_months: Mapped[int] = mapped_column(Integer)
    opening_principal: Mapped[int]
    principal: Mapped[int]
    annual_rate: Mapped[str] = mapped_column(String(12))  # percent, fixed for the current term
    opened_on: Mapped[date]
    term_start: Mapped[date]
    maturity_date: Mapped[date]
    maturity_instruction: Mapped[str] = mapped_column(String(40))
    linked_account_id: Mapped[int | None] = mapped_column(ForeignKey("deposit_accounts.id"))
    partial_withdrawals: Mapped[int] = mapped_column(Integer, default=0)
    interest_paid: Mapped[int] = mapped_column(default=0)  # all interest booked so far, every term
    rollovers: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))
    matured_on: Mapped[date | None]  # the maturity that left it held (status matured)
    closed_on: Mapped[date | None]
    opened_by: Mapped[str] = mapped_column(String(64))


class TimeDepositCertificate(Base):
    """Every certificate number a deposit has carried: the valid one, and those voided by a reissue (补发).
    Numbers are never reused."""

    __tablename__ = "time_deposit_certificates"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("time_deposits.id"), index=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)
    status: Mapped[str] = mapped_column(String(16))  # valid | void
    issued_on: Mapped[date]
    issued_by: Mapped[str] = mapped_column(String(64))
    voided_on: Mapped[date | None]
    void_reason: Mapped[str] = mapped_column(String(120), default="")


class TimeDepositLossReport(Base):
    """A certificate loss report (挂失): oral (口头, blocks for 5 days then lapses) or written (书面, blocks until
    released or, after 7 days, the reissue). `status`: active · released · lapsed · superseded · reissued ·
    settled (the deposit was paid out under it)."""

    __tablename__ = "time_deposit_loss_reports"
    __table_args__ = (Index("ix_time_deposit_loss_reports_deposit", "deposit_id", "status"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("time_deposits.id"))
    certificate_number: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))  # oral | written
    status: Mapped[str] = mapped_column(String(16))
    reported_on: Mapped[date]
    reported_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    closed_on: Mapped[date | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))
    reported_at: Mapped[datetime]


class TimeDepositInterest(Base):
    """One interest payment of a time deposit (利息清单), the lines of its interest certificate: on what
    principal, at which rate, for how long, and the amount booked."""

    __tablename__ = "time_deposit_interest"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    deposit_id: Mapped[int] = mapped_column(ForeignKey("time_deposits.id"), index=True)
    paid_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(24))  # maturity | rollover | early_withdrawal | past_maturity
    principal: Mapped[int]
    annual_rate: Mapped[str] = mapped_column(String(12))
    period_from: Mapped[date]
    period_to: Mapped[date]
    basis: Mapped[str] = mapped_column(String(16))  # "12M" (term) or "35D" (days ÷ 360)
    amount: Mapped[int]
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
