"""Transfer schemas."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class TransferCreate(BaseModel):
    from_account: str = Field(min_length=8, max_length=24)
    to_account: str = Field(min_length=8, max_length=24)
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    memo: str = Field(default="", max_length=120)


class TransferRead(BaseModel):
    status: Literal["posted", "reversed"] = "posted"
    entry_id: int
    from_account: str
    to_account: str
    amount: str
    currency: str
    memo: str
    booking_date: date
    from_balance_after: str
    reversed_by: int | None = None


class ReversalRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class ReversalPending(BaseModel):
    status: Literal["pending_approval"] = "pending_approval"
    approval_id: int
    entry_id: int
    summary: str
