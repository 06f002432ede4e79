"""Billers, direct debit mandates (代扣) and their debits, standing orders and their runs. Amounts are integer
minor units.

A biller (a utility, a telecom operator) is paid into its settlement account in this bank; a customer's bill
reference is checked against the biller's rule (a regular expression and an optional check digit).
A mandate lets a creditor (a biller, or an account in this bank) debit a customer's account within a limit per
debit and per calendar month until it expires or is revoked. A direct debit is one collection under it:
scheduled (for a due date, collected by end of day) → collected | failed (a retry may be due on
`next_attempt_date`) | cancelled (the mandate ended first).
A standing order pays a fixed amount from an account on a schedule (monthly on a day, weekly on a weekday) to
an account in this bank or at another bank (through clearing); each run it makes is kept.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Biller(Base):
    __tablename__ = "billers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(140))
    category: Mapped[str] = mapped_column(String(16))  # utilities | telecom | other
    settlement_account_id: Mapped[int]
    settlement_account: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    reference_pattern: Mapped[str] = mapped_column(String(200))  # a full-match regular expression
    check_digit: Mapped[str] = mapped_column(String(8))  # none | luhn | mod97
    min_amount: Mapped[int]
    max_amount: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16))  # active | suspended
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class Mandate(Base):
    __tablename__ = "mandates"
    __table_args__ = (
        Index("ix_mandates_debtor", "debtor_account_id", "id"),
        Index("ix_mandates_status_expiry", "status", "expiry_date"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    mandate_ref: Mapped[str] = mapped_column(String(35), unique=True)
    customer_id: Mapped[int]
    debtor_account_id: Mapped[int]
    debtor_account: Mapped[str] = mapped_column(String(24))
    branch_code: Mapped[str] = mapped_column(String(8))  # the debtor account's branch
    # The creditor: a registered biller (paid into its settlement account) or an account in this bank.
    biller_code: Mapped[str | None] = mapped_column(String(16))
    creditor_account_id: Mapped[int]
    creditor_account: Mapped[str] = mapped_column(String(24))
    creditor_reference: Mapped[str] = mapped_column(String(64), default="")  # the debtor's number there
    limit_per_debit: Mapped[int]
    limit_per_month: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[date]
    expiry_date: Mapped[date]  # the last day a debit may be collected
    status: Mapped[str] = mapped_column(String(16))  # active | revoked | expired
    # What was collected in the calendar month starting `month_start` (counted against `limit_per_month`).
    month_start: Mapped[date | None]
    month_collected: Mapped[int] = mapped_column(default=0)
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(64))
    revoke_reason: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class DirectDebit(Base):
    __tablename__ = "direct_debits"
    __table_args__ = (
        UniqueConstraint("mandate_id", "request_key"),
        Index("ix_direct_debits_mandate", "mandate_id", "id"),
        Index("ix_direct_debits_status", "status", "next_attempt_date", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    mandate_id: Mapped[int]
    creditor_reference: Mapped[str] = mapped_column(String(64), default="")
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # scheduled | collected | failed | cancelled
    attempts: Mapped[int] = mapped_column(default=0)
    # The date of the next attempt (scheduled: the due date; failed: the retry); None once final.
    next_attempt_date: Mapped[date | None]
    last_attempt_date: Mapped[date | None]  # guards end of day: one attempt a day
    last_error: Mapped[str | None] = mapped_column(String(40))
    entry_id: Mapped[int | None]
    request_key: Mapped[str | None] = mapped_column(String(128))  # the Idempotency-Key of an on-demand one
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    collected_at: Mapped[datetime | None]


class StandingOrder(Base):
    __tablename__ = "standing_orders"
    __table_args__ = (
        Index("ix_standing_orders_from", "from_account_id", "id"),
        Index("ix_standing_orders_due", "status", "next_run_date", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int]
    from_account_id: Mapped[int]
    from_account: Mapped[str] = mapped_column(String(24))
    payer_name: Mapped[str] = mapped_column(String(140))
    branch_code: Mapped[str] = mapped_column(String(8))  # the paying account's branch
    # The payee: an account in this bank (`to_bank_code` None) or one at another bank (through clearing).
    to_bank_code: Mapped[str | None] = mapped_column(String(12))
    to_account: Mapped[str] = mapped_column(String(34))
    to_account_id: Mapped[int | None]
    to_name: Mapped[str] = mapped_column(String(140), default="")
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[str] = mapped_column(String(8))  # monthly | weekly
    day: Mapped[
        int
    ]  # monthly: day of the month 1-31 (past the month's end: its last day); weekly: 1 = Monday
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    next_run_date: Mapped[date | None]  # None once ended, cancelled or suspended
    status: Mapped[str] = mapped_column(String(16))  # active | ended | cancelled | suspended
    failures: Mapped[int] = mapped_column(default=0)  # failed runs in a row
    last_error: Mapped[str | None] = mapped_column(String(40))
    memo: Mapped[str] = mapped_column(String(140), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))


class StandingOrderRun(Base):
    __tablename__ = "standing_order_runs"
    __table_args__ = (UniqueConstraint("order_id", "run_date"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int]
    run_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(16))  # posted | failed
    amount: Mapped[int]
    entry_id: Mapped[int | None]
    interbank_payment_id: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime]
