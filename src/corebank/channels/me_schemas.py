"""Schemas of the customer's own banking (`/api/v1/me/...`). Amounts are decimal strings, never numbers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from corebank.deposits.time_rules import Instruction
from corebank.kernel.schemas import AmountText
from corebank.loans.rules import MAX_TERM_MONTHS
from corebank.loans.schemas import LoanRead, ScheduleRead

Currency = Field(default="CNY", pattern=r"^[A-Z]{3}$")
AccountNumber = Field(min_length=8, max_length=24, description="one of your accounts")
BankCode = Field(
    default=None,
    max_length=20,
    description="the payee bank's 12-digit CNAPS code; omit (or give this bank's) for an account in this bank",
)

# ---------------------------------------------------------------------------------------------- payees


class PayeeCreate(BaseModel):
    """Add a payee (收款人): an account in this bank (checked against its holder's name) or at another bank."""

    name: str = Field(min_length=1, max_length=140, description="the account holder's name")
    account_number: str = Field(min_length=1, max_length=34, pattern=r"^[0-9A-Za-z]+$")
    bank_code: str | None = BankCode
    nickname: str = Field(default="", max_length=64)


class PayeeRead(BaseModel):
    payee_id: int
    name: str
    account_number: str
    bank_code: str
    internal: bool = Field(description="true for an account in this bank")
    nickname: str
    created_at: datetime


# ---------------------------------------------------------------------------------------------- transfers


class SigningProof(BaseModel):
    """The one-time code of a signing challenge (POST /api/v1/me/signing/challenges) for this amount and payee."""

    challenge_id: int
    code: str = Field(min_length=4, max_length=12)


class TransferQuoteRequest(BaseModel):
    """What a transfer would cost: from one of your accounts to `to_account` (with `bank_code` for another
    bank) or to a saved payee (`payee_id`)."""

    from_account: str = AccountNumber
    to_account: str | None = Field(default=None, min_length=1, max_length=34, pattern=r"^[0-9A-Za-z]+$")
    payee_id: int | None = None
    bank_code: str | None = BankCode
    amount: AmountText
    currency: str = Currency


class TransferQuote(BaseModel):
    from_account: str
    to_account: str
    bank_code: str
    internal: bool
    amount: str
    fee: str
    total: str = Field(description="amount plus fee: what leaves your account")
    currency: str
    signing_required: bool = Field(description="a one-time code bound to amount and payee is needed")
    signing_payee: str = Field(description="the payee to name when asking for the signing challenge")
    limit_remaining_today: str | None = Field(description="what the daily transfer limit still allows")


class MyTransferCreate(TransferQuoteRequest):
    """Make the transfer (with an Idempotency-Key). Over the signing threshold, `signing` carries the code."""

    creditor_name: str | None = Field(
        default=None, max_length=140, description="the payee's name: required for another bank"
    )
    memo: str = Field(default="", max_length=120)
    signing: SigningProof | None = None


class MyTransferRead(BaseModel):
    transfer_id: int
    kind: Literal["internal", "interbank"]
    status: str = Field(
        description="internal: posted · interbank: created, sent, settled, rejected, returned"
    )
    from_account: str
    to_account: str
    bank_code: str
    creditor_name: str
    amount: str
    fee: str
    currency: str
    memo: str
    entry_id: int | None
    payment_id: int | None
    booking_date: date
    signed: bool
    channel: str
    created_at: datetime


class MyTransferPage(BaseModel):
    items: list[MyTransferRead]
    next_cursor: str | None


# ---------------------------------------------------------------------------------------------- bills


class MyBiller(BaseModel):
    code: str
    name: str
    category: str
    currency: str
    reference_pattern: str
    check_digit: str
    min_amount: str
    max_amount: str | None


class MyBillPayment(BaseModel):
    """Pay a bill (缴费) from one of your accounts; over the signing threshold `signing` carries the code for
    payee "biller:<code>:<reference>"."""

    from_account: str = AccountNumber
    biller_code: str = Field(min_length=1, max_length=16)
    reference: str = Field(min_length=1, max_length=64, description="your number at the biller")
    amount: AmountText
    currency: str = Currency
    signing: SigningProof | None = None


# ---------------------------------------------------------------------------------------------- time deposits


class MyTimeDepositOpen(BaseModel):
    """Buy a time deposit (整存整取) from one of your demand accounts."""

    from_account: str = AccountNumber
    product_code: str = Field(default="TIME_CNY", max_length=32)
    term_months: int = Field(ge=1, le=600, description="a term the product offers: 3, 6, 12, 24, 36 or 60")
    amount: AmountText
    currency: str = Currency
    maturity_instruction: Instruction = "rollover_principal_and_interest"
    linked_account: str | None = Field(
        default=None, max_length=24, description="your demand account that receives payments at maturity"
    )
    memo: str = Field(default="", max_length=120)


class MyEarlyWithdrawal(BaseModel):
    """Withdraw before maturity into one of your demand accounts: `amount` (the one partial withdrawal) or
    `all: true`."""

    amount: AmountText | None = None
    all: bool = False
    to_account: str = AccountNumber
    memo: str = Field(default="", max_length=120)


# ---------------------------------------------------------------------------------------------- loans


class MyLoanApplication(BaseModel):
    """Apply for a loan (贷款申请) as yourself."""

    product_code: str = Field(default="PERSONAL_LOAN_CNY", max_length=32)
    amount: AmountText
    term_months: int = Field(json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS})
    method: str = Field(default="equal_installment", max_length=32)
    purpose: str = Field(min_length=2, max_length=200)
    monthly_income: AmountText
    monthly_debt_payments: AmountText = "0.00"
    employment: str = Field(
        max_length=32,
        description="civil_servant · state_enterprise · private_enterprise · retired · self_employed · unemployed",
    )
    employment_years: int = Field(default=0, ge=0, le=60)
    repay_account: str | None = Field(
        default=None, max_length=24, description="your demand account for disbursement and repayment"
    )


class MyLoan(BaseModel):
    loan: LoanRead
    schedule: ScheduleRead | None = Field(description="the repayment schedule, once the loan is disbursed")


# ---------------------------------------------------------------------------------------------- limits, notices


class LimitChange(BaseModel):
    """Lower your own limit for a transaction type on this channel (never above the bank's)."""

    single: AmountText | None = Field(
        default=None, description="most per transaction; omit to keep the bank's"
    )
    daily: AmountText | None = Field(default=None, description="most per day; omit to keep the bank's")


class NotificationSettings(BaseModel):
    """When the bank sends you an SMS, and in which language."""

    sms_on_debit_over: AmountText | None = Field(
        default=None, description="an SMS for every debit above this amount; null: none"
    )
    sms_on_credit: bool = False
    sms_on_login: bool = True
    language: Literal["zh_CN", "en"] = "zh_CN"


class NotificationSettingsRead(NotificationSettings):
    currency: str
    updated_at: datetime | None = Field(description="null while the bank's defaults apply")
