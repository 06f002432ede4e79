"""Transfers made at ATMs to another person's account: listed, and revoked before they are credited.

Two routers: staff under `/api/v1/atm/transfers`, and the payer customer under `/api/v1/me/atm-transfers`
(a customer sees and revokes only their own; anyone else's is "not found")."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from corebank.channels.atm import transfers
from corebank.channels.atm.schemas import AtmTransferRead, AtmTransferRevoke
from corebank.security import Actor, P
from corebank.web.customer_deps import CustomerDep
from corebank.web.deps import BankDep, IdempotencyKey, requires

staff = APIRouter(prefix="/api/v1/atm/transfers", tags=["atm"])
mine = APIRouter(prefix="/api/v1/me/atm-transfers", tags=["me"])
Reader = Annotated[Actor, Depends(requires(P.PAYMENT_READ))]
Operator = Annotated[Actor, Depends(requires(P.PAYMENT_OPERATE))]
Status = Literal["pending", "credited", "revoked"]
Limit = Annotated[int, Query(ge=1, le=500)]

REVOKE_DESCRIPTION = (
    "The money goes back from GL 2262 (ATM transfers awaiting credit) to the payer's account. Needs an "
    "Idempotency-Key. ATM_TRANSFER_NOT_PENDING (409) once it was credited or revoked."
)


@staff.get("", response_model=list[AtmTransferRead], summary="ATM transfers, newest first")
def list_transfers(
    bank: BankDep,
    actor: Reader,
    status: Status | None = None,
    limit: Limit = 100,
    before_id: int | None = None,
) -> list[AtmTransferRead]:
    return bank.run(
        transfers.list_transfers, actor, status=status, limit=limit, before_id=before_id, readonly=True
    )


@staff.get("/{transfer_id}", response_model=AtmTransferRead, summary="One ATM transfer")
def get_transfer(bank: BankDep, actor: Reader, transfer_id: int) -> AtmTransferRead:
    return bank.run(transfers.get_transfer, actor, transfer_id, readonly=True)


@staff.post(
    "/{transfer_id}/revoke",
    response_model=AtmTransferRead,
    summary="Revoke a pending ATM transfer before it is credited",
    description=REVOKE_DESCRIPTION,
)
def revoke(
    bank: BankDep,
    actor: Operator,
    transfer_id: int,
    key: IdempotencyKey,
    cmd: AtmTransferRevoke | None = None,
) -> AtmTransferRead:
    return bank.run(transfers.revoke, actor, transfer_id, cmd or AtmTransferRevoke(), key)


@mine.get("", response_model=list[AtmTransferRead], summary="My ATM transfers, newest first")
def my_transfers(
    bank: BankDep,
    actor: CustomerDep,
    status: Status | None = None,
    limit: Limit = 100,
    before_id: int | None = None,
) -> list[AtmTransferRead]:
    return bank.run(
        transfers.list_transfers, actor, status=status, limit=limit, before_id=before_id, readonly=True
    )


@mine.get("/{transfer_id}", response_model=AtmTransferRead, summary="One of my ATM transfers")
def my_transfer(bank: BankDep, actor: CustomerDep, transfer_id: int) -> AtmTransferRead:
    return bank.run(transfers.get_transfer, actor, transfer_id, readonly=True)


@mine.post(
    "/{transfer_id}/revoke",
    response_model=AtmTransferRead,
    summary="Revoke my pending ATM transfer before it is credited",
    description=REVOKE_DESCRIPTION,
)
def revoke_mine(
    bank: BankDep,
    actor: CustomerDep,
    transfer_id: int,
    key: IdempotencyKey,
    cmd: AtmTransferRevoke | None = None,
) -> AtmTransferRead:
    return bank.run(transfers.revoke, actor, transfer_id, cmd or AtmTransferRevoke(), key)


router = APIRouter()
router.include_router(staff)
router.include_router(mine)
