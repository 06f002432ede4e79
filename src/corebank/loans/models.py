"""Loan tables: applications, scorecards, the loans with their schedules (every version kept), disbursements,
repayments, classification history and the collections queue. Amounts are integer minor units; rates are percent
as decimal strings, and the one rate end of day multiplies in SQL is an integer (`penalty_rate_e8`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.db.base import Base, BigId


class Scorecard(Base):
    """A stored credit scorecard (the DOMAIN.md points card as data). Each (code, version) is kept for ever, so
    an application's score can always be explained by the card that made it."""

    __tablename__ = "loan_scorecards"
    __table_args__ = (UniqueConstraint("code", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # active | superseded
    definition: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


class LoanApplication(Base):
    """A loan application (贷款申请) and its decision. `status`: submitted → scored → approved (a contract was
    made: `loan_id`) | rejected | cancelled. The approved_* columns hold the terms the approver granted, which
    may differ from those asked for."""

    __tablename__ = "loan_applications"
    __table_args__ = (
        Index("ix_loan_applications_status", "status", "id"),
        Index("ix_loan_applications_customer", "customer_id", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"))
    currency: Mapped[str] = mapped_column(String(3))
    amount: Mapped[int]
    term_months: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(24))
    purpose: Mapped[str] = mapped_column(String(200))
    monthly_income: Mapped[int]
    monthly_debt_payments: Mapped[int]
    employment: Mapped[str] = mapped_column(String(32))
    employment_years: Mapped[int] = mapped_column(Integer, default=0)
    documents: Mapped[list] = mapped_column(JSON, default=list)
    repay_account_number: Mapped[str | None] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    score: Mapped[int | None] = mapped_column(Integer)
    rating: Mapped[str | None] = mapped_column(String(8))
    pd: Mapped[str | None] = mapped_column(String(12))
    scorecard_code: Mapped[str | None] = mapped_column(String(32))
    scorecard_version: Mapped[int | None] = mapped_column(Integer)
    score_detail: Mapped[dict | None] = mapped_column(JSON)
    scored_by: Mapped[str | None] = mapped_column(String(64))
    approved_amount: Mapped[int | None]
    approved_term_months: Mapped[int | None] = mapped_column(Integer)
    approved_rate: Mapped[str | None] = mapped_column(String(12))
    approved_method: Mapped[str | None] = mapped_column(String(24))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str] = mapped_column(String(200), default="")
    loan_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    submitted_on: Mapped[date]


class Loan(Base):
    """A loan contract. `id` is the id of its principal account in the ledger (a sub-ledger account under GL
    1301 whose balance is the outstanding principal).

    The current period drives the daily interest accrual: `period_interest` is the scheduled interest of the
    installment due on `next_due_date`, and `accrued_interest` what end of day has accrued of it since
    `period_start`: accrual_base + round half up((period_interest − accrual_base) × days elapsed ÷ days in the
    period), the day of `period_start` counted and the due date not (算头不算尾), so it reaches the scheduled
    figure exactly on the day before the due date. `overdue_principal` / `overdue_interest` are what is unpaid of
    installments already due; `overdue_since` is the oldest unpaid due date. Penalty (罚息) and compound (复利)
    interest accrue in millionths of a minor unit (`penalty_micros`); `penalty_accrued` is that figure rounded
    half up (what the books hold as receivable) and `penalty_paid` what was repaid of it.

    `status`: contracted (approved, nothing disbursed) · active · closed · written_off."""

    __tablename__ = "loans"
    __table_args__ = (
        Index("ix_loans_status_due", "status", "next_due_date"),
        Index("ix_loans_customer", "customer_id", "id"),
    )
    id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True, autoincrement=False)
    loan_number: Mapped[str] = mapped_column(String(24), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("loan_applications.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    product_code: Mapped[str] = mapped_column(ForeignKey("products.code"))
    branch_code: Mapped[str] = mapped_column(ForeignKey("branches.code"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    method: Mapped[str] = mapped_column(String(24))
    term_months: Mapped[int] = mapped_column(Integer)
    contract_amount: Mapped[int]
    disbursed_amount: Mapped[int] = mapped_column(default=0)
    annual_rate: Mapped[str] = mapped_column(String(12))  # percent, the rate in force
    rate_type: Mapped[str] = mapped_column(String(12))  # fixed | floating
    base_rate_code: Mapped[str | None] = mapped_column(String(16))
    spread: Mapped[str | None] = mapped_column(String(12))  # percent over the base rate
    next_reprice_date: Mapped[date | None]
    penalty_markup: Mapped[str] = mapped_column(String(12))  # fraction: "0.5" = contract rate × 1.5
    penalty_rate_e8: Mapped[int]  # annual penalty rate as a fraction × 10^8 (0.0735 → 7_350_000)
    compound: Mapped[bool] = mapped_column(Boolean, default=False)
    grace_days: Mapped[int] = mapped_column(Integer, default=0)
    prepayment_fee_rate: Mapped[str] = mapped_column(String(12), default="0")  # fraction of principal prepaid
    repay_account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    repay_account_number: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    contracted_on: Mapped[date]
    first_disbursed_on: Mapped[date | None]
    maturity_date: Mapped[date | None]
    closed_on: Mapped[date | None]
    schedule_version: Mapped[int] = mapped_column(Integer, default=0)
    period_start: Mapped[date | None]
    next_due_date: Mapped[date | None]
    period_interest: Mapped[int] = mapped_column(default=0)
    # Interest of the period already recognised when the period was cut and restarted on `period_start` (a
    # tranche or a change of schedule mid-period); the accrual spreads only the rest over the remaining days.
    accrual_base: Mapped[int] = mapped_column(default=0)
    accrued_interest: Mapped[int] = mapped_column(default=0)
    overdue_principal: Mapped[int] = mapped_column(default=0)
    overdue_interest: Mapped[int] = mapped_column(default=0)
    overdue_since: Mapped[date | None]
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    penalty_micros: Mapped[int] = mapped_column(default=0)
    penalty_accrued: Mapped[int] = mapped_column(default=0)
    penalty_paid: Mapped[int] = mapped_column(default=0)
    classification: Mapped[str] = mapped_column(String(16), default="normal")
    classification_floor: Mapped[str] = mapped_column(String(16), default="normal")
    # A credit officer's class (worse than the floor, never better) and why; `classification` is the worse of
    # the floor and this.
    officer_classification: Mapped[str | None] = mapped_column(String(16))
    classification_reason: Mapped[str] = mapped_column(String(200), default="")
    provision: Mapped[int] = mapped_column(default=0)  # loan-loss provision held for this loan
    restructured: Mapped[bool] = mapped_column(Boolean, default=False)
    written_off_amount: Mapped[int] = mapped_column(default=0)
    written_off_on: Mapped[date | None]
    recovered_amount: Mapped[int] = mapped_column(default=0)
    approved_by: Mapped[str] = mapped_column(String(64))
    officer: Mapped[str] = mapped_column(String(64))
    # The last business date whose penalty (罚息) and compound interest end of day has accrued: a re-run of the
    # penalty step on the same day adds nothing twice.
    penalty_through: Mapped[date | None]


class LoanSchedule(Base):
    """One version of a loan's repayment schedule. A new version is made at disbursement and on every
    repricing, prepayment or restructuring; earlier versions stay (status superseded) as the loan's history."""

    __tablename__ = "loan_schedules"
    __table_args__ = (UniqueConstraint("loan_id", "version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    version: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(
        String(24)
    )  # disbursement | tranche | repricing | prepayment | restructuring
    status: Mapped[str] = mapped_column(String(16))  # current | superseded
    principal: Mapped[int]
    annual_rate: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(24))
    made_on: Mapped[date]
    made_by: Mapped[str] = mapped_column(String(64))


class LoanInstallment(Base):
    """One period of a schedule version: what is due on `due_date` and what has been paid of it. `status`:
    pending · due (the date passed, something unpaid) · paid."""

    __tablename__ = "loan_installments"
    __table_args__ = (
        UniqueConstraint("schedule_id", "period"),
        Index("ix_loan_installments_loan_due", "loan_id", "status", "due_date"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("loan_schedules.id"))
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    period: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date]
    period_start: Mapped[date]
    principal: Mapped[int]
    interest: Mapped[int]
    paid_principal: Mapped[int] = mapped_column(default=0)
    paid_interest: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))
    paid_on: Mapped[date | None]


class LoanDisbursement(Base):
    """A disbursement (放款): the whole loan or one tranche, credited to the borrower's deposit account."""

    __tablename__ = "loan_disbursements"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"), index=True)
    amount: Mapped[int]
    account_number: Mapped[str] = mapped_column(String(24))
    entry_id: Mapped[int] = mapped_column(ForeignKey("journal_entries.id"))
    disbursed_on: Mapped[date]
    disbursed_by: Mapped[str] = mapped_column(String(64))


class LoanRepayment(Base):
    """Money received for a loan, split in the allocation order. `kind`: auto_debit (end of day, from the
    linked account) · counter · prepayment · recovery (after write-off)."""

    __tablename__ = "loan_repayments"
    __table_args__ = (Index("ix_loan_repayments_loan", "loan_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int]
    penalty: Mapped[int] = mapped_column(default=0)
    interest: Mapped[int] = mapped_column(default=0)
    principal: Mapped[int] = mapped_column(default=0)
    fee: Mapped[int] = mapped_column(default=0)
    recovery: Mapped[int] = mapped_column(default=0)
    account_number: Mapped[str | None] = mapped_column(String(24))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("journal_entries.id"))
    booked_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(64))


class LoanClassification(Base):
    """Every change of a loan's five-tier classification (五级分类): by end of day (the days-past-due floor) or by
    a credit officer (worse than the floor, with a reason)."""

    __tablename__ = "loan_classifications"
    __table_args__ = (Index("ix_loan_classifications_loan", "loan_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    from_class: Mapped[str] = mapped_column(String(16))
    to_class: Mapped[str] = mapped_column(String(16))
    days_past_due: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    changed_on: Mapped[date]
    changed_by: Mapped[str] = mapped_column(String(64))


class CollectionAction(Base):
    """A step in collecting an overdue loan (催收): a call, a letter, a visit, a promise to pay. A promise has an
    amount and a date; end of day marks it kept or broken."""

    __tablename__ = "loan_collection_actions"
    __table_args__ = (Index("ix_loan_collection_actions_loan", "loan_id", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    loan_id: Mapped[int] = mapped_column(ForeignKey("loans.id"))
    action: Mapped[str] = mapped_column(String(16))  # call | sms | letter | visit | promise | legal
    note: Mapped[str] = mapped_column(String(400), default="")
    promise_amount: Mapped[int | None]
    promise_date: Mapped[date | None]
    promise_status: Mapped[str | None] = mapped_column(String(16))  # open | kept | broken
    created_on: Mapped[date]
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
