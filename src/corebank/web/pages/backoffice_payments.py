"""Back office, payments exceptions: the differences the daily reconciliation with the clearing house found,
and working them (take one, resolve it: apply the clearing house's outcome, accept with a note, or escalate),
through the same services as /api/v1/reconciliation/exceptions. Reading needs payment.read; working an
exception needs reconcile. The service lets those who reconcile, and auditors, read (others get
PERMISSION_DENIED), so the menu shows the page to those who reconcile."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.payments import reconcile
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.PAYMENT_READ))]
Reconciler = Annotated[Actor, Depends(console_page(P.RECONCILE))]
ACTIONS = {
    "apply_clearing": N_("Apply the clearing house's outcome"),
    "accept": N_("Accept"),
    "escalate": N_("Escalate"),
}
EXCEPTION_STATUSES = (N_("open"), N_("resolved"))

register_nav(
    NavItem("console", N_("Books"), N_("Payment exceptions"), "/console/payments/exceptions", P.RECONCILE, 56)
)


def _page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    q = request.query_params
    form = {"status": q.get("status", "open"), "kind": q.get("kind", ""), "date": q.get("date", "")}
    ctx: dict[str, Any] = {"form": form, "items": [], "page": {}, "actions": ACTIONS}
    try:
        day = None
        if form["date"]:
            try:
                day = date.fromisoformat(form["date"])
            except ValueError:
                raise InvalidRequest(f"date {form['date']!r} is not a date (YYYY-MM-DD)") from None
        if form["status"] not in ("", "open", "resolved"):
            raise InvalidRequest(f"status {form['status']!r} is not open or resolved")
        found = get_bank(request).run(
            reconcile.list_exceptions,
            actor,
            status=form["status"] or None,
            owner=None,
            day=day,
            kind=form["kind"] or None,
            cursor=q.get("cursor") or None,
            limit=50,
            readonly=True,
        )
        kept = {k: v for k, v in form.items() if v}
        ctx["items"] = found.items
        ctx["page"] = {
            "prev": "/console/payments/exceptions?" + urlencode(kept) if q.get("cursor") else None,
            "next": "/console/payments/exceptions?" + urlencode({**kept, "cursor": found.next_cursor})
            if found.next_cursor
            else None,
        }
    except CoreBankError as exc:
        ctx["error"] = error_view(exc.code, exc.title, exc.detail)
        status = exc.status
    ctx["can_work"] = actor.can(P.RECONCILE)
    ctx.update(extra)
    return render(request, "console/backoffice/exceptions.html", ctx, status=status)


@router.get("/payments/exceptions")
def exceptions(request: Request, actor: Reader) -> Response:
    return _page(request, actor)


@router.post("/payments/exceptions/{exception_id}/take")
def take(request: Request, actor: Reconciler, exception_id: int) -> Response:
    """Give the exception to oneself (reconcile.assign, as POST .../assign)."""
    try:
        get_bank(request).run(reconcile.assign, actor, exception_id, actor.username)
    except CoreBankError as exc:
        return _page(
            request, actor, status=exc.status, work_error=error_view(exc.code, exc.title, exc.detail)
        )
    return redirect(
        "/console/payments/exceptions", text=_("Exception %(id)s is yours.") % {"id": exception_id}
    )


@router.post("/payments/exceptions/{exception_id}/resolve")
def resolve(
    request: Request,
    actor: Reconciler,
    exception_id: int,
    action: Annotated[str, Form()],
    note: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Resolve an exception (reconcile.resolve, as POST .../resolve)."""
    try:
        if action not in ACTIONS:
            raise InvalidRequest(f"action {action!r} is not one of {', '.join(ACTIONS)}")
        get_bank(request).run(reconcile.resolve, actor, exception_id, action, note)
    except CoreBankError as exc:
        return _page(
            request,
            actor,
            status=exc.status,
            work_error=error_view(exc.code, exc.title, exc.detail),
            failed_id=exception_id,
        )
    return redirect("/console/payments/exceptions", text=_("Exception %(id)s worked.") % {"id": exception_id})
