"""Base rates (the LPR, 贷款市场报价利率) that floating-rate loans are priced over: read, and post a new fixing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from corebank import products
from corebank.loans.schemas import RateText
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/base-rates", tags=["products"])
Reader = Annotated[Actor, Depends(requires(P.PRODUCT_READ))]
Writer = Annotated[Actor, Depends(requires(P.PRODUCT_WRITE))]


class BaseRateFixing(BaseModel):
    annual_rate: RateText
    effective_date: date = Field(description="today or later; floating loans take it when they next reprice")


@router.get("", summary="Every base-rate fixing (LPR1Y, LPR5Y ...), newest first per code")
def list_base_rates(bank: BankDep, actor: Reader) -> list[dict[str, Any]]:
    return bank.run(products.list_base_rates, actor, readonly=True)


@router.put(
    "/{code}",
    status_code=201,
    summary="Post a new fixing of a base rate, effective from a date",
    description="Refused with INVALID_RATE for a rate out of range, INVALID_PRODUCT for a past date, "
    "PRODUCT_EXISTS when the code already has a fixing that day.",
)
def set_base_rate(bank: BankDep, actor: Writer, code: str, cmd: BaseRateFixing) -> list[dict[str, Any]]:
    bank.run(products.set_base_rate, actor, code, cmd.annual_rate, cmd.effective_date)
    return [r for r in bank.run(products.list_base_rates, actor, readonly=True) if r["code"] == code]
