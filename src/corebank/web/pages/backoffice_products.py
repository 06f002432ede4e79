"""Back office, products and rates: the product catalogue, each product's rate history, rate changes under
maker-checker (a product manager proposes, another approves or rejects: `products.propose_rates`, then
`operations.approve`/`reject`, as the REST routes), and the base rates (LPR) with a new fixing. Reading needs
product.read; proposing and fixings product.write; deciding approval.decide (the approval names product.write
too, and never the maker)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import operations, products
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError, InvalidRequest
from corebank.operations.errors import ApprovalNotFound
from corebank.products import RateChange, RateLine
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.PRODUCT_READ))]
Writer = Annotated[Actor, Depends(console_page(P.PRODUCT_WRITE))]
Checker = Annotated[Actor, Depends(console_page(P.APPROVAL_DECIDE))]
LINES = 3  # rate lines on the proposal form

register_nav(
    NavItem("console", N_("Books"), N_("Products and rates"), "/console/products", P.PRODUCT_READ, 55)
)

PRODUCT_STATUSES = (N_("draft"), N_("active"), N_("retired"))


class NotARateChange(ApprovalNotFound):
    """An approval id that is not a rate change: this page decides rate changes only."""


def _invalid(exc: ValidationError) -> InvalidRequest:
    first = exc.errors()[0]
    return InvalidRequest(f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}")


def _pending(bank: Bank, actor: Actor) -> list[Any]:
    if not actor.can(P.APPROVAL_READ):
        return []
    found = bank.run(
        operations.list_approvals, actor, status="pending", before_id=None, limit=200, readonly=True
    )
    return [a for a in found if a.kind == products.RATE_CHANGE_KIND]


def _catalogue(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    ctx: dict[str, Any] = {
        "products": bank.run(products.list_products, actor, readonly=True),
        "pending": _pending(bank, actor),
        "base_rates": bank.run(products.list_base_rates, actor, readonly=True),
        "can_write": actor.can(P.PRODUCT_WRITE),
        "can_decide": actor.can(P.APPROVAL_DECIDE),
        "base_form": {"code": "LPR1Y", "annual_rate": "", "effective_date": ""},
    }
    ctx.update(extra)
    return render(request, "console/backoffice/products.html", ctx, status=status)


@router.get("/products")
def catalogue(request: Request, actor: Reader) -> Response:
    return _catalogue(request, actor)


def _product_page(request: Request, actor: Actor, code: str, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    product = bank.run(products.get_product, actor, code, readonly=True)
    ctx: dict[str, Any] = {
        "product": product,
        "rates": bank.run(products.list_rates, actor, code, None, readonly=True),
        "pending": [a for a in _pending(bank, actor) if a.payload.get("product_code") == code],
        "can_write": actor.can(P.PRODUCT_WRITE),
        "form": {"effective_date": "", "lines": [{"term": "", "annual_rate": "", "min_amount": ""}] * LINES},
    }
    ctx.update(extra)
    return render(request, "console/backoffice/product.html", ctx, status=status)


@router.get("/products/{code}")
def product(request: Request, actor: Reader, code: str) -> Response:
    return _product_page(request, actor, code)


@router.post("/products/{code}/rates")
def propose(
    request: Request,
    actor: Writer,
    code: str,
    effective_date: Annotated[str, Form(max_length=10)] = "",
    term_0: Annotated[str, Form(max_length=8)] = "",
    annual_rate_0: Annotated[str, Form(max_length=12)] = "",
    min_amount_0: Annotated[str, Form(max_length=24)] = "",
    term_1: Annotated[str, Form(max_length=8)] = "",
    annual_rate_1: Annotated[str, Form(max_length=12)] = "",
    min_amount_1: Annotated[str, Form(max_length=24)] = "",
    term_2: Annotated[str, Form(max_length=8)] = "",
    annual_rate_2: Annotated[str, Form(max_length=12)] = "",
    min_amount_2: Annotated[str, Form(max_length=24)] = "",
) -> Response:
    """Propose new rates from a date (up to three lines); they wait for a second product manager."""
    raw = (
        (term_0, annual_rate_0, min_amount_0),
        (term_1, annual_rate_1, min_amount_1),
        (term_2, annual_rate_2, min_amount_2),
    )
    lines = [{"term": t.strip(), "annual_rate": r.strip(), "min_amount": m.strip()} for t, r, m in raw]
    form: dict[str, Any] = {"effective_date": effective_date.strip(), "lines": lines}
    try:
        try:
            cmd = RateChange(
                effective_date=effective_date.strip(),
                rates=[
                    RateLine(
                        term=ln["term"], annual_rate=ln["annual_rate"], min_amount=ln["min_amount"] or "0"
                    )
                    for ln in lines
                    if ln["term"] or ln["annual_rate"]
                ],
            )
        except ValidationError as exc:
            raise _invalid(exc) from None
        pending = get_bank(request).run(products.propose_rates, actor, code, cmd)
    except CoreBankError as exc:
        return _product_page(
            request,
            actor,
            code,
            status=exc.status,
            error=error_view(exc.code, exc.title, exc.detail),
            form=form,
        )
    return redirect(
        f"/console/products/{code}",
        text=_("Rate change proposed (approval %(id)s): it waits for a second person.")
        % {"id": pending.approval_id},
    )


@router.post("/products/approvals/{approval_id}/{decision}")
def decide(
    request: Request,
    actor: Checker,
    approval_id: int,
    decision: str,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Approve (the new rates take effect) or reject a proposed rate change."""
    bank = get_bank(request)
    try:
        found = bank.run(operations.get_approval, actor, approval_id, readonly=True)
        if found.kind != products.RATE_CHANGE_KIND:
            raise NotARateChange(f"approval {approval_id} is not a rate change")
        if decision == "approve":
            bank.run(operations.approve, actor, approval_id, reason)
            text = _("Rate change %(id)s approved.") % {"id": approval_id}
        elif decision == "reject":
            bank.run(operations.reject, actor, approval_id, reason)
            text = _("Rate change %(id)s rejected.") % {"id": approval_id}
        else:
            raise InvalidRequest(f"decision {decision!r} is not approve or reject")
    except CoreBankError as exc:
        return _catalogue(
            request, actor, status=exc.status, decide_error=error_view(exc.code, exc.title, exc.detail)
        )
    return redirect("/console/products", text=text)


@router.post("/products/base-rates")
def set_base_rate(
    request: Request,
    actor: Writer,
    code: Annotated[str, Form(max_length=16)],
    annual_rate: Annotated[str, Form(max_length=12)],
    effective_date: Annotated[str, Form(max_length=10)],
) -> Response:
    """Post a new fixing of a base rate (products.set_base_rate, as PUT /api/v1/base-rates/{code})."""
    form = {
        "code": code.strip(),
        "annual_rate": annual_rate.strip(),
        "effective_date": effective_date.strip(),
    }
    bank = get_bank(request)
    try:
        try:
            day = date.fromisoformat(form["effective_date"])
        except ValueError:
            raise InvalidRequest(f"effective date {effective_date!r} is not a date (YYYY-MM-DD)") from None
        bank.run(products.set_base_rate, actor, form["code"], form["annual_rate"], day)
    except CoreBankError as exc:
        return _catalogue(
            request,
            actor,
            status=exc.status,
            base_error=error_view(exc.code, exc.title, exc.detail),
            base_form=form,
        )
    return redirect(
        "/console/products#base-rates", text=_("Base rate %(code)s fixed.") % {"code": form["code"]}
    )
