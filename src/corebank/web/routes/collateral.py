"""Collateral (抵押物/质押物) and guarantors (保证人): register and revalue collateral, pledge it to loan applications,
add guarantors, release, and read what secures an application."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corebank.loans import collateral
from corebank.loans.collateral_schemas import (
    ApplicationSecurity,
    CollateralCreate,
    CollateralDetail,
    CollateralPage,
    CollateralRead,
    CollateralRevalue,
    GuarantorCreate,
    GuarantorRead,
    PledgeCreate,
    PledgeRead,
)
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1", tags=["collateral"])
Officer = Annotated[Actor, Depends(requires(P.LOAN_ASSESS))]
Reader = Annotated[Actor, Depends(requires(P.LOAN_READ))]
APPLICATION = "/loans/applications/{application_id}"


@router.post(
    "/collateral",
    response_model=CollateralRead,
    status_code=201,
    summary="Register a collateral with its first valuation; answers with its collateral_number",
    description="Refused with INVALID_COLLATERAL for an unknown type or a valuation date after the business "
    "date, INVALID_AMOUNT for a value not above zero, CUSTOMER_NOT_FOUND for an unknown owner.",
)
def register(bank: BankDep, cmd: CollateralCreate, actor: Officer) -> CollateralRead:
    return bank.run(collateral.register_collateral, actor, cmd)


@router.get(
    "/collateral", response_model=CollateralPage, summary="Collateral in your scope; follow next_cursor"
)
def list_collateral(
    bank: BankDep,
    actor: Reader,
    owner: Annotated[
        str | None, Query(min_length=4, max_length=16, description="owner's customer number")
    ] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CollateralPage:
    return bank.run(collateral.list_collateral, actor, owner, cursor=cursor, limit=limit, readonly=True)


@router.get(
    "/collateral/{collateral_number}",
    response_model=CollateralDetail,
    summary="A collateral, its valuation history and the applications and loans it secures",
)
def get_collateral(bank: BankDep, collateral_number: str, actor: Reader) -> CollateralDetail:
    return bank.run(collateral.get_collateral, actor, collateral_number, readonly=True)


@router.post(
    "/collateral/{collateral_number}/valuations",
    response_model=CollateralDetail,
    status_code=201,
    summary="Revalue a collateral: a new valuation, kept in its history, becomes its value",
    description="A valuation date before the current valuation's is refused with INVALID_COLLATERAL.",
)
def revalue(
    bank: BankDep, collateral_number: str, cmd: CollateralRevalue, actor: Officer
) -> CollateralDetail:
    return bank.run(collateral.revalue_collateral, actor, collateral_number, cmd)


@router.post(
    "/collateral/{collateral_number}/release",
    response_model=CollateralRead,
    summary="Release a collateral (解押) and its remaining pledges",
    description="Refused with COLLATERAL_IN_USE while it secures a contracted or active loan.",
)
def release(bank: BankDep, collateral_number: str, actor: Officer) -> CollateralRead:
    return bank.run(collateral.release_collateral, actor, collateral_number)


@router.post(
    f"{APPLICATION}/collateral",
    response_model=PledgeRead,
    status_code=201,
    summary="Pledge a collateral to a loan application (default: its whole value)",
    description="Refused with COLLATERAL_OVERPLEDGED when its pledges would exceed its value, COLLATERAL_RELEASED "
    "for a released collateral, APPLICATION_CLOSED once the application is decided.",
)
def pledge(bank: BankDep, application_id: int, cmd: PledgeCreate, actor: Officer) -> PledgeRead:
    return bank.run(collateral.pledge, actor, application_id, cmd)


@router.post(
    f"{APPLICATION}/collateral/{{pledge_id}}/release",
    response_model=PledgeRead,
    summary="Release one pledge of an application",
    description="Refused with COLLATERAL_IN_USE while the pledge secures a contracted or active loan.",
)
def release_pledge(bank: BankDep, application_id: int, pledge_id: int, actor: Officer) -> PledgeRead:
    return bank.run(collateral.release_pledge, actor, application_id, pledge_id)


@router.post(
    f"{APPLICATION}/guarantors",
    response_model=GuarantorRead,
    status_code=201,
    summary="Add a guarantor (保证人) to a loan application",
    description="The borrower cannot guarantee their own loan (INVALID_GUARANTOR).",
)
def add_guarantor(bank: BankDep, application_id: int, cmd: GuarantorCreate, actor: Officer) -> GuarantorRead:
    return bank.run(collateral.add_guarantor, actor, application_id, cmd)


@router.post(
    f"{APPLICATION}/guarantors/{{guarantor_id}}/release",
    response_model=GuarantorRead,
    summary="Take a guarantor off an application that is not decided yet",
)
def release_guarantor(bank: BankDep, application_id: int, guarantor_id: int, actor: Officer) -> GuarantorRead:
    return bank.run(collateral.release_guarantor, actor, application_id, guarantor_id)


@router.get(
    f"{APPLICATION}/security",
    response_model=ApplicationSecurity,
    summary="An application's pledges and guarantors, and the cover they give at the product's LTV caps",
)
def application_security(bank: BankDep, application_id: int, actor: Reader) -> ApplicationSecurity:
    return bank.run(collateral.application_security, actor, application_id, readonly=True)
