"""What the limit screens show and take. Amounts are decimal strings ("50000.00"); none = no limit."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class LimitRead(BaseModel):
    """A customer's limits for one transaction type on one channel, and what is used today."""

    channel: str
    tx_type: str
    currency: str
    single: str | None = Field(None, description="the most one transaction may move")
    daily: str | None = Field(None, description="the most a business day's transactions may move")
    yearly: str | None = Field(None, description="the most a calendar year's transactions may move")
    count: int | None = Field(None, description="the most transactions a business day")
    bank_single: str | None = None
    bank_daily: str | None = None
    own_single: str | None = Field(None, description="the customer's own lower single limit, if set")
    own_daily: str | None = Field(None, description="the customer's own lower daily limit, if set")
    used_today: str
    count_today: int
    used_this_year: str
    remaining_today: str | None = Field(None, description="what today's limit still allows; none = no limit")


class LimitRuleRead(BaseModel):
    """One row of the bank's limit table."""

    channel: str
    tx_type: str
    tier: str
    account_class: int
    strength: str
    currency: str
    single: str | None
    daily: str | None
    yearly: str | None
    count: int | None
    updated_by: str
    updated_at: datetime


class LimitRuleSet(BaseModel):
    """Set one row of the bank's limit table (created, or replaced as a whole)."""

    channel: str
    tx_type: str
    tier: str = Field("*", description="* | standard | gold | vip")
    account_class: int = Field(0, description="0 = any, else 1 | 2 | 3")
    strength: str = Field("*", description="* | password | sms | totp | signed")
    currency: str | None = Field(None, description="default: the bank's base currency")
    single: str | None = None
    daily: str | None = None
    yearly: str | None = None
    count: int | None = None


class CustomerLimitSet(BaseModel):
    """A customer's own lower limits on one channel and transaction type; none = the bank's limit."""

    channel: str
    tx_type: str
    single: str | None = None
    daily: str | None = None
