"""Points (积分): what REST, the CLI and the console exchange."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

RULE_KINDS = ("card_spend", "holding")


class PointsRuleRead(BaseModel):
    """An earning rule. `rate`: points per yuan spent by card (card_spend), or per 10,000 yuan of a month's
    average daily deposits (holding). `updated_by` "settings" marks a default no one has changed yet."""

    code: str
    kind: str
    rate: str
    active: bool
    updated_by: str
    updated_at: datetime | None


class PointsRuleWrite(BaseModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="e.g. card_spend, holding, double_days")
    kind: Literal["card_spend", "holding"]
    rate: str = Field(description="a decimal string, at most 4 decimals, e.g. 1 or 1.5")
    active: bool = True


class PointsRulesUpdate(BaseModel):
    """Rules to write (by code; others stay as they are). The active rules of a kind add up."""

    rules: list[PointsRuleWrite] = Field(min_length=1, max_length=50)


class PointsMoveRead(BaseModel):
    id: int
    kind: str  # earn | redeem | expire | adjust
    points: int  # signed
    business_date: date
    at: datetime
    ref: str
    memo: str


class PointsExpiring(BaseModel):
    expires_on: date
    points: int


class PointsAccountRead(BaseModel):
    """A customer's points: what they hold now, what expires soon, and their moves newest first (follow
    `next_cursor`)."""

    customer_number: str
    balance: int
    cash_value: str  # what the balance would redeem for, rounded down to the fen
    currency: str
    expiring_within_days: int
    expiring_soon: list[PointsExpiring]
    history: list[PointsMoveRead]
    next_cursor: str | None = None


class RedemptionCreate(BaseModel):
    points: int = Field(gt=0, description="whole points to redeem; the oldest (first to expire) go first")
    account_number: str = Field(min_length=1, max_length=24, description="one of your own accounts")


class RedemptionRead(BaseModel):
    points: int
    cash_value: str
    currency: str
    account_number: str
    entry_id: int
    booking_date: date
    balance: int  # points left


class AdjustmentCreate(BaseModel):
    points: int = Field(description="points to add (positive) or take away (negative)")
    reason: str = Field(min_length=1, max_length=200)


class AdjustmentRead(BaseModel):
    customer_number: str
    points: int
    balance: int
    move_id: int
