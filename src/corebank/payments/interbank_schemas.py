"""Interbank payment schemas: the teller's request, and a payment as staff see it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class InterbankCreate(BaseModel):
    """Send money to an account at another bank (跨行转账) through clearing."""

    from_account: str = Field(min_length=8, max_length=24)
    creditor_bank_code: str = Field(min_length=1, max_length=20)
    creditor_account: str = Field(min_length=1, max_length=34)
    creditor_name: str = Field(min_length=1, max_length=140)
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    urgent: bool = False
    remittance: str = Field(default="", max_length=140)


class InterbankRead(BaseModel):
    payment_id: int
    direction: Literal["out", "in"]
    system: str
    status: str
    tx_id: str
    end_to_end_id: str
    msg_id: str | None
    debtor_bank_code: str
    debtor_account: str
    debtor_name: str
    creditor_bank_code: str
    creditor_account: str
    creditor_name: str
    amount: str
    fee: str
    currency: str
    remittance: str
    urgent: bool
    value_date: date
    reason_code: str | None
    reason_text: str
    return_id: str | None
    return_date: date | None = None
    funding_entry_id: int | None
    settle_entry_id: int | None
    refund_entry_id: int | None
    created_at: datetime
    sent_at: datetime | None
    settled_at: datetime | None


class InterbankPage(BaseModel):
    items: list[InterbankRead]
    next_cursor: str | None


class SendCounts(BaseModel):
    """What one pass of the clearing sender did."""

    messages: int = 0
    sent: int = 0
    settled: int = 0
    accepted: int = 0
    rejected: int = 0
    returns_sent: int = 0
    returns_settled: int = 0
    failed_messages: int = 0
