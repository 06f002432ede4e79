"""Transfers and their reversal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from corebank import payments
from corebank.payments import ReversalPending, ReversalRequest, TransferCreate, TransferRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, IdempotencyKey, requires

router = APIRouter(prefix="/api/v1/transfers", tags=["transfers"])


@router.post(
    "", response_model=TransferRead, status_code=201, summary="Transfer between accounts of this bank"
)
def transfer(
    bank: BankDep,
    cmd: TransferCreate,
    key: IdempotencyKey,
    actor: Annotated[Actor, Depends(requires(P.TRANSFER_CREATE))],
) -> TransferRead:
    return bank.run(payments.transfer, actor, cmd, key)


@router.get("/{entry_id}", response_model=TransferRead, summary="A transfer by its entry id")
def get(
    bank: BankDep, entry_id: int, actor: Annotated[Actor, Depends(requires(P.ACCOUNT_READ))]
) -> TransferRead:
    return bank.run(payments.get_transfer, actor, entry_id, readonly=True)


@router.post(
    "/{entry_id}/reversal",
    response_model=ReversalPending,
    status_code=202,
    summary="Ask to reverse today's transfer (冲正); a supervisor approves it",
)
def reversal(
    bank: BankDep,
    entry_id: int,
    cmd: ReversalRequest,
    actor: Annotated[Actor, Depends(requires(P.REVERSAL_REQUEST))],
) -> JSONResponse:
    pending: ReversalPending = bank.run(payments.request_reversal, actor, entry_id, cmd)
    return JSONResponse(pending.model_dump(mode="json"), status_code=202)
