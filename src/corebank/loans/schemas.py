"""Loan schemas shared by REST, web and CLI. Amounts are decimal strings; rates are percent strings."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field

from corebank.kernel.schemas import AmountText
from corebank.loans.rules import MAX_TERM_MONTHS, METHODS

# A rate travels as text like an amount ("4.90" is 4.9 % a year), never as a JSON number; whether it is in range
# is the service's question, so a negative or oversized rate is answered with INVALID_RATE, not a schema error.
RateText = Annotated[
    str,
    Field(
        pattern=r"^-?[0-9]+(\.[0-9]+)?$",
        max_length=16,
        examples=["4.90"],
        description='annual rate in percent as a decimal string, e.g. "4.90" for 4.9 %',
    ),
]


class SchedulePreviewRequest(BaseModel):
    """Preview a repayment schedule without a loan (a calculator): principal, rate, term and method."""

    principal: AmountText
    annual_rate: RateText
    # Range and method are checked by the loan rules, so bad values answer INVALID_TERM / INVALID_METHOD.
    term_months: int = Field(
        description=f"whole months from 1 to {MAX_TERM_MONTHS}",
        json_schema_extra={"minimum": 1, "maximum": MAX_TERM_MONTHS},
    )
    method: str = Field(
        max_length=32,
        description="equal_installment (等额本息) · equal_principal (等额本金) · interest_only (先息后本) · "
        "bullet (到期一次还本付息)",
        json_schema_extra={"enum": list(METHODS)},
    )
    first_due_date: date | None = Field(
        default=None, description="the first repayment date; later ones fall on the same day each month"
    )
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


class ScheduleLineRead(BaseModel):
    period: int
    due_date: date | None
    opening_principal: str
    payment: str
    principal: str
    interest: str
    closing_principal: str


class SchedulePreview(BaseModel):
    currency: str
    principal: str
    annual_rate: str = Field(description="percent a year")
    term_months: int
    method: str
    first_due_date: date | None
    lines: list[ScheduleLineRead]
    total_payment: str
    total_principal: str
    total_interest: str
