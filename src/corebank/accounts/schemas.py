"""Account schemas shared by REST, web and CLI."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class AccountOpen(BaseModel):
    customer_number: str = Field(min_length=4, max_length=16)
    product_code: str = Field(default="DEMAND_CNY", max_length=32)
    account_class: Literal[1, 2, 3] = 1
    linked_account: str | None = Field(
        default=None, description="the customer's Type I account, for Type II/III"
    )
    opening_deposit: AmountText | None = Field(
        default=None, description="cash paid in at opening, into your till"
    )


class AccountRead(BaseModel):
    number: str
    customer_number: str
    name: str
    product_code: str
    account_class: int
    currency: str
    branch_code: str
    status: str
    debit_blocked: bool
    credit_blocked: bool
    balance: str
    available_balance: str
    held: str
    overdraft_limit: str
    opened_on: date
    closed_on: date | None


class Transaction(BaseModel):
    line_id: int
    entry_id: int
    booking_date: date
    value_date: date
    kind: str
    memo: str
    reference: str | None
    amount: str = Field(description="signed: positive credits the customer, negative debits")
    balance_after: str | None
    channel: str
    reverses_entry: int | None
    created_at: datetime


class TransactionPage(BaseModel):
    account: str
    currency: str
    items: list[Transaction]
    next_cursor: str | None = None


class CashOperation(BaseModel):
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    memo: str = Field(default="", max_length=120)


class CashReceipt(BaseModel):
    status: Literal["posted"] = "posted"
    entry_id: int
    voucher: str
    account: str
    amount: str
    currency: str
    balance: str
    available_balance: str
    booking_date: date


class PendingApproval(BaseModel):
    status: Literal["pending_approval"] = "pending_approval"
    approval_id: int
    summary: str


class FreezeRequest(BaseModel):
    kind: Literal["full", "partial"]
    amount: AmountText | None = None
    reason: str = Field(min_length=1, max_length=200)
    authority: str = Field(
        default="", max_length=120, description="e.g. the court ordering a judicial freeze"
    )
    document_no: str = Field(default="", max_length=60)
    expires_on: date | None = None


class UnfreezeRequest(BaseModel):
    freeze_id: int | None = Field(default=None, description="which freeze; needed when several are active")
    reason: str = Field(min_length=1, max_length=200)


class HoldRequest(BaseModel):
    amount: AmountText
    reason: str = Field(min_length=1, max_length=200)
    expires_on: date | None = None


class HoldRead(BaseModel):
    id: int
    account: str
    kind: str
    amount: str
    reason: str
    authority: str
    document_no: str
    expires_on: date | None
    status: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None


class BlockRequest(BaseModel):
    debit_blocked: bool | None = None
    credit_blocked: bool | None = None
    reason: str = Field(min_length=1, max_length=200)


class CloseRequest(BaseModel):
    settle_to: Literal["none", "cash", "account"] = "none"
    to_account: str | None = None
    reason: str = Field(default="customer request", max_length=200)


class AccountClosedRead(BaseModel):
    account: AccountRead
    settled_amount: str
    settled_to: str
    entry_id: int | None
    voucher: str | None
