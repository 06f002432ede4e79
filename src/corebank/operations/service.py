"""A generic maker-checker: an action waits as a pending approval until another permitted user approves it.

The areas that need approval register an executor per kind (bootstrap wires them); approving runs the
executor in the approver's transaction, so the approval and the action commit or fail together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import ApprovalRequired, InvalidRequest
from corebank.kernel.events import Event
from corebank.operations.errors import ApprovalNotFound, ApprovalNotPending, SelfApproval
from corebank.operations.models import Approval
from corebank.operations.schemas import ApprovalRead
from corebank.security import Actor, P

# kind -> executor(uow, maker_username, approver, payload) -> result dict
Executor = Callable[[UnitOfWork, str, Actor, dict[str, Any]], dict[str, Any]]
EXECUTORS: dict[str, Executor] = {}


def register_executor(kind: str, executor: Executor) -> None:
    """Say what runs when an approval of `kind` is approved."""
    EXECUTORS[kind] = executor


def _read(a: Approval) -> ApprovalRead:
    return ApprovalRead(
        id=a.id,
        kind=a.kind,
        status=a.status,
        summary=a.summary,
        branch_code=a.branch_code,
        maker=a.maker,
        checker=a.checker,
        reason=a.reason,
        payload=a.payload,
        result=a.result,
        created_at=a.created_at,
        decided_at=a.decided_at,
    )


def request_approval(
    uow: UnitOfWork,
    actor: Actor,
    *,
    kind: str,
    summary: str,
    payload: dict[str, Any],
    branch_code: str,
    permission: P = P.APPROVAL_DECIDE,
) -> ApprovalRead:
    """Record a pending action; the caller returns it to the maker as 'approval required'."""
    if kind not in EXECUTORS:
        raise InvalidRequest(f"no executor is registered for approvals of kind {kind}")
    a = Approval(
        kind=kind,
        status="pending",
        permission=permission.value,
        branch_code=branch_code,
        summary=summary[:200],
        payload=payload,
        result=None,
        maker=actor.username,
        checker=None,
        reason="",
        business_date=uow.business_date,
        created_at=uow.now,
        decided_at=None,
    )
    uow.session.add(a)
    uow.session.flush()
    uow.audit(actor, "approval.request", "approval", a.id, kind=kind, summary=summary)
    uow.publish(Event("ApprovalRequested", "approval", str(a.id), {"kind": kind, "branch": branch_code}))
    return _read(a)


def pending_error(approval: ApprovalRead) -> ApprovalRequired:
    """The 202 answer a maker receives."""
    return ApprovalRequired(
        f"approval {approval.id} is waiting for a supervisor: {approval.summary}", approval_id=approval.id
    )


def _load(uow: UnitOfWork, actor: Actor, approval_id: int) -> Approval:
    a = uow.session.get(Approval, approval_id)
    if a is None:
        raise ApprovalNotFound(f"approval {approval_id} does not exist")
    actor.require_branch(a.branch_code)
    return a


def _decide(uow: UnitOfWork, actor: Actor, approval_id: int) -> Approval:
    a = _load(uow, actor, approval_id)
    actor.require(P(a.permission))
    if a.status != "pending":
        raise ApprovalNotPending(f"approval {approval_id} is {a.status}")
    if a.maker == actor.username:
        raise SelfApproval("the same person may never make and approve")
    return a


def approve(uow: UnitOfWork, actor: Actor, approval_id: int, reason: str = "") -> ApprovalRead:
    """Approve a pending action and run it now, in this transaction."""
    a = _decide(uow, actor, approval_id)
    result = EXECUTORS[a.kind](uow, a.maker, actor, dict(a.payload))
    a.status, a.checker, a.reason, a.decided_at, a.result = (
        "executed",
        actor.username,
        reason[:200],
        uow.now,
        result,
    )
    uow.audit(actor, "approval.approve", "approval", a.id, kind=a.kind, maker=a.maker)
    return _read(a)


def reject(uow: UnitOfWork, actor: Actor, approval_id: int, reason: str = "") -> ApprovalRead:
    """Reject a pending action; nothing runs."""
    a = _decide(uow, actor, approval_id)
    if not reason.strip():
        raise InvalidRequest("say why the request is rejected")
    a.status, a.checker, a.reason, a.decided_at = "rejected", actor.username, reason[:200], uow.now
    uow.audit(actor, "approval.reject", "approval", a.id, kind=a.kind, maker=a.maker, reason=reason)
    return _read(a)


def get_approval(uow: UnitOfWork, actor: Actor, approval_id: int) -> ApprovalRead:
    """One approval, if it is in the actor's branch scope."""
    actor.require(P.APPROVAL_READ)
    return _read(_load(uow, actor, approval_id))


def list_approvals(
    uow: UnitOfWork,
    actor: Actor,
    *,
    status: str | None = "pending",
    before_id: int | None = None,
    limit: int = 50,
) -> list[ApprovalRead]:
    """Approvals in the actor's branch scope, newest first (cursor: before_id)."""
    actor.require(P.APPROVAL_READ)
    q = select(Approval)
    if status:
        q = q.where(Approval.status == status)
    if actor.branches is not None:
        q = q.where(Approval.branch_code.in_(actor.branches))
    if before_id:
        q = q.where(Approval.id < before_id)
    return [_read(a) for a in uow.session.execute(q.order_by(Approval.id.desc()).limit(limit)).scalars()]
