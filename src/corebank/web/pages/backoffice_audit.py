"""Back office, the audit trail: search by actor, action, object and date range with cursor pages (the service
of GET /api/v1/audit), and verify the hash chain (GET /api/v1/audit/verify). Both need audit.read.

The service filters by who, what and which object; the date range rides on its cursor: the listing starts at the
last record made before the end of the "to" date, and stops at the first record older than the "from" date. Dates
are UTC days, as the records' timestamps.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.security import Actor, P
from corebank.security import service as security
from corebank.security.schemas import AuditPage
from corebank.web.deps import get_bank
from corebank.web.pages import backoffice_queries as queries
from corebank.web.pages.errors import error_view
from corebank.web.pages.render import N_, NavItem, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Auditor = Annotated[Actor, Depends(console_page(P.AUDIT_READ))]
PAGE = 50
FILTERS = ("who", "action", "object_type", "object_id", "date_from", "date_to")

register_nav(NavItem("console", N_("Administration"), N_("Audit trail"), "/console/audit", P.AUDIT_READ, 70))


def _day(text: str, what: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None


def _search(bank: Bank, actor: Actor, form: dict[str, str], cursor: str | None) -> AuditPage:
    day_from = _day(form["date_from"], "the 'from' date")
    day_to = _day(form["date_to"], "the 'to' date")
    if day_from and day_to and day_from > day_to:
        raise InvalidRequest("the 'from' date is after the 'to' date")
    if not cursor and day_to is not None:
        start = bank.run(queries.audit_start_before, day_to, readonly=True)
        if start is None:
            return AuditPage(items=[])
        cursor = str(start)
    page: AuditPage = bank.run(
        security.list_audit,
        actor,
        cursor=cursor,
        limit=PAGE,
        who=form["who"] or None,
        object_type=form["object_type"] or None,
        object_id=form["object_id"] or None,
        action=form["action"] or None,
        readonly=True,
    )
    if day_from is not None:
        kept = [i for i in page.items if i.at.date() >= day_from]
        if len(kept) < len(page.items):
            return AuditPage(items=kept, next_cursor=None)
    return page


def _page(request: Request, actor: Actor, extra: dict[str, Any] | None = None) -> Response:
    q = request.query_params
    form = {k: (q.get(k) or "").strip() for k in FILTERS}
    cursor = q.get("cursor") or None
    ctx: dict[str, Any] = {"form": form, "items": [], "page": {"prev": None, "next": None}}
    status = 200
    try:
        found = _search(get_bank(request), actor, form, cursor)
    except CoreBankError as exc:
        ctx["error"] = error_view(exc.code, exc.title, exc.detail)
        status = exc.status
    else:
        kept = {k: v for k, v in form.items() if v}
        ctx["items"] = [
            {**i.model_dump(), "detail_text": json.dumps(i.detail, ensure_ascii=False, default=str)[:300]}
            for i in found.items
        ]
        ctx["page"] = {
            "prev": "/console/audit?" + urlencode(kept) if cursor else None,
            "next": "/console/audit?" + urlencode({**kept, "cursor": found.next_cursor})
            if found.next_cursor
            else None,
        }
    ctx.update(extra or {})
    return render(request, "console/backoffice/audit.html", ctx, status=status)


@router.get("/audit")
def audit(request: Request, actor: Auditor) -> Response:
    return _page(request, actor)


@router.get("/audit/verify")
def audit_verify(request: Request, actor: Auditor) -> Response:
    """Recompute the audit hash chain and show whether it holds (the same check as the REST route)."""
    result = get_bank(request).run(security.verify_audit_chain, readonly=True)
    return _page(request, actor, {"verification": result})
