"""The teller counter: the till (open, position, balancing 轧账 and close), cash deposits and withdrawals
(存款, 取款) with supervisor authorization (授权) for large withdrawals, and transfers (转账) at the counter.

Each form calls the same use case the REST route calls, with the same permission. Money-moving forms carry a
hidden idempotency key made when the form is drawn, so a double submit posts once; a posted transaction ends on
its voucher page (see `voucher.py`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError

from corebank import accounts, operations, payments, tellers
from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.security import Actor, P
from corebank.web.deps import get_bank
from corebank.web.pages.errors import error_view, form_error, form_status
from corebank.web.pages.i18n import _
from corebank.web.pages.render import N_, NavItem, new_key, redirect, register_nav, render
from corebank.web.pages.session import console_page

router = APIRouter(prefix="/console", include_in_schema=False)
Cashier = Annotated[Actor, Depends(console_page(P.CASH_OPERATE))]
Mover = Annotated[Actor, Depends(console_page(P.TRANSFER_CREATE))]
ApprovalReader = Annotated[Actor, Depends(console_page(P.APPROVAL_READ))]

COUNTER = N_("Counter")
register_nav(NavItem("console", COUNTER, N_("Till"), "/console/till", P.CASH_OPERATE, 10))
register_nav(NavItem("console", COUNTER, N_("Cash deposit"), "/console/cash/deposit", P.CASH_OPERATE, 13))
register_nav(NavItem("console", COUNTER, N_("Cash withdrawal"), "/console/cash/withdraw", P.CASH_OPERATE, 14))
register_nav(NavItem("console", COUNTER, N_("Transfer"), "/console/transfer", P.TRANSFER_CREATE, 15))

STATUS_NAMES = (N_("open"), N_("closed"), N_("pending"), N_("executed"), N_("rejected"), N_("posted"))


# ---- the till ------------------------------------------------------------------------------------------------


def _my_till(bank: Bank, actor: Actor) -> tellers.TillRead | None:
    tills = bank.run(tellers.list_tills, actor, None, readonly=True)
    mine = [t for t in tills if t.username == actor.username]
    return mine[-1] if mine else None


def _till_page(request: Request, actor: Actor, *, status: int = 200, **extra: Any) -> Response:
    bank = get_bank(request)
    till = _my_till(bank, actor)
    vault = None
    try:
        vault = bank.run(
            tellers.vault_balance, actor, actor.branch_code, bank.settings.base_currency, readonly=True
        )
    except CoreBankError:
        vault = None
    ctx: dict[str, Any] = {
        "till": till,
        "vault": vault,
        "currency": bank.settings.base_currency,
        "key": new_key(),
        "form": {},
        "error": None,
    }
    ctx.update(extra)
    return render(request, "console/counter/till.html", ctx, status=status)


@router.get("/till")
def till_page(request: Request, actor: Cashier) -> Response:
    """The teller's till for the business date: open it, see its position, move cash, balance and close it."""
    return _till_page(request, actor)


@router.post("/till/open")
def till_open(
    request: Request, actor: Cashier, opening_cash: Annotated[str, Form(max_length=32)] = ""
) -> Response:
    bank = get_bank(request)
    try:
        cmd = tellers.TillOpen(
            currency=bank.settings.base_currency, opening_cash=opening_cash.strip() or None
        )
        bank.run(tellers.open_till, actor, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _till_page(
            request,
            actor,
            status=form_status(exc),
            error=form_error(exc),
            form={"opening_cash": opening_cash},
        )
    return redirect("/console/till", text=_("Your till is open."))


@router.post("/till/{till_id}/cash")
def till_cash(
    request: Request,
    till_id: int,
    actor: Cashier,
    direction: Annotated[str, Form(pattern="^(take|return)$")],
    amount: Annotated[str, Form(max_length=32)],
    idempotency_key: Annotated[str, Form(max_length=64)],
) -> Response:
    """Take cash from the vault into the till, or return cash from the till to the vault."""
    bank = get_bank(request)
    fn = tellers.take_from_vault if direction == "take" else tellers.return_to_vault
    try:
        cmd = tellers.CashMove(amount=amount.strip(), currency=bank.settings.base_currency)
        bank.run(fn, actor, till_id, cmd, idempotency_key)
    except (CoreBankError, ValidationError) as exc:
        return _till_page(
            request, actor, status=form_status(exc), error=form_error(exc), form={"amount": amount}
        )
    return redirect("/console/till", text=_("The cash was moved."))


@router.post("/till/{till_id}/close")
def till_close(
    request: Request, till_id: int, actor: Cashier, counted: Annotated[str, Form(max_length=32)]
) -> Response:
    """Balance the till against the counted cash (轧账) and close it; the difference is shown."""
    bank = get_bank(request)
    try:
        cmd = tellers.TillClose(counted=counted.strip(), currency=bank.settings.base_currency)
        closed = bank.run(tellers.close_till, actor, till_id, cmd)
    except (CoreBankError, ValidationError) as exc:
        return _till_page(
            request, actor, status=form_status(exc), error=form_error(exc), form={"counted": counted}
        )
    return redirect(
        "/console/till",
        text=_("The till is closed. Difference: %(diff)s") % {"diff": closed.difference or "0.00"},
        kind="ok" if (closed.difference or "0.00") in ("0.00", "0") else "warn",
    )


# ---- cash deposit and withdrawal ----------------------------------------------------------------------------

CASH = {
    "deposit": (N_("Cash deposit"), accounts.cash_deposit),
    "withdraw": (N_("Cash withdrawal"), accounts.cash_withdrawal),
}


def _cash_form(
    request: Request, kind: str, *, status: int = 200, form: dict[str, str] | None = None, error: Any = None
) -> Response:
    bank = get_bank(request)
    title = CASH[kind][0]
    data = {"account": "", "amount": "", "memo": "", "idempotency_key": new_key()}
    data.update(form or {})
    return render(
        request,
        "console/counter/cash.html",
        {
            "kind": kind,
            "title": title,
            "form": data,
            "error": error,
            "currency": bank.settings.base_currency,
            "threshold": bank.settings.withdrawal_approval_threshold,
        },
        status=status,
    )


@router.get("/cash/{kind}")
def cash_form(request: Request, kind: str, actor: Cashier, account: str = "") -> Response:
    """The deposit or withdrawal form: account (focused), amount, memo; Enter submits."""
    if kind not in CASH:
        return render(
            request, "error.html", {"error": error_view("NOT_FOUND", "Not found"), "status": 404}, status=404
        )
    return _cash_form(request, kind, form={"account": account})


@router.post("/cash/{kind}")
def cash_post(
    request: Request,
    kind: str,
    actor: Cashier,
    account: Annotated[str, Form(max_length=32)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    memo: Annotated[str, Form(max_length=120)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    """Post the deposit or withdrawal; a withdrawal at or above the threshold waits for a supervisor."""
    if kind not in CASH:
        return render(
            request, "error.html", {"error": error_view("NOT_FOUND", "Not found"), "status": 404}, status=404
        )
    bank = get_bank(request)
    form = {
        "account": account,
        "amount": amount,
        "memo": memo,
        "idempotency_key": idempotency_key or new_key(),
    }
    try:
        cmd = accounts.CashOperation(
            amount=amount.strip(), currency=bank.settings.base_currency, memo=memo.strip()
        )
        result = bank.run(CASH[kind][1], actor, account.strip(), cmd, form["idempotency_key"])
    except (CoreBankError, ValidationError) as exc:
        return _cash_form(request, kind, status=form_status(exc), form=form, error=form_error(exc))
    if isinstance(result, accounts.PendingApproval):
        return redirect(
            f"/console/cash/pending/{result.approval_id}",
            text=_("The withdrawal waits for a supervisor's authorization."),
            kind="warn",
        )
    return redirect(f"/console/vouchers/{result.voucher}", text=_("Posted."))


@router.get("/cash/pending/{approval_id}")
def cash_pending(request: Request, approval_id: int, actor: ApprovalReader) -> Response:
    """A withdrawal waiting for authorization: its state, and its voucher once a supervisor has approved it."""
    approval = get_bank(request).run(operations.get_approval, actor, approval_id, readonly=True)
    voucher = (approval.result or {}).get("voucher") if approval.status == "executed" else None
    template = (
        "console/counter/_pending.html"
        if request.headers.get("hx-request")
        else "console/counter/pending.html"
    )
    return render(request, template, {"approval": approval, "voucher": voucher})


# ---- transfer ------------------------------------------------------------------------------------------------


def _transfer_form(
    request: Request, *, status: int = 200, form: dict[str, str] | None = None, error: Any = None
) -> Response:
    data = {"from_account": "", "to_account": "", "amount": "", "memo": "", "idempotency_key": new_key()}
    data.update(form or {})
    return render(
        request,
        "console/counter/transfer.html",
        {"form": data, "error": error, "currency": get_bank(request).settings.base_currency},
        status=status,
    )


@router.get("/transfer")
def transfer_form(request: Request, actor: Mover, from_account: str = "") -> Response:
    """A transfer between two accounts of the bank, at the counter."""
    return _transfer_form(request, form={"from_account": from_account})


@router.post("/transfer")
def transfer_post(
    request: Request,
    actor: Mover,
    from_account: Annotated[str, Form(max_length=32)] = "",
    to_account: Annotated[str, Form(max_length=32)] = "",
    amount: Annotated[str, Form(max_length=32)] = "",
    memo: Annotated[str, Form(max_length=120)] = "",
    idempotency_key: Annotated[str, Form(min_length=8, max_length=64)] = "",
) -> Response:
    bank = get_bank(request)
    form = {
        "from_account": from_account,
        "to_account": to_account,
        "amount": amount,
        "memo": memo,
        "idempotency_key": idempotency_key or new_key(),
    }
    try:
        cmd = payments.TransferCreate(
            from_account=from_account.strip(),
            to_account=to_account.strip(),
            amount=amount.strip(),
            currency=bank.settings.base_currency,
            memo=memo.strip(),
        )
        done = bank.run(payments.transfer, actor, cmd, form["idempotency_key"])
    except (CoreBankError, ValidationError) as exc:
        return _transfer_form(request, status=form_status(exc), form=form, error=form_error(exc))
    return redirect(f"/console/vouchers/{done.entry_id}", text=_("Posted."))
