"""Approvals (maker-checker)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from corebank import operations
from corebank.operations import ApprovalDecision, ApprovalRead
from corebank.security import Actor, P
from corebank.web.deps import BankDep, requires

router = APIRouter(prefix="/api/v1/approvals", tags=["approvals"])


@router.get("", response_model=list[ApprovalRead], summary="Approvals in your branches, newest first")
def list_approvals(
    bank: BankDep,
    actor: Annotated[Actor, Depends(requires(P.APPROVAL_READ))],
    status: str | None = "pending",
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ApprovalRead]:
    return bank.run(
        operations.list_approvals,
        actor,
        status=status or None,
        before_id=before,
        limit=limit,
        readonly=True,
    )


@router.get("/{approval_id}", response_model=ApprovalRead, summary="One approval")
def get(
    bank: BankDep, approval_id: int, actor: Annotated[Actor, Depends(requires(P.APPROVAL_READ))]
) -> ApprovalRead:
    return bank.run(operations.get_approval, actor, approval_id, readonly=True)


@router.post(
    "/{approval_id}/approve", response_model=ApprovalRead, summary="Approve and run the pending action"
)
def approve(
    bank: BankDep,
    approval_id: int,
    actor: Annotated[Actor, Depends(requires(P.APPROVAL_DECIDE))],
    cmd: ApprovalDecision | None = None,
) -> ApprovalRead:
    return bank.run(operations.approve, actor, approval_id, (cmd or ApprovalDecision()).reason)


@router.post("/{approval_id}/reject", response_model=ApprovalRead, summary="Reject the pending action")
def reject(
    bank: BankDep,
    approval_id: int,
    cmd: ApprovalDecision,
    actor: Annotated[Actor, Depends(requires(P.APPROVAL_DECIDE))],
) -> ApprovalRead:
    return bank.run(operations.reject, actor, approval_id, cmd.reason)
