"""Back office, credit: the queue of loan applications waiting for a decision (approve or reject, loan.approve,
as POST /api/v1/loans/applications/{id}/approve|reject) and the collections queue (催收, overdue loans, the
longest overdue first). Reading needs loan.read, as the REST routes."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.loans import applications, workouts
from corebank.loans.schemas import ApprovalTerms, Rejection
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.LOAN_READ))]
Approver = Annotated[Actor, Depends(console_page(P.LOAN_APPROVE))]
QUEUE_STATUSES = ("scored", "submitted")

register_nav(NavItem("console", N_("Credit"), N_("Loan decisions"), "/console/loans/queue", P.LOAN_READ, 80))
register_nav(
    NavItem("console", N_("Credit"), N_("Collections"), "/console/loans/collections", P.LOAN_READ, 81)
)

APPLICATION_STATUSES = (N_("submitted"), N_("scored"), N_("approved"), N_("rejected"), N_("cancelled"))
CLASSES = (N_("normal"), N_("special_mention"), N_("substandard"), N_("doubtful"), N_("loss"))


def _queue_page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    q = request.query_params
    state = q.get("status") or "scored"
    ctx: dict[str, Any] = {"state": state, "statuses": QUEUE_STATUSES, "items": [], "page": {}}
    try:
        if state not in QUEUE_STATUSES:
            raise InvalidRequest(f"status {state!r} is not one of {', '.join(QUEUE_STATUSES)}")
        found = get_bank(request).run(
            applications.list_applications,
            actor,
            status=state,
            customer_number=None,
            cursor=q.get("cursor") or None,
            limit=50,
            readonly=True,
        )
        ctx["items"] = found.items
        ctx["page"] = {
            "prev": "/console/loans/queue?" + urlencode({"status": state}) if q.get("cursor") else None,
            "next": "/console/loans/queue?" + urlencode({"status": state, "cursor": found.next_cursor})
            if found.next_cursor
            else None,
        }
    except CoreBankError as exc:
        ctx["error"] = error_view(exc.code, exc.title, exc.detail)
        status = exc.status
    ctx["can_decide"] = actor.can(P.LOAN_APPROVE)
    ctx.update(extra)
    return render(request, "console/backoffice/loan_queue.html", ctx, status=status)


@router.get("/loans/queue")
def loan_queue(request: Request, actor: Reader) -> Response:
    return _queue_page(request, actor)


def _invalid(exc: ValidationError) -> InvalidRequest:
    first = exc.errors()[0]
    return InvalidRequest(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


@router.post("/loans/applications/{application_id}/decide")
def decide(
    request: Request,
    actor: Approver,
    application_id: int,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form(max_length=200)] = "",
    annual_rate: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Approve (as asked, optionally at another rate) or reject an application, with a reason."""
    bank = get_bank(request)
    try:
        if decision == "approve":
            try:
                terms = ApprovalTerms(annual_rate=annual_rate.strip() or None, reason=reason.strip())
            except ValidationError as exc:
                raise _invalid(exc) from None
            read = bank.run(applications.approve_application, actor, application_id, terms)
            text = _("Application %(id)s approved: loan %(loan)s") % {
                "id": application_id,
                "loan": read.loan_number,
            }
        elif decision == "reject":
            try:
                cmd = Rejection(reason=reason.strip())
            except ValidationError as exc:
                raise _invalid(exc) from None
            bank.run(applications.reject_application, actor, application_id, cmd)
            text = _("Application %(id)s rejected") % {"id": application_id}
        else:
            raise InvalidRequest(f"decision {decision!r} is not approve or reject")
    except CoreBankError as exc:
        return _queue_page(
            request,
            actor,
            status=exc.status,
            decide_error=error_view(exc.code, exc.title, exc.detail),
            decided_id=application_id,
        )
    return redirect("/console/loans/queue", text=text)


@router.get("/loans/collections")
def collections(request: Request, actor: Reader, cursor: str | None = None) -> Response:
    ctx: dict[str, Any] = {"items": [], "page": {}}
    status = 200
    try:
        found = get_bank(request).run(workouts.collections_queue, actor, cursor, 50, readonly=True)
        ctx["items"] = found.items
        ctx["page"] = {
            "prev": "/console/loans/collections" if cursor else None,
            "next": "/console/loans/collections?" + urlencode({"cursor": found.next_cursor})
            if found.next_cursor
            else None,
        }
    except CoreBankError as exc:
        ctx["error"] = error_view(exc.code, exc.title, exc.detail)
        status = exc.status
    return render(request, "console/backoffice/collections.html", ctx, status=status)
