"""Supervisor authorization (授权) at the counter: the queue of pending requests in the supervisor's branches,
and approving (which runs the waiting action, e.g. pays the teller's large withdrawal) or rejecting them. The
maker-checker rule is the service's: nobody approves their own request."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from corebank import operations
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.counter import COUNTER
from corebank.web.pages.errors import form_error
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.APPROVAL_READ))]
Decider = Annotated[Actor, Depends(console_page(P.APPROVAL_DECIDE))]

register_nav(NavItem("console", COUNTER, N_("Approvals"), "/console/approvals", P.APPROVAL_DECIDE, 20))

PAGE = 20
FILTERS = {"pending": N_("pending"), "executed": N_("executed"), "rejected": N_("rejected"), "": N_("all")}
KIND_NAMES = {
    "cash.withdrawal": N_("Cash withdrawal"),
    "account.close": N_("Account closing"),
    "transfer.reversal": N_("Reversal"),
    "product.rate_change": N_("Rate change"),
    "time_deposit.cash_payout": N_("Time deposit cash payout"),
    "notice_deposit.cash_withdrawal": N_("Notice deposit cash withdrawal"),
}


def _queue(
    request: Request, actor: Actor, status: str, before: int | None, *, code: int = 200, error: Any = None
) -> Response:
    items = get_bank(request).run(
        operations.list_approvals,
        actor,
        status=status or None,
        before_id=before,
        limit=PAGE + 1,
        readonly=True,
    )
    more = len(items) > PAGE
    items = items[:PAGE]
    page = {
        "prev": f"/console/approvals?status={status}" if before else None,
        "next": f"/console/approvals?status={status}&before={items[-1].id}" if more and items else None,
    }
    return render(
        request,
        "console/counter/approvals.html",
        {
            "items": items,
            "page": page,
            "status": status,
            "filters": FILTERS,
            "kinds": KIND_NAMES,
            "error": error,
            "can_decide": actor.can(P.APPROVAL_DECIDE),
        },
        status=code,
    )


@router.get("/approvals")
def queue(
    request: Request,
    actor: Reader,
    status: Annotated[str, Query(pattern="^(pending|executed|rejected|)$")] = "pending",
    before: int | None = None,
) -> Response:
    """Requests waiting for authorization in the reader's branches, newest first."""
    return _queue(request, actor, status, before)


@router.post("/approvals/{approval_id}/approve")
def approve(
    request: Request, approval_id: int, actor: Decider, reason: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Approve and run the waiting action now."""
    try:
        get_bank(request).run(operations.approve, actor, approval_id, reason.strip())
    except CoreBankError as exc:
        return _queue(request, actor, "pending", None, code=exc.status, error=form_error(exc))
    return redirect(
        "/console/approvals", text=_("Request %(id)s approved and carried out.") % {"id": approval_id}
    )


@router.post("/approvals/{approval_id}/reject")
def reject(
    request: Request, approval_id: int, actor: Decider, reason: Annotated[str, Form(max_length=200)] = ""
) -> Response:
    """Reject the waiting action (a reason is required); nothing runs."""
    try:
        get_bank(request).run(operations.reject, actor, approval_id, reason.strip())
    except CoreBankError as exc:
        return _queue(request, actor, "pending", None, code=exc.status, error=form_error(exc))
    return redirect("/console/approvals", text=_("Request %(id)s rejected.") % {"id": approval_id})
