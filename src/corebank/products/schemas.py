"""Product schemas: what REST, the CLI and other areas send and receive."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ProductRead(BaseModel):
    code: str
    name: str
    name_zh: str
    kind: str
    currency: str
    gl_code: str
    customer_types: list[str]
    min_opening_amount: str
    allow_overdraft: bool
    overdraft_limit: str
    status: str
    params: dict[str, Any]
    # The product factory's parameters (amounts as decimal strings of the product's currency).
    terms: list[str] = []
    min_balance: str = "0"
    min_withdrawal: str = "0"
    max_partial_withdrawals: int = 0
    early_withdrawal: str = "demand_rate"
    rollover_options: list[str] = []
    channels: list[str] = []
    account_classes: list[int] = []
    fees: dict[str, str] = {}
    interest_method: str = "none"
    settlement_months: list[int] = []
    settlement_day: int = 20
    demand_product_code: str | None = None


class ProductParameters(BaseModel):
    """The parameters a product manager may set at creation and change later (a PATCH sends some of them).
    Amounts are decimal strings of the product's currency; the service checks every value against the kind."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    name_zh: str = Field(default="", max_length=60)
    customer_types: list[str] = Field(default_factory=lambda: ["individual"])
    min_opening_amount: str = "0"
    min_balance: str = "0"
    min_withdrawal: str = "0"
    max_partial_withdrawals: int = 0
    early_withdrawal: str = "demand_rate"
    rollover_options: list[str] = Field(default_factory=list)
    terms: list[str] = Field(default_factory=list, description='"3M".."60M" (time), "1D"/"7D" (notice)')
    fees: dict[str, str] = Field(
        default_factory=dict, description="fee name -> amount, e.g. {'reissue': '10.00'}"
    )
    channels: list[str] = Field(default_factory=lambda: ["counter"])
    account_classes: list[int] = Field(default_factory=lambda: [1, 2, 3])
    allow_overdraft: bool = False
    overdraft_limit: str = "0"
    interest_method: str | None = Field(
        default=None, description="none | quarterly (demand) | at_withdrawal; default by kind"
    )
    settlement_months: list[int] = Field(default_factory=lambda: [3, 6, 9, 12])
    settlement_day: int = 20
    demand_product_code: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)


class ProductCreate(ProductParameters):
    """Define a new product; it starts as a draft."""

    code: str = Field(min_length=2, max_length=32)
    kind: str = Field(description="demand_deposit | time_deposit | notice_deposit")
    currency: str = Field(default="CNY", min_length=3, max_length=3)
    gl_code: str = Field(description="a liability GL control account with a sub-ledger, e.g. 2012")


class ProductUpdate(BaseModel):
    """Change some parameters of a product (code, kind, currency and GL code never change)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=120)
    name_zh: str | None = Field(default=None, max_length=60)
    customer_types: list[str] | None = None
    min_opening_amount: str | None = None
    min_balance: str | None = None
    min_withdrawal: str | None = None
    max_partial_withdrawals: int | None = None
    early_withdrawal: str | None = None
    rollover_options: list[str] | None = None
    terms: list[str] | None = None
    fees: dict[str, str] | None = None
    channels: list[str] | None = None
    account_classes: list[int] | None = None
    allow_overdraft: bool | None = None
    overdraft_limit: str | None = None
    interest_method: str | None = None
    settlement_months: list[int] | None = None
    settlement_day: int | None = None
    demand_product_code: str | None = None
    params: dict[str, Any] | None = None


class RateLine(BaseModel):
    """One rate of a change: `annual_rate` is percent a year as a decimal string ("1.55" = 1.55 %)."""

    model_config = ConfigDict(extra="forbid")

    term: str = Field(description='"demand", "1D", "7D", "3M" ... "60M"')
    annual_rate: str = Field(description="percent a year, 0 <= r < 100, at most 4 decimals")
    min_amount: str = Field(default="0", description="balance tier: applies to amounts of at least this")


class RateChange(BaseModel):
    """New rates of a product from `effective_date` on (needs a second person's approval)."""

    model_config = ConfigDict(extra="forbid")

    effective_date: date
    rates: list[RateLine] = Field(min_length=1, max_length=100)


class RateRead(BaseModel):
    id: int
    product_code: str
    term: str
    annual_rate: str
    min_amount: str
    effective_date: date
    created_by: str
    approved_by: str | None
    created_at: datetime


class PendingRateChange(BaseModel):
    """The answer to a rate proposal: it waits for a second product manager (maker-checker)."""

    status: Literal["pending_approval"] = "pending_approval"
    approval_id: int
    summary: str
