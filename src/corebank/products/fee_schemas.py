"""What the fee table shows and takes. Amounts are decimal strings ("5.00"); the rate is a decimal fraction
("0.00002" is 0.002 %)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FeeRuleRead(BaseModel):
    """One band of a fee rule."""

    id: int
    tx_type: str
    channel: str
    tier: str
    branch_code: str
    band_upto: str | None = Field(
        description="the band holds amounts up to and including this; none = no bound"
    )
    fixed_fee: str
    rate: str
    cap: str | None
    currency: str
    active: bool
    updated_by: str
    updated_at: datetime


class FeeRuleSet(BaseModel):
    """Create or replace one band of a fee rule, found by its type, channel, tier, branch, currency and band."""

    tx_type: str
    channel: str = "*"
    tier: str = "*"
    branch_code: str = "*"
    band_upto: str | None = Field(None, description="none = the band with no upper bound")
    fixed_fee: str = "0"
    rate: str = Field("0", description="a decimal fraction of the amount: 0.002 % is 0.00002")
    cap: str | None = None
    currency: str | None = Field(None, description="default: the bank's base currency")
    active: bool = True


class FeeQuoteAsk(BaseModel):
    """Ask what a transaction would cost."""

    tx_type: str
    channel: str = "counter"
    tier: str = "standard"
    branch_code: str = "0001"
    amount: str
    currency: str | None = None


class FeeQuote(BaseModel):
    """The fee a transaction would be charged."""

    tx_type: str
    channel: str
    tier: str
    branch_code: str
    amount: str
    fee: str
    currency: str
