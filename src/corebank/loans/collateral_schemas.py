"""Collateral and guarantor schemas shared by REST, web and CLI. Amounts are decimal strings; LTV caps are decimal
fractions as strings ("0.70" is 70 %)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText
from corebank.products import COLLATERAL_TYPES  # the types a loan product's LTV caps name

GUARANTEE_KINDS = ("joint_and_several", "general")


class CollateralCreate(BaseModel):
    """Register a collateral with its first valuation. The owner may be someone other than the borrower."""

    # Checked by the service, so an unknown type answers INVALID_COLLATERAL rather than a schema error.
    type: str = Field(
        max_length=32,
        description="housing (住房) · commercial_property (商业用房) · vehicle (车辆) · deposit_pledge (存单质押) · "
        "equipment (机器设备) · land_use_right (土地使用权)",
        json_schema_extra={"enum": list(COLLATERAL_TYPES)},
    )
    description: str = Field(min_length=1, max_length=200, description="what it is: address, plate, serial")
    owner_customer_number: str = Field(min_length=4, max_length=16)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")
    value: AmountText
    valuation_date: date = Field(description="not after the business date")
    valuer: str = Field(
        min_length=1, max_length=120, description="who valued it (an appraisal firm, the bank)"
    )
    note: str = Field(default="", max_length=200)


class CollateralRevalue(BaseModel):
    """A new valuation; its date may not be before the current valuation's nor after the business date."""

    value: AmountText
    valuation_date: date
    valuer: str = Field(min_length=1, max_length=120)
    note: str = Field(default="", max_length=200)


class ValuationRead(BaseModel):
    value: str
    valuation_date: date
    valuer: str
    note: str
    created_by: str
    created_at: datetime


class PledgeCreate(BaseModel):
    """Pledge a collateral to a loan application, for `pledged_amount` of its value (default: the whole value)."""

    collateral_number: str = Field(min_length=1, max_length=24)
    pledged_amount: AmountText | None = None


class PledgeRead(BaseModel):
    id: int
    collateral_number: str
    collateral_type: str
    application_id: int | None
    application_status: str | None
    loan_id: int | None
    loan_number: str | None
    loan_status: str | None
    pledged_amount: str
    currency: str
    status: str = Field(description="active · released")
    created_by: str
    created_on: date
    released_on: date | None


class CollateralRead(BaseModel):
    collateral_number: str
    type: str
    description: str
    owner_customer_number: str
    owner_name: str
    currency: str
    value: str = Field(description="the current valuation")
    valuation_date: date
    pledged: str = Field(description="the sum of the active pledges on it")
    available: str = Field(
        description="value not pledged yet (negative when a revaluation fell below pledges)"
    )
    status: str = Field(description="active · released")
    branch_code: str
    registered_by: str
    registered_on: date
    released_on: date | None


class CollateralDetail(CollateralRead):
    valuations: list[ValuationRead] = Field(description="every valuation, oldest first")
    pledges: list[PledgeRead] = Field(description="the applications and loans it secures or secured")


class CollateralPage(BaseModel):
    items: list[CollateralRead]
    next_cursor: str | None


class GuarantorCreate(BaseModel):
    """Add a guarantor (保证人) to a loan application; the borrower cannot guarantee their own loan."""

    customer_number: str = Field(min_length=4, max_length=16)
    guaranteed_amount: AmountText
    kind: str = Field(
        default="joint_and_several",
        max_length=32,
        description="joint_and_several (连带责任保证) · general (一般保证)",
        json_schema_extra={"enum": list(GUARANTEE_KINDS)},
    )


class GuarantorRead(BaseModel):
    id: int
    customer_number: str
    name: str
    application_id: int | None
    loan_id: int | None
    guaranteed_amount: str
    currency: str
    kind: str
    status: str = Field(description="active · released")
    created_by: str
    created_on: date
    released_on: date | None


class CoverLineRead(BaseModel):
    collateral_number: str
    type: str
    pledged: str
    cap: str = Field(description="the LTV cap of the collateral's type, a fraction")
    lendable: str


class ApplicationSecurity(BaseModel):
    """What secures a loan application: its pledges and guarantors, and the cover they give."""

    application_id: int
    loan_id: int | None
    currency: str
    amount: str = Field(description="the amount applied for")
    collateral_value: str = Field(description="the sum of the active pledges")
    lendable_value: str = Field(
        description="the sum of each pledge × its type's LTV cap, at the product's caps"
    )
    guaranteed: str
    lines: list[CoverLineRead]
    pledges: list[PledgeRead]
    guarantors: list[GuarantorRead]
