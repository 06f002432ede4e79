"""Loan schemas shared by REST, web and CLI. Amounts are decimal strings; rates are percent strings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText
from corebank.loans.rules import MAX_TERM_MONTHS, METHODS

# A rate travels as text like an amount ("4.90" is 4.9 % a year), never as a JSON number; whether it is in range
# is the service's question, so a negative or oversized rate is answered with INVALID_RATE, not a schema error.
RateText = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]+)?$",
        max_length=16,
        examples=["4.90"],
        description='annual rate in percent as a decimal string, e.g. "4.90" for 4.9 %',
    ),
]


class SchedulePreviewRequest(BaseModel):
    """Preview a repayment schedule without a loan (a calculator): principal, rate, term and method."""

    principal: AmountText
    annual_rate: RateText
    # Range and method are checked by the loan rules, so bad values answer INVALID_TERM / INVALID_METHOD.
    term_months: int = Field(
        description=f"whole months from 1 to {MAX_TERM_MONTHS}",
        json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS},
    )
    method: str = Field(
        max_length=32,
        description="equal_installment (等额本息) · equal_principal (等额本金) · interest_only (先息后本) · "
        "bullet (到期一次还本付息)",
        json_schema_extra={"enum": list(METHODS)},
    )
    first_due_date: date | None = Field(
        default=None, description="the first repayment date; later ones fall on the same day each month"
    )
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


class ScheduleLineRead(BaseModel):
    period: int
    due_date: date | None
    opening_principal: str
    payment: str
    principal: str
    interest: str
    closing_principal: str


class SchedulePreview(BaseModel):
    currency: str
    principal: str
    annual_rate: str = Field(description="percent a year")
    term_months: int
    method: str
    first_due_date: date | None
    lines: list[ScheduleLineRead]
    total_payment: str
    total_principal: str
    total_interest: str


# ---------------------------------------------------------------------------------------------- applications

Documents = Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=30)]


class ApplicationCreate(BaseModel):
    """A loan application (贷款申请): who asks, for what, and what they earn and owe."""

    customer_number: str = Field(max_length=24)
    product_code: str = Field(max_length=32, examples=["PERSONAL_LOAN_CNY"])
    amount: AmountText
    term_months: int = Field(json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS})
    method: str = Field(max_length=32, json_schema_extra={"enum": list(METHODS)})
    purpose: str = Field(min_length=2, max_length=200)
    monthly_income: AmountText
    monthly_debt_payments: AmountText = "0.00"
    employment: str = Field(
        max_length=32,
        description="civil_servant · state_enterprise · private_enterprise · retired · self_employed · unemployed",
    )
    employment_years: int = Field(default=0, ge=0, le=60)
    documents: Documents = Field(default_factory=list, description="documents received, e.g. id_card")
    repay_account: str | None = Field(
        default=None,
        max_length=24,
        description="the borrower's demand account for disbursement and repayment",
    )


class FactorRead(BaseModel):
    name: str
    value: str
    band: str
    points: int


class ApplicationRead(BaseModel):
    application_id: int
    customer_number: str
    customer_name: str
    product_code: str
    currency: str
    amount: str
    term_months: int
    method: str
    purpose: str
    monthly_income: str
    monthly_debt_payments: str
    employment: str
    employment_years: int
    documents: list[str]
    repay_account: str | None
    status: str = Field(description="submitted · scored · approved · rejected · cancelled")
    score: int | None
    rating: str | None
    pd: str | None = Field(description="probability of default, a fraction")
    scorecard: str | None
    factors: list[FactorRead]
    approved_amount: str | None
    approved_term_months: int | None
    approved_rate: str | None
    approved_method: str | None
    decided_by: str | None
    decision_reason: str
    loan_number: str | None
    branch_code: str
    created_by: str
    submitted_on: date


class ApplicationPage(BaseModel):
    items: list[ApplicationRead]
    next_cursor: str | None


class ApprovalTerms(BaseModel):
    """Approve, as asked or with changed terms (amount, term, method, rate), with an optional note."""

    amount: AmountText | None = None
    term_months: int | None = Field(
        default=None, json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS}
    )
    method: str | None = Field(default=None, max_length=32)
    annual_rate: RateText | None = None
    repay_account: str | None = Field(default=None, max_length=24)
    reason: str = Field(default="", max_length=200)


class Rejection(BaseModel):
    reason: str = Field(min_length=3, max_length=200)


# ---------------------------------------------------------------------------------------------- loans


class LoanRead(BaseModel):
    loan_number: str
    application_id: int
    customer_number: str
    product_code: str
    currency: str
    method: str
    term_months: int
    contract_amount: str
    disbursed_amount: str
    outstanding_principal: str
    annual_rate: str
    rate_type: str
    status: str = Field(description="contracted · active · closed · written_off")
    branch_code: str
    repay_account: str
    contracted_on: date
    first_disbursed_on: date | None
    maturity_date: date | None
    next_due_date: date | None
    next_payment: str = Field(description="what is left to pay of the installment due next")
    overdue_principal: str
    overdue_interest: str
    penalty_owed: str
    accrued_interest: str
    days_past_due: int
    classification: str
    provision: str
    restructured: bool
    schedule_version: int
    written_off_amount: str
    recovered_amount: str


class LoanPage(BaseModel):
    items: list[LoanRead]
    next_cursor: str | None


class Disbursement(BaseModel):
    """Disburse the whole loan (no amount) or a tranche, into the borrower's account (default: the
    contract's repayment account)."""

    amount: AmountText | None = None
    to_account: str | None = Field(default=None, max_length=24)


class DisbursementRead(BaseModel):
    loan_number: str
    amount: str
    to_account: str
    entry_id: int
    disbursed_amount: str
    outstanding_principal: str
    schedule_version: int
    status: str


class RepaymentRequest(BaseModel):
    """Repay what is due at the counter: from an account of the borrower, or cash into the teller's till."""

    amount: AmountText
    from_account: str | None = Field(default=None, max_length=24)
    cash: bool = False


class PrepaymentRequest(BaseModel):
    """Repay early (提前还款): all of it (`full`), or `amount` of principal, then either keep the installment
    and shorten the term (shorten_term) or keep the term and lower the installment (lower_installment)."""

    full: bool = False
    amount: AmountText | None = Field(default=None, description="principal to repay early (not with full)")
    mode: str = Field(default="shorten_term", description="shorten_term · lower_installment")
    from_account: str | None = Field(default=None, max_length=24)
    cash: bool = False


class RepaymentRead(BaseModel):
    loan_number: str
    kind: str
    amount: str
    penalty: str
    interest: str
    principal: str
    fee: str
    entry_id: int | None
    booked_on: date
    outstanding_principal: str
    status: str
    next_due_date: date | None
    schedule_version: int


class InstallmentRead(BaseModel):
    period: int
    due_date: date
    period_start: date
    principal: str
    interest: str
    payment: str
    paid_principal: str
    paid_interest: str
    status: str = Field(description="pending · due (past its date, unpaid) · paid · superseded")


class ScheduleRead(BaseModel):
    loan_number: str
    currency: str
    version: int
    reason: str
    status: str
    principal: str
    annual_rate: str
    method: str
    made_on: date
    made_by: str
    lines: list[InstallmentRead]
    versions: list[int]
