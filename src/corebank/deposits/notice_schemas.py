"""Notice deposit and sweep agreement schemas shared by REST, web and CLI. Amounts are decimal strings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class NoticeDepositOpen(BaseModel):
    """Open a notice deposit from a demand account (`from_account`) or from cash into the teller's till."""

    product_code: str = Field(default="NOTICE_CNY", max_length=32)
    notice_days: Literal[1, 7] | None = Field(default=None, description="1 or 7 (or give term)")
    term: Literal["1D", "7D"] | None = Field(default=None, description='"1D" or "7D" (or give notice_days)')
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    from_account: str | None = Field(default=None, max_length=24, description="omit to pay in cash")
    customer_number: str | None = Field(
        default=None, max_length=16, description="whose deposit, when paid in cash"
    )
    memo: str = Field(default="", max_length=120)


class NoticeCreate(BaseModel):
    """Register a withdrawal notice (支取通知)."""

    amount: AmountText
    withdrawal_date: date


class NoticeRead(BaseModel):
    id: int
    deposit: str
    amount: str
    withdrawal_date: date
    status: str
    registered_on: date
    closed_on: date | None


class NoticeWithdrawalCreate(BaseModel):
    """Withdraw `amount`, or everything when it is omitted, to `to_account` or in cash."""

    amount: AmountText | None = Field(default=None, description="omit to withdraw everything")
    to_account: str | None = Field(default=None, max_length=24, description="omit to pay out cash")
    memo: str = Field(default="", max_length=120)


class NoticeWithdrawalRead(BaseModel):
    status: Literal["posted"] = "posted"
    deposit: str
    entry_id: int
    voucher: str | None
    principal: str
    at_notice_rate: str
    notice_rate: str
    at_demand_rate: str
    demand_rate: str
    days_held: int
    interest: str
    total_paid: str
    currency: str
    paid_to: str
    deposit_balance: str
    deposit_status: str
    booking_date: date


class NoticeDepositRead(BaseModel):
    number: str
    customer_number: str
    product_code: str
    term: str
    notice_days: int
    currency: str
    branch_code: str
    principal: str
    balance: str
    status: str
    swept: bool
    sweep_agreement_id: int | None
    opened_on: date
    interest_from: date
    closed_on: date | None
    notices: list[NoticeRead] = Field(default_factory=list)


class SweepAgreementCreate(BaseModel):
    """Sign a sweep agreement (双利丰) on a Type I demand account."""

    account: str = Field(max_length=24)
    retained_balance: AmountText | None = Field(
        default=None, description="kept in the demand account; the bank's minimum when omitted"
    )
    notice_product_code: str | None = Field(
        default=None, max_length=32, description="NOTICE_CNY for individuals, CORP_NOTICE_CNY for companies"
    )


class SweepAgreementRead(BaseModel):
    id: int
    account: str
    customer_number: str
    retained_balance: str
    currency: str
    notice_product_code: str
    status: str
    signed_on: date
    last_swept_on: date | None
    cancelled_on: date | None
    swept_balance: str
    deposits: list[str] = Field(
        default_factory=list, description="active swept notice deposits, newest first"
    )


class SweepCancelRead(BaseModel):
    agreement: SweepAgreementRead
    drawn_back: str
    interest: str
