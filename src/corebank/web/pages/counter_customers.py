"""The counter's customer work: search (by name, customer number, ID number or phone), the customer view
(identity with the ID masked, accounts with balances and status, holds and freezes, loans, recent activity),
opening a customer (the service checks the resident ID) and an account, and an account's holds (止付) and
freezes (冻结). The same use cases and permissions as the REST routes; accounts outside the teller's branch
scope are not shown, as the REST route does not show them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import accounts, customers, products
from corebank.deposits import time_deposits
from corebank.kernel.errors import CoreBankError
from corebank.loans import servicing
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.counter import COUNTER
from corebank.web.pages.errors import form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, new_key, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Reader = Annotated[Actor, Depends(console_page(P.CUSTOMER_READ))]
Writer = Annotated[Actor, Depends(console_page(P.CUSTOMER_WRITE))]
Opener = Annotated[Actor, Depends(console_page(P.ACCOUNT_OPEN))]
AccountReader = Annotated[Actor, Depends(console_page(P.ACCOUNT_READ))]
Holder = Annotated[Actor, Depends(console_page(P.ACCOUNT_HOLD))]
Freezer = Annotated[Actor, Depends(console_page(P.ACCOUNT_FREEZE))]

register_nav(NavItem("console", COUNTER, N_("Customers"), "/console/customers", P.CUSTOMER_READ, 11))
register_nav(NavItem("console", COUNTER, N_("Open customer"), "/console/customers/new", P.CUSTOMER_WRITE, 12))

PAGE = 20
ID_TYPES = {
    "resident_id": N_("Resident ID card"),
    "passport": N_("Passport"),
    "hk_macao_permit": N_("Hong Kong and Macao permit"),
    "taiwan_permit": N_("Taiwan permit"),
    "uscc": N_("Unified social credit code"),
}
CUSTOMER_TYPES = {"individual": N_("individual"), "corporate": N_("corporate")}
RISK_LEVELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}
ACCOUNT_CLASSES = {"1": N_("Type I"), "2": N_("Type II"), "3": N_("Type III")}
HOLD_KINDS = (N_("hold"), N_("full"), N_("partial"), N_("freeze"))
STATUSES = (N_("active"), N_("dormant"), N_("frozen"), N_("blocked"), N_("deceased"), N_("released"))


# ---- search --------------------------------------------------------------------------------------------------


@router.get("/customers")
def search(
    request: Request,
    actor: Reader,
    q: Annotated[str, Query(max_length=64)] = "",
    after: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """Find customers; with htmx, only the results table (live search as the teller types)."""
    bank = get_bank(request)
    found: list[customers.CustomerRead] = []
    error = None
    q = q.strip()
    if q:
        try:
            found = bank.run(
                customers.search_customers,
                actor,
                q,
                limit=PAGE + 1,
                after_number=after or None,
                readonly=True,
            )
        except CoreBankError as exc:
            error = form_error(exc)
    more = len(found) > PAGE
    found = found[:PAGE]
    page = {
        "prev": f"/console/customers?q={q}" if after else None,
        "next": f"/console/customers?q={q}&after={found[-1].number}" if more and found else None,
    }
    ctx: dict[str, Any] = {"q": q, "found": found, "page": page, "error": error, "types": CUSTOMER_TYPES}
    if request.headers.get("hx-request"):
        return render(request, "console/counter/_customer_results.html", ctx)
    return render(request, "console/counter/customers.html", ctx)


# ---- open a customer ------------------------------------------------------------------------------------------


def _customer_form(
    request: Request, *, status: int = 200, form: dict[str, str] | None = None, error: Any = None
) -> Response:
    data = {
        "type": "individual",
        "name": "",
        "id_type": "resident_id",
        "id_number": "",
        "phone": "",
        "address": "",
        "occupation": "",
        "risk_level": "low",
    }
    data.update(form or {})
    return render(
        request,
        "console/counter/customer_new.html",
        {"form": data, "error": error, "id_types": ID_TYPES, "types": CUSTOMER_TYPES, "risks": RISK_LEVELS},
        status=status,
    )


@router.get("/customers/new")
def customer_new(request: Request, actor: Writer) -> Response:
    """The form to open a customer."""
    return _customer_form(request)


@router.post("/customers/new")
def customer_create(
    request: Request,
    actor: Writer,
    type: Annotated[str, Form(max_length=16)] = "individual",
    name: Annotated[str, Form(max_length=120)] = "",
    id_type: Annotated[str, Form(max_length=32)] = "resident_id",
    id_number: Annotated[str, Form(max_length=32)] = "",
    phone: Annotated[str, Form(max_length=24)] = "",
    address: Annotated[str, Form(max_length=200)] = "",
    occupation: Annotated[str, Form(max_length=60)] = "",
    risk_level: Annotated[str, Form(max_length=8)] = "low",
) -> Response:
    """Open the customer; the service validates the ID (a resident ID's check digit and birth date)."""
    form = {
        "type": type,
        "name": name,
        "id_type": id_type,
        "id_number": id_number,
        "phone": phone,
        "address": address,
        "occupation": occupation,
        "risk_level": risk_level,
    }
    try:
        cmd = customers.CustomerCreate(
            type=type,
            name=name.strip(),
            id_type=id_type,
            id_number=id_number.strip(),
            phone=phone.strip() or None,
            address=address.strip(),
            occupation=occupation.strip(),
            risk_level=risk_level,
        )
        opened = get_bank(request).run(customers.open_customer, actor, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _customer_form(request, status=form_status(exc), form=form, error=form_error(exc))
    return redirect(
        f"/console/customers/{opened.number}",
        text=_("Customer %(number)s opened.") % {"number": opened.number},
    )


# ---- the customer view ------------------------------------------------------------------------------------------


def _customer_page(
    request: Request, actor: Actor, number: str, *, status: int = 200, **extra: Any
) -> Response:
    bank = get_bank(request)
    customer = bank.run(customers.get_customer, actor, number, readonly=True)
    accs: list[accounts.AccountRead] = []
    holds: dict[str, list[accounts.HoldRead]] = {}
    activity: list[tuple[str, accounts.Transaction]] = []
    if actor.can(P.ACCOUNT_READ):
        accs = bank.run(accounts.accounts_of_customer, actor, number, readonly=True)
        for a in accs:
            holds[a.number] = bank.run(accounts.list_holds, actor, a.number, readonly=True)
            if a.status != "closed":
                page = bank.run(accounts.history, actor, a.number, limit=5, readonly=True)
                activity += [(a.number, t) for t in page.items]
    activity.sort(key=lambda pair: pair[1].created_at, reverse=True)
    deposits = []
    if actor.can(P.ACCOUNT_READ):
        deposits = bank.run(time_deposits.list_time_deposits, actor, number, readonly=True).items
    loans: list[Any] = []
    if actor.can(P.LOAN_READ):
        loans = bank.run(servicing.list_loans, actor, customer_number=number, limit=50, readonly=True).items
    product_options: list[tuple[str, str]] = []
    if actor.can(P.ACCOUNT_OPEN) and actor.can(P.PRODUCT_READ):
        product_options = [
            (p.code, f"{p.code} · {p.name_zh or p.name}")
            for p in bank.run(products.list_products, actor, readonly=True)
            if p.kind == "demand_deposit" and p.status == "active"
        ]
    ctx: dict[str, Any] = {
        "c": customer,
        "accounts": accs,
        "holds": holds,
        "activity": activity[:10],
        "loans": loans,
        "time_deposits": deposits,
        "id_types": ID_TYPES,
        "types": CUSTOMER_TYPES,
        "classes": ACCOUNT_CLASSES,
        "products": product_options,
        "form": {
            "product_code": "DEMAND_CNY",
            "account_class": "1",
            "linked_account": "",
            "opening_deposit": "",
        },
        "key": new_key(),
        "error": None,
        "currency": bank.settings.base_currency,
    }
    ctx.update(extra)
    return render(request, "console/counter/customer.html", ctx, status=status)


@router.get("/customers/{number}")
def customer_view(request: Request, number: str, actor: Reader) -> Response:
    """One customer: identity (ID masked), accounts, holds and freezes, loans and recent activity."""
    return _customer_page(request, actor, number)


@router.post("/customers/{number}/accounts")
def account_open(
    request: Request,
    number: str,
    actor: Opener,
    product_code: Annotated[str, Form(max_length=32)] = "DEMAND_CNY",
    account_class: Annotated[str, Form(max_length=1)] = "1",
    linked_account: Annotated[str, Form(max_length=32)] = "",
    opening_deposit: Annotated[str, Form(max_length=32)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    """Open a deposit account for the customer at the teller's branch, cash paid in at opening if any."""
    form = {
        "product_code": product_code,
        "account_class": account_class,
        "linked_account": linked_account,
        "opening_deposit": opening_deposit,
    }
    key = idempotency_key or new_key()
    try:
        cmd = accounts.AccountOpen(
            customer_number=number,
            product_code=product_code.strip(),
            account_class=int(account_class) if account_class.isdigit() else 0,
            linked_account=linked_account.strip() or None,
            opening_deposit=opening_deposit.strip() or None,
        )
        opened = get_bank(request).run(accounts.open_account, actor, cmd, key)
    except (CoreBankError, ValidationError) as exc:
        return _customer_page(
            request, actor, number, status=form_status(exc), error=form_error(exc), form=form, key=key
        )
    return redirect(
        f"/console/accounts/{opened.number}", text=_("Account %(number)s opened.") % {"number": opened.number}
    )


# ---- an account: balances, movements, holds and freezes -------------------------------------------------------


def _account_page(
    request: Request, actor: Actor, number: str, *, status: int = 200, **extra: Any
) -> Response:
    bank = get_bank(request)
    acc = bank.run(accounts.get_account, actor, number, readonly=True)
    ctx: dict[str, Any] = {
        "a": acc,
        "holds": bank.run(accounts.list_holds, actor, number, active_only=False, readonly=True),
        "moves": bank.run(accounts.history, actor, number, limit=20, readonly=True).items,
        "classes": ACCOUNT_CLASSES,
        "error": None,
        "form": {},
        "can_hold": actor.can(P.ACCOUNT_HOLD),
        "can_freeze": actor.can(P.ACCOUNT_FREEZE),
        "can_cash": actor.can(P.CASH_OPERATE),
    }
    ctx.update(extra)
    return render(request, "console/counter/account.html", ctx, status=status)


@router.get("/accounts/{number}")
def account_view(request: Request, number: str, actor: AccountReader) -> Response:
    """An account: balances, holds and freezes, the latest movements with their vouchers."""
    return _account_page(request, actor, number)


def _after(
    request: Request, actor: Actor, number: str, fn: Any, *args: Any, done: str, form: dict[str, str]
) -> Response:
    try:
        get_bank(request).run(fn, actor, number, *args)
    except CoreBankError as exc:
        return _account_page(request, actor, number, status=exc.status, error=form_error(exc), form=form)
    return redirect(f"/console/accounts/{number}", text=done)


@router.post("/accounts/{number}/holds")
def hold_place(
    request: Request,
    number: str,
    actor: Holder,
    amount: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Hold an amount (止付)."""
    form = {"hold_amount": amount, "hold_reason": reason}
    try:
        cmd = accounts.HoldRequest(amount=amount.strip(), reason=reason.strip())
    except ValidationError as exc:
        return _account_page(request, actor, number, status=422, error=form_error(exc), form=form)
    return _after(request, actor, number, accounts.place_hold, cmd, done=_("The amount is held."), form=form)


@router.post("/accounts/{number}/holds/{hold_id}/release")
def hold_release(
    request: Request,
    number: str,
    hold_id: int,
    actor: Holder,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Release a hold."""
    if not reason.strip():
        reason = "released at the counter"
    return _after(
        request,
        actor,
        number,
        accounts.release_hold,
        hold_id,
        reason.strip(),
        done=_("The hold is released."),
        form={},
    )


@router.post("/accounts/{number}/freeze")
def freeze(
    request: Request,
    number: str,
    actor: Freezer,
    kind: Annotated[str, Form(max_length=8)] = "full",
    amount: Annotated[str, Form(max_length=32)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    authority: Annotated[str, Form(max_length=120)] = "",
    document_no: Annotated[str, Form(max_length=60)] = "",
) -> Response:
    """Freeze the account fully or by an amount (冻结)."""
    form = {
        "freeze_kind": kind,
        "freeze_amount": amount,
        "freeze_reason": reason,
        "authority": authority,
        "document_no": document_no,
    }
    try:
        cmd = accounts.FreezeRequest(
            kind=kind,
            amount=amount.strip() or None,
            reason=reason.strip(),
            authority=authority.strip(),
            document_no=document_no.strip(),
        )
    except ValidationError as exc:
        return _account_page(request, actor, number, status=422, error=form_error(exc), form=form)
    return _after(request, actor, number, accounts.freeze, cmd, done=_("The account is frozen."), form=form)


@router.post("/accounts/{number}/unfreeze")
def unfreeze(
    request: Request,
    number: str,
    actor: Freezer,
    freeze_id: Annotated[int, Form()],
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Lift a freeze."""
    try:
        cmd = accounts.UnfreezeRequest(freeze_id=freeze_id, reason=reason.strip() or "lifted at the counter")
    except ValidationError as exc:
        return _account_page(request, actor, number, status=422, error=form_error(exc))
    return _after(request, actor, number, accounts.unfreeze, cmd, done=_("The freeze is lifted."), form={})
