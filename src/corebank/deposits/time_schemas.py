"""Time deposit schemas shared by REST, web and CLI. Amounts are decimal strings; rates are percent strings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from corebank.deposits.time_rules import Instruction
from corebank.kernel.schemas import AmountText

IdNumber = Field(default=None, max_length=40, description="the holder's ID document number, when asked for")


class TimeDepositOpen(BaseModel):
    """Open a time deposit (整存整取) from a demand account (`from_account`) or from cash (`cash: true`)."""

    customer_number: str | None = Field(
        default=None,
        max_length=16,
        description="the holder; required with cash, else the from_account's owner",
    )
    from_account: str | None = Field(default=None, max_length=24, description="the holder's demand account")
    cash: bool = Field(default=False, description="paid in cash into your till")
    product_code: str = Field(default="TIME_CNY", max_length=32)
    term_months: int = Field(ge=1, le=600, description="a term the product offers: 3, 6, 12, 24, 36 or 60")
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    maturity_instruction: Instruction = "rollover_principal_and_interest"
    linked_account: str | None = Field(
        default=None,
        max_length=24,
        description="the holder's demand account that receives payments at maturity",
    )
    memo: str = Field(default="", max_length=120)


class TimeDepositRead(BaseModel):
    certificate_number: str
    customer_number: str
    name: str
    product_code: str
    currency: str
    branch_code: str
    term_months: int
    opening_principal: str
    principal: str
    annual_rate: str = Field(description="percent a year, fixed for the current term")
    opened_on: date
    term_start: date
    maturity_date: date
    maturity_instruction: str
    linked_account: str | None
    status: str = Field(description="active · matured (held past maturity) · closed")
    partial_withdrawals_used: int
    rollovers: int
    loss_report: str | None = Field(description="oral or written while a loss report blocks it")
    expected_interest: str = Field(description="interest for the current term at maturity")
    accrued_interest: str = Field(description="term interest earned so far, pro rata (information only)")
    interest_paid: str
    closed_on: date | None


class TimeDepositPage(BaseModel):
    items: list[TimeDepositRead]
    next_cursor: str | None


class EarlyWithdrawal(BaseModel):
    """Withdraw before maturity: `amount` (the one partial withdrawal) or `all: true`, to `to_account` or cash."""

    amount: AmountText | None = None
    all: bool = False
    to_account: str | None = Field(default=None, max_length=24)
    cash: bool = False
    id_number: str | None = IdNumber
    memo: str = Field(default="", max_length=120)


class MaturityWithdrawal(BaseModel):
    """Withdraw the whole deposit at or after maturity, to `to_account` or cash."""

    to_account: str | None = Field(default=None, max_length=24)
    cash: bool = False
    id_number: str | None = IdNumber
    memo: str = Field(default="", max_length=120)


class InterestLine(BaseModel):
    paid_on: date
    kind: str
    principal: str
    annual_rate: str
    period_from: date
    period_to: date
    basis: str
    amount: str


class TimeDepositPayout(BaseModel):
    status: Literal["posted"] = "posted"
    certificate_number: str
    principal_paid: str
    interest: str
    total: str
    currency: str
    paid_to: str = Field(description="the receiving account number, or cash")
    entry_id: int
    voucher: str
    remaining_principal: str
    deposit_status: str
    booking_date: date
    interest_lines: list[InterestLine]


class InstructionChange(BaseModel):
    maturity_instruction: Instruction
    linked_account: str | None = Field(default=None, max_length=24)


class LossReportCreate(BaseModel):
    kind: Literal["oral", "written"]
    id_number: str | None = Field(
        default=None, max_length=40, description="the holder's ID number: required for a written report"
    )
    reason: str = Field(default="", max_length=200)


class LossReportRead(BaseModel):
    certificate_number: str
    kind: str
    status: str
    reported_on: date
    blocks_until: date | None = Field(description="oral: the report lapses on this day")
    reissue_from: date | None = Field(description="written: reissue or withdrawal allowed from this day")


class HolderIdentity(BaseModel):
    id_number: str = Field(min_length=1, max_length=40)


class ReissueRead(BaseModel):
    old_certificate_number: str
    deposit: TimeDepositRead


class InterestCertificate(BaseModel):
    """What the interest certificate (利息清单) PDF shows."""

    bank_name: str
    deposit: TimeDepositRead
    lines: list[InterestLine]
    printed_on: date
