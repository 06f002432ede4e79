"""Teller schemas."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText


class TillOpen(BaseModel):
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    opening_cash: AmountText | None = Field(default=None, description="cash taken from the vault at opening")


class CashMove(BaseModel):
    amount: AmountText
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


class TillClose(BaseModel):
    counted: AmountText = Field(description="the cash counted in the drawer")
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


class TillRead(BaseModel):
    id: int
    username: str
    branch_code: str
    business_date: date
    currency: str
    status: str
    balance: str
    counted: str | None
    difference: str | None
    opened_at: datetime
    closed_at: datetime | None


class VaultRead(BaseModel):
    branch_code: str
    currency: str
    balance: str
