"""Schemas of billers and bill payment, direct debit mandates and standing orders, shared by REST and CLI.
Amounts are decimal strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText

Currency = Field(default="CNY", pattern=r"^[A-Z]{3}$")

# ---------------------------------------------------------------------------------------------- billers


class BillerCreate(BaseModel):
    """Register a biller (收费单位) paid into its settlement account in this bank."""

    code: str = Field(pattern=r"^[A-Z0-9_]{2,16}$", examples=["CITY_POWER"])
    name: str = Field(min_length=1, max_length=140)
    category: Literal["utilities", "telecom", "other"]
    settlement_account: str = Field(min_length=8, max_length=24)
    currency: str = Currency
    reference_pattern: str = Field(
        min_length=1,
        max_length=200,
        examples=[r"[0-9]{10}"],
        description="a regular expression the whole bill reference must match",
    )
    check_digit: Literal["none", "luhn", "mod97"] = Field(
        default="none",
        description="luhn: the last digit is the Luhn check digit · mod97: ISO 7064 MOD 97-10 (as in an IBAN)",
    )
    min_amount: AmountText = "0.01"
    max_amount: AmountText | None = None


class BillerRead(BaseModel):
    code: str
    name: str
    category: str
    settlement_account: str
    currency: str
    reference_pattern: str
    check_digit: str
    min_amount: str
    max_amount: str | None
    status: str


class BillPaymentCreate(BaseModel):
    """Pay a bill (缴费) from an account to a registered biller."""

    from_account: str = Field(min_length=8, max_length=24)
    biller_code: str = Field(min_length=1, max_length=16)
    reference: str = Field(min_length=1, max_length=64, description="the customer's number at the biller")
    amount: AmountText
    currency: str = Currency


class BillPaymentRead(BaseModel):
    entry_id: int
    biller_code: str
    biller_name: str
    reference: str
    from_account: str
    amount: str
    currency: str
    booking_date: date
    from_balance_after: str


# ---------------------------------------------------------------------------------------------- mandates


class MandateCreate(BaseModel):
    """A direct debit mandate (代扣协议): the customer lets a creditor debit their account within limits."""

    customer_number: str = Field(max_length=24)
    debtor_account: str = Field(min_length=8, max_length=24)
    biller_code: str | None = Field(default=None, max_length=16, description="the creditor, when a biller")
    creditor_account: str | None = Field(
        default=None, max_length=24, description="the creditor, when an account in this bank"
    )
    creditor_reference: str = Field(
        default="", max_length=64, description="the customer's number at the creditor (checked for a biller)"
    )
    limit_per_debit: AmountText
    limit_per_month: AmountText
    currency: str = Currency
    start_date: date | None = Field(default=None, description="default: today")
    expiry_date: date
    mandate_ref: str | None = Field(
        default=None, pattern=r"^[A-Za-z0-9\-]{1,35}$", description="default: one the bank assigns"
    )


class MandateRead(BaseModel):
    mandate_id: int
    mandate_ref: str
    customer_number: str
    debtor_account: str
    biller_code: str | None
    creditor_account: str
    creditor_reference: str
    limit_per_debit: str
    limit_per_month: str
    currency: str
    start_date: date
    expiry_date: date
    status: str
    month_start: date | None
    month_collected: str
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str
    created_by: str


class MandateRevoke(BaseModel):
    reason: str = Field(default="", max_length=200)


class CollectionCreate(BaseModel):
    """Collect under a mandate now (on demand)."""

    amount: AmountText
    creditor_reference: str | None = Field(
        default=None, max_length=64, description="default: the mandate's reference"
    )


class DebitSchedule(BaseModel):
    """Put a direct debit on a due date; end of day collects it."""

    amount: AmountText
    due_date: date
    creditor_reference: str | None = Field(default=None, max_length=64)


class DirectDebitRead(BaseModel):
    debit_id: int
    mandate_id: int
    mandate_ref: str
    creditor_reference: str
    amount: str
    currency: str
    due_date: date
    status: str
    attempts: int
    next_attempt_date: date | None
    last_error: str | None
    entry_id: int | None


# ---------------------------------------------------------------------------------------------- standing orders


class StandingOrderCreate(BaseModel):
    """A standing order (定期转账): a fixed amount paid on a schedule until an end date or cancellation."""

    from_account: str = Field(min_length=8, max_length=24)
    to_account: str = Field(min_length=1, max_length=34)
    to_bank_code: str | None = Field(
        default=None, pattern=r"^[0-9]{12}$", description="another bank's 12-digit code; none: this bank"
    )
    to_name: str = Field(default="", max_length=140, description="the payee's name (needed at another bank)")
    amount: AmountText
    currency: str = Currency
    frequency: Literal["monthly", "weekly"] = "monthly"
    day: int | None = Field(
        default=None,
        description="monthly: day of the month 1-31 (the last day in a shorter month); weekly: 1 Monday .. 7 "
        "Sunday. Default: the start date's",
    )
    start_date: date | None = Field(default=None, description="default: today")
    end_date: date | None = None
    memo: str = Field(default="", max_length=140)


class StandingOrderRunRead(BaseModel):
    run_date: date
    status: str
    amount: str
    entry_id: int | None
    interbank_payment_id: int | None
    error: str | None
    detail: str


class StandingOrderRead(BaseModel):
    order_id: int
    from_account: str
    to_account: str
    to_bank_code: str | None
    to_name: str
    amount: str
    currency: str
    frequency: str
    day: int
    start_date: date
    end_date: date | None
    next_run_date: date | None
    status: str
    failures: int
    last_error: str | None
    memo: str
    created_by: str
    runs: list[StandingOrderRunRead] = Field(default_factory=list)
